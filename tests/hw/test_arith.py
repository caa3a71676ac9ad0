# amaranth: UnusedElaboratable=no
"""The gate-level building blocks of :mod:`smelu_hw.hw.arith`, simulated in Amaranth against
plain integers: the carry-chain-free comparison, and column sums with every cut enabled."""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from dataclasses import fields

import pytest
from amaranth.hdl import Module, Signal, Value
from amaranth.sim import Simulator

from smelu_hw.hw.arith import (
    NO_CUTS,
    TREE_CUT_STAGES,
    ArithmeticCuts,
    carry_split,
    is_enabled,
    no_pipe,
    square_columns,
    sum_columns,
    unsigned_at_least,
)

WIDTH = 7


def settle(module: Module, bench: Callable[..., Awaitable[None]], *, clocked: bool = True) -> None:
    sim = Simulator(module)
    if clocked:
        sim.add_clock(1e-6)
    sim.add_testbench(bench)
    sim.run()


def test_unsigned_at_least_on_every_value_and_constant():
    m = Module()
    value = Signal(WIDTH + 1)  # a high bit that the comparison must ignore
    constants = list(range(-2, (1 << WIDTH) + 2))
    results = [Signal(name=f"at_least_{i}") for i in range(len(constants))]
    for result, constant in zip(results, constants, strict=True):
        m.d.comb += result.eq(unsigned_at_least(value, constant, WIDTH))
    compared = []

    async def bench(ctx):
        for raw in range(1 << (WIDTH + 1)):
            ctx.set(value, raw)
            low = raw & ((1 << WIDTH) - 1)
            for result, constant in zip(results, constants, strict=True):
                assert ctx.get(result) == int(low >= constant), (raw, constant)
                compared.append(constant)

    settle(m, bench, clocked=False)
    assert len(compared) == len(constants) << (WIDTH + 1)


class _Register:
    """An enabled cut for a test module: registers what passes through it."""

    enabled = True

    def __init__(self, m: Module) -> None:
        self._m = m

    def __call__(self, value: Value, name: str) -> Value:
        register = Signal(value.shape(), name=f"{name}_reg")
        self._m.d.sync += register.eq(value)
        return register


class _Off:
    enabled = False

    def __call__(self, value: Value, name: str) -> Value:
        return value


def test_is_enabled():
    assert not is_enabled(no_pipe)
    assert not is_enabled(_Off())
    assert is_enabled(_Register(Module()))


def clocked(m: Module, source: Signal, result: Value, values: list[int], latency: int = 3) -> list[int]:
    """``values`` driven into ``source`` one a cycle: ``result`` after each, ``latency`` cycles on."""
    outputs = []

    async def bench(ctx):
        for value in values + [0] * latency:
            ctx.set(source, value)
            outputs.append(ctx.get(result))
            await ctx.tick()

    settle(m, bench)
    return outputs[latency:]


def every_cut(m: Module) -> ArithmeticCuts:
    """The cuts :func:`sum_columns` applies, each registering."""
    return ArithmeticCuts(tree=_Register(m), adders=_Register(m), carry=_Register(m))


def test_arithmetic_cuts_are_disabled_unless_given():
    names = [field.name for field in fields(NO_CUTS)]
    assert names == ["tree", "adders", "carry", "sum", "product"]  # the order along the path
    assert all(getattr(NO_CUTS, name) is no_pipe for name in names)


def test_arithmetic_cuts_among_a_units_named_cuts():
    decode, adders, total = _Off(), _Off(), _Off()
    cuts = ArithmeticCuts.among({"decode": decode, "adders": adders, "sum": total})
    assert cuts == ArithmeticCuts(adders=adders, sum=total)
    assert cuts.tree is cuts.carry is cuts.product is no_pipe


def test_operands_pass_tree_adders_and_carry_in_that_order():
    m = Module()
    x = Signal(4)
    assert clocked(m, x, every_cut(m).operands(x, "x"), [3, 9, 14]) == [3, 9, 14]


@pytest.mark.parametrize("width", [3, 6, 10])
def test_square_sum_with_every_cut_enabled(width):
    """``u**2`` through a tree cut, the pre-adder cut and a split final adder: three registers."""
    m = Module()
    u = Signal(width)
    columns = square_columns(u, width)
    total = sum_columns(m, columns, 2 * width, "sq", cuts=every_cut(m))
    rng = random.Random(width)
    inputs = list(range(1 << width)) if width <= 6 else [rng.randrange(1 << width) for _ in range(300)]
    assert clocked(m, u, total, inputs) == [value * value for value in inputs]


def test_a_one_row_sum_passes_every_cut():
    m = Module()
    x = Signal(8)
    total = sum_columns(m, [[x[i]] for i in range(8)], 8, "row", cuts=every_cut(m))
    assert clocked(m, x, total, [5, 200, 17]) == [5, 200, 17]


def test_carry_split_is_halfway_above_the_first_column_with_two_bits():
    one, two = [object()], [object(), object()]
    assert carry_split([one, one, two, two, two, two, one, one, [], []]) == 6
    assert carry_split([two] * 8) == 4
    assert carry_split([two]) == 1  # a one-column sum: the high half is empty


@pytest.mark.parametrize("width", [1, 2])
def test_narrow_sums_with_every_cut_enabled(width):
    """Two ``width``-bit numbers: a sum too narrow to split or to have tree stages."""
    m = Module()
    a, b = Signal(width), Signal(width)
    columns = [[a[i], b[i]] for i in range(width)]
    total = sum_columns(m, columns, width + 1, "ab", cuts=every_cut(m))
    pairs = [(x, y) for x in range(1 << width) for y in range(1 << width)]
    outputs = []

    async def bench(ctx):
        for x, y in pairs + [(0, 0)] * 3:
            ctx.set(a, x)
            ctx.set(b, y)
            outputs.append(ctx.get(total))
            await ctx.tick()

    settle(m, bench)
    assert outputs[3:] == [x + y for x, y in pairs]
    assert TREE_CUT_STAGES == 2  # the cut follows the second stage of a taller tree
