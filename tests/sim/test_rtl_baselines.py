"""Generated baseline RTL (ReLU, hard-swish, Swish, Softplus, GELU, ELU) equals its golden model.

Exhaustive at every input code (all formats here are at most 16 bits), with and without
pipelining, for the polynomial and the table methods, and for tables of every input code
(method ``rom``, SmeLU's included) at 8 and 16 bits.
"""

from __future__ import annotations

import pytest

from smelu_hw import ELUSpec, GELUSpec, HardSwishSpec, QFormat, ReLUSpec, SmeLUSpec, SoftplusSpec, SwishSpec

R16 = QFormat(16, 8)

CASES = {
    "relu_r16": ReLUSpec(fmt=R16),
    "relu_coarse_out_rna": ReLUSpec(fmt=QFormat(12, 6), out_fmt=QFormat(8, 2), grad_frac=3, rounding="rna"),
    "relu_finer_out": ReLUSpec(fmt=QFormat(8, 2), out_fmt=QFormat(12, 8), grad_frac=0),
    "hardswish_r16": HardSwishSpec(fmt=R16),
    "hardswish_rna": HardSwishSpec(fmt=QFormat(12, 6), rounding="rna"),
    "hardswish_floor_narrow": HardSwishSpec(
        fmt=QFormat(10, 5), out_fmt=QFormat(6, 2), grad_frac=3, rounding="floor"
    ),
    "hardswish_small_range": HardSwishSpec(fmt=QFormat(8, 6), out_fmt=QFormat(10, 8)),
    "swish_r16": SwishSpec(fmt=R16),
    "swish_beta": SwishSpec(beta=1.702, fmt=QFormat(12, 6), rounding="rna"),
    "softplus_r16": SoftplusSpec(fmt=R16),
    "softplus_beta2": SoftplusSpec(beta=2.0, fmt=QFormat(10, 5), out_fmt=QFormat(8, 4), grad_frac=6),
    "gelu_r16": GELUSpec(fmt=R16),
    "gelu_q8": GELUSpec(fmt=QFormat(8, 4)),
    "swish_table_r16": SwishSpec(fmt=R16, method="table"),
    "softplus_table_r16": SoftplusSpec(fmt=R16, method="table"),
    "gelu_table_r16": GELUSpec(fmt=R16, method="table"),
    "gelu_table_q12": GELUSpec(fmt=QFormat(12, 4), method="table"),
    "elu_r16": ELUSpec(fmt=R16),
    "elu_fine_out_rna": ELUSpec(fmt=QFormat(10, 3), out_fmt=QFormat(12, 8), grad_frac=4, rounding="rna"),
    "elu_table_r16": ELUSpec(fmt=R16, method="table"),
}


@pytest.mark.parametrize("name", CASES)
def test_combinational(verify_unit, name):
    verify_unit(CASES[name])


@pytest.mark.parametrize("name", ["relu_r16", "hardswish_r16", "swish_r16", "gelu_table_r16", "elu_r16"])
def test_pipelined(verify_unit, name):
    verify_unit(CASES[name], latency=2)


def test_without_gradient(verify_unit):
    verify_unit(CASES["softplus_r16"], with_grad=False)


Q8 = QFormat(8, 4)
ROM = {
    "gelu_rom_q8": GELUSpec(fmt=Q8, method="rom"),
    "softplus_rom_q8_floor_finer_out": SoftplusSpec(
        beta=2.0, fmt=Q8, out_fmt=QFormat(10, 6), grad_frac=7, method="rom", rounding="floor"
    ),
    "swish_rom_r16": SwishSpec(fmt=R16, method="rom"),
    "elu_rom_r16": ELUSpec(fmt=R16, method="rom"),
    "smelu_rom_q8_faithful": SmeLUSpec(beta=2.0, fmt=Q8, method="rom", accuracy="faithful"),
}


@pytest.mark.parametrize("name", ROM)
def test_rom(verify_unit, name):
    verify_unit(ROM[name])


def test_rom_pipelined_and_without_gradient(verify_unit):
    verify_unit(ROM["gelu_rom_q8"], latency=2)  # the cut at the table's output
    verify_unit(ROM["smelu_rom_q8_faithful"], latency=1, with_grad=False)
