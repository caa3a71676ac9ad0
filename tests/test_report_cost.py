"""Area at equal frequency, the width crossover and the energy table, read from synthetic rows."""

from __future__ import annotations

import numpy as np

from smelu_hw import QFormat
from smelu_hw.liberty.pareto import Point
from smelu_hw.report.cost import at_clock, crossover, crossover_lines, equal_frequency_lines
from smelu_hw.report.frontier import equal_clock_lines, row_points
from smelu_hw.report.streams import ENERGY_STREAMS, ENERGY_VECTORS, energy_lines, stream_codes


def _row(unit: str, activation: str, bits: int, **columns: object) -> dict[str, object]:
    row = {
        "unit": f"{unit} {bits}b",
        "activation": activation,
        "bits": bits,
        "method": "",
        "accuracy": "",
        "beta": "",
    }
    row.update(columns)
    return row


def _timed(unit: str, activation: str, fmax: dict[int, float], **columns: object) -> dict[str, object]:
    row = _row(unit, activation, 16, **columns)
    for latency, mhz in fmax.items():
        row[f"fmax_ecp5_l{latency}"] = mhz
        row[f"fmax_ice40_l{latency}"] = mhz / 3
        row[f"logic_l{latency}"] = 1000 + 100 * latency
        row[f"flops_l{latency}"] = 20 * latency
    return row


def test_the_smallest_latency_that_meets_the_clock_and_its_area_with_registers():
    row = _timed("smelu b=2", "smelu", {0: 90.0, 1: 95.0, 2: 150.0, 3: 210.0, 4: 205.0}, beta=2.0)
    point = at_clock(row, "ecp5", 100.0)
    assert (point.latency, point.logic, point.flops, point.total) == (2, 1200, 40, 1200 + 40 * 16)
    assert at_clock(row, "ecp5", 200.0).latency == 3
    assert at_clock(row, "ecp5", 300.0) is None
    del row["logic_l2"]  # an unmeasured area is never read as zero
    assert at_clock(row, "ecp5", 100.0).latency == 3


def test_the_equal_frequency_table_names_what_misses_a_clock():
    rows = [
        _timed("smelu b=2", "smelu", {0: 120.0, 2: 250.0}, beta=2.0),
        _timed("gelu poly", "gelu", {0: 40.0, 2: 110.0}, method="poly"),
    ]
    text = "\n".join(equal_frequency_lines(rows, 16))
    # iCE40 reaches a third of the ECP5 figure here: 36.7 MHz misses 50 MHz.
    assert (
        "| gelu poly | not met (best 36.7 MHz) | L=2: 1,840 (1,200 + 40 FF) | not met (best 110.0 MHz) |"
        in text
    )
    assert (
        "| smelu b=2 | L=2: 1,840 (1,200 + 40 FF) | L=0: 1,000 (1,000 + 0 FF) | L=2: 1,840 (1,200 + 40 FF) |"
        in text
    )
    assert (
        "ecp5 at 200 MHz: the cheapest unit that meets it is smelu b=2 (1,840 transistors); "
        "smelu b=2 needs L=2 and 1,840 (no smooth unit meets it)." in text
    )
    assert "ecp5 at 100 MHz: the cheapest unit that meets it is smelu b=2 (1,000 transistors); " in text
    assert "smelu b=2 needs L=0 and 1,000, 0.54x the cheapest smooth unit (gelu poly, 1,840)" in text
    assert "Not met at any latency measured: gelu poly" in text


def test_the_crossover_takes_the_cheaper_smelu_method_and_separates_faithful_smooth_units():
    rows = [
        _row("smelu b=2", "smelu", 8, beta=2.0, transistors_both=622),
        _row("smelu rom b=2", "smelu", 8, beta=2.0, method="rom", transistors_both=700),
        _row("smelu faithful b=2", "smelu", 8, beta=2.0, accuracy="faithful", transistors_both=472),
        _row(
            "smelu rom faithful b=2",
            "smelu",
            8,
            beta=2.0,
            method="rom",
            accuracy="faithful",
            transistors_both=456,
        ),
        _row("smelu b=1", "smelu", 8, beta=1.0, transistors_both=300),  # another beta: not compared
        _row("gelu table", "gelu", 8, method="table", transistors_both=834),
        _row("softplus poly", "softplus", 8, method="poly", transistors_both=900),
        _row("gelu rom", "gelu", 8, method="rom", transistors_both=864),
    ]
    (point,) = crossover(rows)
    assert point.correct == ("smelu b=2", 622) and point.faithful == ("smelu rom faithful b=2", 456)
    assert point.any_method == ("gelu table", 834) and point.faithful_smooth == ("gelu rom", 864)
    text = "\n".join(crossover_lines(rows))
    assert (
        "| 8 | 622 (smelu b=2) | 456 (smelu rom faithful b=2) | 834 (gelu table) | 864 (gelu rom) | "
        "0.75 | 0.55 | 0.53 |" in text
    )
    assert (
        "At 8 bits the faithful SmeLU (b=2, the cheaper of arithmetic and table) costs 456 transistors, 0.55x"
        in text
    )


def _paretoed(unit: str, activation: str, points: dict[tuple[int, int | None], tuple[float, float]], **kw):
    """A 16-bit row with Pareto columns: (latency, target ps) -> (ns, µm²)."""
    row = _row(unit, activation, 16, **kw)
    for (latency, ps), (ns, um2) in points.items():
        name = "tnone" if ps is None else f"t{ps}"
        row[f"um2_l{latency}_{name}"], row[f"ns_l{latency}_{name}"] = um2, ns
        row[f"ff_l{latency}"] = 10 * latency
    return row


