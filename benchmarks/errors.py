"""Error table at R16 (Q16.8 in and out, grad_frac 8) for every unit, forward and gradient.

Max and mean error in output ULPs against the exact reference (float64 textbook formulas with
mpmath deciding every doubtful code, :mod:`smelu_hw.accuracy`), over every input code, and
the number of outputs that are not faithful (not one of the two codes around the exact
value). Tables are also measured on their own range, |x| < 8. Run:
``python benchmarks/errors.py``.
"""

from __future__ import annotations

import numpy as np

from smelu_hw import HardSwish, QFormat, ReLU, SmeLU
from smelu_hw.accuracy import error_stats
from smelu_hw.approx.functions import SMOOTH
from smelu_hw.models import model_for
from smelu_hw.specs import SPECS

R16 = QFormat(16, 8)


def units() -> dict[str, object]:
    return {
        "smelu b=2": SmeLU(2.0, fmt=R16),
        "relu": ReLU(fmt=R16),
        "hardswish": HardSwish(fmt=R16),
        **{
            f"{name} {method}": model_for(SPECS[name](fmt=R16, method=method))
            for method in ("poly", "table")
            for name in SMOOTH
        },
    }


def main() -> None:
    codes = R16.codes()
    in_table = codes[np.abs(codes) < (8 << 8)]
    print("R16: Q16.8 -> Q16.8, gradient 8 fractional bits; errors in output ULPs, every input code")
    print(
        f"{'unit':<16} {'range':<7} {'fwd max':>9} {'fwd mean':>9} {'fwd !faith':>10}"
        f" {'grad max':>9} {'grad mean':>9} {'grad !faith':>11}"
    )
    for label, model in units().items():
        ranges = [("all", codes)] + ([("|x|<8", in_table)] if "table" in label else [])
        for range_label, x in ranges:
            fwd = error_stats(model.spec, x, model.forward(x))
            grad = error_stats(model.spec, x, model.grad(x), gradient=True)
            forward = f"{fwd.max_ulp:>9.3f} {fwd.mean_ulp:>9.4f} {fwd.non_faithful:>10}"
            backward = f"{grad.max_ulp:>9.3f} {grad.mean_ulp:>9.4f} {grad.non_faithful:>11}"
            print(f"{label:<16} {range_label:<7} {forward} {backward}")


if __name__ == "__main__":
    main()
