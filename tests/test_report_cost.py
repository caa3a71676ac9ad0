"""Area at equal frequency and the width crossover, read from synthetic rows."""

from __future__ import annotations

from smelu_hw.report.cost import at_clock, crossover, crossover_lines, equal_frequency_lines


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
