"""The streaming engine's mode codes (SPEC §6): the contract of its ``mode`` payload field."""

from __future__ import annotations

__all__ = ["ENGINE_MODES", "MODE_BITS", "RESERVED_MODES", "RESERVED_RESULT"]

#: Mode codes of an engine's input beats.
ENGINE_MODES = {"forward": 0, "gradient": 1, "backward": 2}
#: Width of the ``mode`` field.
MODE_BITS = 2
#: Codes of the ``mode`` field that name no operation. The golden model refuses them; the RTL
#: answers such a beat with a beat whose every lane is :data:`RESERVED_RESULT`, so that the
#: output stream keeps one beat per input beat (and a frame keeps its length).
RESERVED_MODES = tuple(code for code in range(1 << MODE_BITS) if code not in ENGINE_MODES.values())
#: Every lane's result for a beat in a reserved mode.
RESERVED_RESULT = 0
