"""The reports' figures, drawn with matplotlib on the non-interactive Agg backend, as PNG bytes."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _png(fig: Any) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    _pyplot().close(fig)
    return buffer.getvalue()


def shakeup(rows: Sequence[Any], metric: str) -> bytes:
    """Public against private score of every submission, the diagonal drawn, the finals marked."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5.5, 5))
    points = [r for r in rows if r.private_score is not None]
    for kind, marker, color in (("participant", "o", "#1f77b4"), ("reference", "s", "#7f7f7f")):
        chosen = [r for r in points if r.kind == kind]
        if chosen:
            ax.scatter(
                [r.public_score for r in chosen],
                [r.private_score for r in chosen],
                marker=marker,
                color=color,
                alpha=0.7,
                label=kind,
            )
    finals = [r for r in points if r.final]
    if finals:
        ax.scatter(
            [r.public_score for r in finals],
            [r.private_score for r in finals],
            s=160,
            facecolors="none",
            edgecolors="#d62728",
            linewidths=2,
            label="final",
        )
    values = [r.public_score for r in points] + [r.private_score for r in points]
    if values:
        low, high = min(values), max(values)
        pad = (high - low) * 0.05 or 0.01
        ax.plot(
            [low - pad, high + pad], [low - pad, high + pad], "--", color="#999999", label="public = private"
        )
    ax.set_xlabel(f"public {metric}")
    ax.set_ylabel(f"private {metric}")
    ax.set_title("Shake-up: public against private")
    ax.legend(loc="best", fontsize=8)
    return _png(fig)


def cv_against_boards(points: Sequence[dict[str, Any]], metric: str) -> bytes:
    """CV against the public score and against the private one, one panel each."""
    plt = _pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(9, 4), sharex=True)
    for ax, board in zip(axes, ("public", "private"), strict=True):
        xs = [p["cv"] for p in points if p[board] is not None]
        ys = [p[board] for p in points if p[board] is not None]
        ax.scatter(xs, ys, color="#2ca02c")
        if xs:
            low, high = min(xs + ys), max(xs + ys)
            ax.plot([low, high], [low, high], "--", color="#999999")
        ax.set_xlabel(f"CV {metric}")
        ax.set_ylabel(f"{board} {metric}")
        ax.set_title(f"CV against {board}")
    return _png(fig)


def reliability(calibration: Any) -> bytes:
    """The reliability curve: observed frequency against predicted probability, per bin."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5, 5))
    ax.plot([0, 1], [0, 1], "--", color="#999999", label="perfectly calibrated")
    bins = calibration.bins
    ax.plot(
        [b.confidence for b in bins], [b.observed for b in bins], "o-", color="#9467bd", label="submission"
    )
    ax.set_xlabel(calibration.what)
    ax.set_ylabel("observed frequency")
    ax.set_title(f"Reliability (ECE {calibration.ece:.3f})")
    ax.legend(loc="upper left", fontsize=8)
    return _png(fig)


def progression(points: Sequence[dict[str, Any]], metric: str) -> bytes:
    """CV, public and private score of each submission in the order they were made."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 4))
    xs = list(range(1, len(points) + 1))
    for key, style in (("cv", "s-"), ("public", "o-"), ("private", "^-")):
        ys = [p.get(key) for p in points]
        if any(y is not None for y in ys):
            ax.plot(
                [x for x, y in zip(xs, ys, strict=True) if y is not None],
                [y for y in ys if y is not None],
                style,
                label=key,
            )
    ax.set_xticks(xs, [p["ref"] for p in points], rotation=60, fontsize=7)
    ax.set_ylabel(metric)
    ax.set_title("Score progression")
    ax.legend(loc="best", fontsize=8)
    return _png(fig)