def test_the_equal_clock_table_gives_the_smallest_meeting_area_or_the_miss():
    r16 = _paretoed(
        "smelu b=2",
        "smelu",
        {
            (0, None): (2.7, 2500.0),
            (0, 1000): (2.5, 2600.0),
            (2, None): (1.9, 6000.0),
            (4, 1000): (1.2, 9000.0),
        },
        beta=2.0,
    )
    elu = _paretoed("elu poly", "elu", {(0, None): (3.9, 4500.0), (1, None): (3.5, 5000.0)}, method="poly")
    lines = equal_clock_lines([r16, elu], 16, "typ")
    assert lines[0] == "| unit (16-bit) | typ, 250 MHz | typ, 500 MHz | typ, 1000 MHz |"
    assert lines[2] == (
        "| smelu b=2 | 2,500 µm² at L=0 (2.70 ns) | 6,000 µm² at L=2 (1.90 ns) "
        "| misses: best 1.20 ns (L=4, 9,000 µm²) |"
    )
    assert lines[3] == (
        "| elu poly | 4,500 µm² at L=0 (3.90 ns) | misses: best 3.50 ns (L=1, 5,000 µm²) "
        "| misses: best 3.50 ns (L=1, 5,000 µm²) |"
    )
    assert "- 250 MHz on typ: the smallest unit that meets it is smelu b=2 (2,500 µm² at L=0)." in lines
    assert "- 1000 MHz on typ: no unit meets it at the latencies measured." in lines
    assert (
        "- 500 MHz on typ: the smallest unit that meets it is smelu b=2 (6,000 µm² at L=2). "
        "Missed at every latency measured: elu poly."
    ) in lines
    assert lines[-1] == (
        "- R16's clock targets on typ: 500 MHz at L <= 2 met: 6,000 µm² at L=2 (1.90 ns); "
        "1000 MHz at L <= 4 missed: best 1.20 ns (L=4, 9,000 µm²)."
    )
    assert row_points(r16)[1] == Point(0, 1000, 2.5, 2600.0, 0)
    assert equal_clock_lines([_row("relu", "relu", 16)], 16, "typ") == []


def test_the_crossover_in_square_microns_reads_the_liberty_column():
    rows = [
        _row("smelu b=2", "smelu", 16, beta=2.0, transistors_both=1900, um2_both=2511.0),
        _row("elu poly", "elu", 16, method="poly", transistors_both=4000, um2_both=4555.0),
    ]
    lines = crossover_lines(rows, "um2_both", "µm²")
    assert (
        "| 16 | 2,511 (smelu b=2) | n/a | 4,555 (elu poly) | 4,555 (elu poly) | 0.55 | n/a | n/a |" in lines
    )
    assert crossover_lines([{**row, "um2_both": ""} for row in rows], "um2_both", "µm²") == []


def test_the_energy_table_carries_every_stream_and_the_target_from_the_numbers():
    smelu = _row("smelu b=2", "smelu", 16, beta=2.0, pj_both=1.0, pj_digits_both=0.2, pj_digits_fwd=0.1)
    elu = _row("elu table", "elu", 16, method="table", pj_both=1.25, pj_digits_both=1.0, pj_digits_fwd=0.2)
    gelu = _row("gelu poly", "gelu", 16, method="poly", pj_both=2.0, pj_digits_both=2.0)
    lines = energy_lines([smelu, elu, gelu, _row("relu", "relu", 8, pj_both=0.1)], 16, "corner C")
    assert lines[2:4] == ["| unit | digits fwd | digits fwd+grad | uniform fwd+grad |", "|---|---|---|---|"]
    assert "corner C at 250 MHz" in lines[0] and "digits network's" in lines[0] and "Gaussian" not in lines[0]
    assert "| gelu poly | n/a | 2.000 | 2.000 |" in lines
    assert (
        "- digits pre-activations, forward: the cheapest smooth unit is elu table (0.200 pJ); "
        "smelu b=2 0.100 pJ (0.50x)." in lines
    )
    assert (
        "- Target: SmeLU b=2 on the digits pre-activations, forward + gradient, at most 0.25x the "
        "cheapest smooth unit at the same clock: 0.20x, met." in lines
    )
    assert lines[-1].startswith(
        "- uniform, forward + gradient: the cheapest smooth unit is elu table (1.250 pJ)"
    )
    assert energy_lines([smelu], 8, "C") == []


def test_the_energy_streams_are_codes_of_the_unit_format():
    for fmt in (QFormat(16, 8), QFormat(8, 4)):
        streams = {stream: stream_codes(stream, fmt) for stream in ENERGY_STREAMS}
        for codes in streams.values():
            assert (
                codes.shape == (ENERGY_VECTORS,)
                and fmt.min_code <= codes.min() <= codes.max() <= fmt.max_code
            )
        assert 1.8 < streams["gauss"].std() / 2**fmt.frac < 2.2  # sigma = beta of R16
    wide, narrow = stream_codes("digits", QFormat(16, 8)), stream_codes("digits", QFormat(8, 4))
    assert np.array_equal(narrow, np.clip(np.rint(wide / 16), -128, 127))  # requantized, saturated
