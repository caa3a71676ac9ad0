"""Generate a unit's Verilog, manifest and extra files (SPEC §5-7).

From Python::

    from smelu_hw import QFormat, SmeLUSpec
    from smelu_hw.gen import generate

    unit = generate(SmeLUSpec(beta=2.0, fmt=QFormat(16, 8)), latency=2)
    unit.verilog, unit.manifest      # in memory
    unit.write(Path("build"))        # MODULE.v, MODULE.json, then any emitted files

From the shell, ``python -m smelu_hw.gen --bits 16`` (:mod:`smelu_hw.gen.__main__`).

The parts: :mod:`.build` (:func:`generate`, the component of a spec, ``method="auto"``),
:mod:`.files` (the unit in memory, default names, reserved words, the atomic writer),
:mod:`.fusesoc` (``--emit fusesoc``) and :mod:`.standard` (the set checked in under ``rtl/``).
Importing this package does not load the command line.
"""

from .build import INTERFACES, MAX_LANES, MAX_USER_BITS, MethodChoice, choose_method, generate, unit_factory
from .files import EMITS, LINT_WAIVERS, RESERVED_WORDS, GeneratedUnit, default_name, write_atomically

__all__ = [
    "EMITS",
    "INTERFACES",
    "LINT_WAIVERS",
    "MAX_LANES",
    "MAX_USER_BITS",
    "RESERVED_WORDS",
    "GeneratedUnit",
    "MethodChoice",
    "choose_method",
    "default_name",
    "generate",
    "unit_factory",
    "write_atomically",
]
