"""The timing harness, by simulation: ``dout`` is the parity of every unit output bit, a fixed
number of cycles later, through its registered parity tree."""

from __future__ import annotations

import random
from collections.abc import Mapping

import pytest
from amaranth.hdl import Module, Signal, Value
from amaranth.sim import Simulator

from smelu_hw import QFormat, ReLUSpec
from smelu_hw.hw.arith import Pipe
from smelu_hw.hw.harness import FANIN, TimingHarness, parity_levels
from smelu_hw.hw.rational import ReLUUnit

SPEC = ReLUSpec(fmt=QFormat(8, 4))
CYCLES = 120


class FlippableReLU(ReLUUnit):
    """ReLU whose datapath outputs are XORed with ``flip``, a signal the testbench drives."""

    def __init__(self, spec: ReLUSpec, **kwargs: object) -> None:
        super().__init__(spec, **kwargs)
        self.flip = Signal(len(self.y) + len(self.dy), name="flip")

    def datapath(self, m: Module, x: Value, cuts: Mapping[str, Pipe]) -> tuple[Value, Value]:
        y, dy = super().datapath(m, x, cuts)
        return y ^ self.flip[: len(self.y)], dy ^ self.flip[len(self.y) :]


def parity(value: int) -> int:
    return bin(value).count("1") & 1


def simulate(harness: TimingHarness, dins: list[int], flips: list[int] | None = None) -> dict[str, list[int]]:
    """Drive ``din`` (and the unit's ``flip``) for one cycle each; after every clock edge record
    ``dout``, the unit's input code and the parity of all its output ports."""
    unit = harness.unit
    ports = [unit.y] + ([unit.dy] if unit.with_grad else []) + ([unit.out_valid] if unit.latency else [])
    trace: dict[str, list[int]] = {"dout": [], "x": [], "y": [], "dy": [], "parity": []}

    async def bench(ctx):
        for cycle, din in enumerate(dins):
            ctx.set(harness.din, din)
            if flips is not None:
                ctx.set(unit.flip, flips[cycle])
            await ctx.tick()
            trace["dout"].append(ctx.get(harness.dout))
            trace["x"].append(ctx.get(unit.x))
            if unit.with_grad:
                trace["y"].append(ctx.get(unit.y))
                trace["dy"].append(ctx.get(unit.dy))
            bits = [ctx.get(port) & ((1 << len(port)) - 1) for port in ports]
            trace["parity"].append(sum(parity(value) for value in bits) & 1)

    sim = Simulator(harness)
    sim.add_clock(1e-6)
    sim.add_testbench(bench)
    sim.run()
    return trace


@pytest.mark.parametrize(
    ("width", "levels"), [(1, 0), (2, 1), (4, 1), (5, 2), (16, 2), (17, 3), (64, 3), (65, 4)]
)
def test_parity_levels(width, levels):
    assert FANIN == 4
    assert parity_levels(width) == levels


@pytest.mark.parametrize("latency", [0, 2])
@pytest.mark.parametrize("seed", [1, 2])
def test_dout_is_the_parity_of_the_unit_outputs_a_fixed_delay_later(latency, seed):
    rng = random.Random(seed)
    harness = TimingHarness(ReLUUnit(SPEC, latency=latency))
    assert harness.delay == 3  # captured, then 13 (+ out_valid) bits -> 4 -> 1
    trace = simulate(harness, [rng.getrandbits(1) for _ in range(CYCLES)])
    delay = harness.delay
    assert trace["dout"][delay:] == trace["parity"][:-delay]
    assert 0 < sum(trace["dout"]) < CYCLES - delay  # the parities compared are not constant
    # The unit computes ReLU of the shifted-in code, `latency` cycles later.
    for x, y, dy in zip(
        trace["x"][: CYCLES - latency], trace["y"][latency:], trace["dy"][latency:], strict=True
    ):
        assert (y, dy) == (max(x, 0), (x > 0) << SPEC.grad_frac)


@pytest.mark.parametrize("latency", [0, 2])
def test_flipping_any_output_bit_flips_dout(latency):
    rng = random.Random(latency)
    reference, flipped = (TimingHarness(FlippableReLU(SPEC, latency=latency)) for _ in range(2))
    bits, spacing = len(flipped.unit.flip), 4
    # A flip enters the unit's datapath after its input register, so it reaches the output
    # ports max(latency - 1, 0) cycles later, and dout `delay` cycles after that.
    delay = flipped.delay + max(latency - 1, 0)
    dins = [rng.getrandbits(1) for _ in range(spacing * (bits + 2))]
    flips = [0] * len(dins)
    for bit in range(bits):  # one bit flipped for one cycle, every `spacing` cycles
        flips[spacing * (bit + 1)] = 1 << bit
    plain, changed = simulate(reference, dins)["dout"], simulate(flipped, dins, flips)["dout"]
    differs = [cycle for cycle, (a, b) in enumerate(zip(plain, changed, strict=True)) if a != b]
    # The flip set before clock edge c is recorded after it, at index c.
    assert differs == [spacing * (bit + 1) - 1 + delay for bit in range(bits)]


@pytest.mark.parametrize("width", [1, 3, 16])
def test_bare_harness_reduces_the_shift_register(width):
    rng = random.Random(width)
    harness = TimingHarness.bare(width)
    assert harness.delay == 1 + parity_levels(width)
    dins = [rng.getrandbits(1) for _ in range(60)]
    trace = simulate(harness, dins)
    # After the edge of cycle n the shift register holds din[n - width + 1 .. n].
    expected = [sum(dins[max(n - width + 1, 0) : n + 1]) & 1 for n in range(len(dins))]
    assert trace["parity"] == expected
    assert trace["dout"][harness.delay :] == expected[: -harness.delay]


def test_bare_harness_needs_a_positive_width():
    with pytest.raises(ValueError, match="^width must be a positive integer, not 0$"):
        TimingHarness.bare(0)
