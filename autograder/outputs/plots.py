"""The reports' pictures, drawn with matplotlib as PNG bytes.

matplotlib (the `reports` extra) is imported only when a report is drawn: grading never needs
it. Figures are made without pyplot, so threads share no global state, and without the PNG's
software stamp, so the same data always gives the same bytes.
"""

import functools
import importlib.util
import io
import math

from autograder.grading.curves import LossCurve
from autograder.grading.exercise import Curve

STUDENT, REFERENCE, PARTING = "#1f6feb", "#8c959f", "#cf222e"


def available() -> bool:
    return importlib.util.find_spec("matplotlib") is not None


def _figure(width: float, height: float):
    """Margins of its own, not matplotlib's constrained layout, which took a third of a
    drawing's time to find much the same ones."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=100)
    figure.subplots_adjust(left=0.115, right=0.97, bottom=0.13, top=0.91)
    return figure


def _png(figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def loss_curve(curve: LossCurve) -> bytes:
    """The student's loss per epoch over the reference's from the same start, a dotted line
    where they part. Each curve is drawn once: most of a class's are the same (every
    submission that follows the reference, or fails alike), and a drawing takes some 0.1 s of
    CPU, more than the rest of a report (a batch of 200: 189 curves, 23 of them different)."""
    return _loss_curve(curve.student, curve.reference, curve.spec)


@functools.lru_cache(maxsize=64)
def _loss_curve(student: tuple, reference: tuple, spec: Curve) -> bytes:
    curve = LossCurve(student, reference, spec)
    figure = _figure(7.0, 3.8)
    axes = figure.add_subplot()
    # a broad pale band under the student's line: where they agree, both stay visible
    axes.plot(range(1, len(curve.reference) + 1), curve.reference, color=REFERENCE, lw=7,
              alpha=0.45, solid_capstyle="butt", label="reference run, same start")
    mine = [math.nan if v is None else v for v in curve.student]
    axes.plot(range(1, len(mine) + 1), mine, color=STUDENT, lw=1.8, marker="." if
              len(mine) < 3 else None, label=curve.spec.runs)
    if curve.parts_at is not None:
        axes.axvline(curve.parts_at, color=PARTING, ls=":", lw=1.8, label=curve.parting)
    shown = [v for v in (*curve.reference, *mine) if math.isfinite(v)]
    if shown and min(shown) > 0:
        axes.set_yscale("log")  # the loss falls by orders of magnitude; a runaway one rises
    axes.set(xlabel="epoch", ylabel="loss (mean squared error)", xlim=(0, len(curve.reference) + 1))
    axes.set_title(f"Loss over {len(curve.reference)} epochs from the same starting weights")
    axes.grid(alpha=0.3)
    axes.legend(loc="best", fontsize="small")
    return _png(figure)


def histogram(bands: list[tuple[float, float, int]]) -> bytes:
    """A bar per band of scores (low, high, students): the class summary's own bands."""
    from matplotlib.ticker import MaxNLocator

    figure = _figure(6.4, 3.4)
    axes = figure.add_subplot()
    axes.bar([low for low, _, _ in bands], [n for _, _, n in bands],
             width=[high - low for low, high, _ in bands], align="edge", color=STUDENT,
             edgecolor="white")
    axes.set(xlabel="score", ylabel="students", xlim=(bands[0][0], bands[-1][1]),
             title=f"Scores of {sum(n for _, _, n in bands)} submissions")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.grid(axis="y", alpha=0.3)
    return _png(figure)
