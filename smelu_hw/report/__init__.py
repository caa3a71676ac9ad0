"""Area, timing and error reports (``python -m smelu_hw.report``)."""
