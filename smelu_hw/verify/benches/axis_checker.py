"""The checker of the AXI4-Stream bench: every output beat equals
:func:`~smelu_hw.models.engine.engine_results` of its input beat (a beat of
``reserved_result`` for a reserved mode), carries its input beat's TUSER, and every frame
keeps its length (TLAST); and the design accepted exactly the beats that were sent."""

from __future__ import annotations

import numpy as np
from cocotbext.axi import AxiStreamFrame

from ...models import Activation
from ...models.engine import engine_results
from ..compare import MAX_REPORTED
from .axis_frames import AxisFormat, Beat

__all__ = ["AxisChecker", "check_summary"]


class AxisChecker:
    """Compares what an engine sent back with the golden model of what it was sent.

    Parameters
    ----------
    model : Activation
        The golden model of the engine's activation.
    wire : AxisFormat
        The engine's beat layout.
    """

    def __init__(self, model: Activation, wire: AxisFormat) -> None:
        self._model, self._wire = model, wire

    def expected(self, beat: Beat) -> list[int]:
        """The lane results of ``beat``."""
        if self._wire.mode_names[beat.mode] == "reserved":
            return [self._wire.reserved_result] * self._wire.lanes
        return engine_results(self._model, beat.mode, np.array(beat.x), np.array(beat.g)).tolist()

    def compare(self, sent: list[list[Beat]], received: list[AxiStreamFrame]) -> dict[str, object]:
        """Compare received frames with the model of the sent ones; a summary of what was compared."""
        wire = self._wire
        records: list[list[object]] = []
        vectors = dict.fromkeys(("forward", "gradient", "backward", "reserved"), 0)
        counts = {"results": 0, "tuser": 0, "tlast": 0, "tkeep": 0, "frames": 0}

        def mismatch(kind: str, *record: object) -> None:
            counts[kind] += 1
            if len(records) < MAX_REPORTED:
                records.append(list(record))

        if len(received) != len(sent):
            mismatch("frames", None, "frames received", len(received), len(sent))
        position = 0  # beats sent before this frame
        for index, (beats, frame) in enumerate(zip(sent, received, strict=False)):
            rows, users = wire.results(frame)
            if wire.keep and not all(frame.tkeep):
                mismatch("tkeep", None, f"m_axis_tkeep of frame {index} (from beat {position})", 0, 1)
            if len(rows) != len(beats) or len(frame.tdata) % wire.out_bytes:
                got = len(frame.tdata) / wire.out_bytes
                field = f"beats in frame {index} (from beat {position}; TLAST)"
                mismatch("tlast", None, field, got, len(beats))
            for offset, (beat, row, user) in enumerate(zip(beats, rows, users, strict=False)):
                name, at = wire.mode_names[beat.mode], f"frame {index}, beat {position + offset}"
                vectors[name] += wire.lanes
                if user != wire.tuser(beat):
                    mismatch("tuser", None, f"m_axis_tuser of {at}", user, wire.tuser(beat))
                for lane, (x, got, want) in enumerate(zip(beat.x, row, self.expected(beat), strict=True)):
                    if got != want:
                        mismatch("results", x, f"{name} (lane {lane}, {at})", got, want)
            position += len(beats)
        checked = [beats for beats, _ in zip(sent, received, strict=False)]
        return {
            "frames": len(checked),
            "single_beat_frames": sum(len(beats) == 1 for beats in checked),
            "multi_beat_frames": sum(len(beats) > 1 for beats in checked),
            "beats": sum(map(len, checked)),
            "vectors": vectors,
            "user_values": len({beat.user for beats in checked for beat in beats}),
            "mismatch_count": sum(counts.values()),
            "per_kind": counts,
            "mismatches": records,
        }

    def accept_mismatches(self, sent: list[list[Beat]], frames: list[AxiStreamFrame]) -> int:
        """Frames seen accepted on ``s_axis`` that differ from those sent (+ count error)."""
        wanted = [self._wire.frame(beats) for beats in sent]
        return abs(len(frames) - len(wanted)) + sum(
            bytes(got.tdata) != bytes(want.tdata) or list(got.tuser) != list(want.tuser)
            for got, want in zip(frames, wanted, strict=False)
        )


def check_summary(summary: dict[str, object]) -> None:
    """Fail the test unless the summary of :meth:`AxisChecker.compare` shows every mode
    compared and no mismatch."""
    vectors = summary["vectors"]
    assert summary["mismatch_count"] == 0, f"{summary['per_kind']}: {summary['mismatches'][:3]}"
    assert summary["frames"] > 0 and summary["beats"] > 0, "the bench compared nothing"
    assert all(count > 0 for count in vectors.values()), f"a mode was never compared: {vectors}"
