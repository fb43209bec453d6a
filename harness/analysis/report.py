"""The plots and the HTML page of `compete explain`: matplotlib (Agg) figures embedded in a jinja2 page
under `reports/<slug>/explain/<kernel>/` (index.html and one PNG a plot)."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.workspace import Workspace

if TYPE_CHECKING:
    from harness.analysis.explain import Explanation
    from harness.kernels import KernelInfo

TEMPLATES = Path(__file__).resolve().parent / "templates"


def report_dir(ws: Workspace, info: KernelInfo) -> Path:
    stem = info.path.stem if info.in_workspace else f"{info.path.stem}-own"
    return ws.reports_dir(info.competition) / "explain" / stem


def write_report(ws: Workspace, info: KernelInfo, e: Explanation) -> Path:
    """Write the plots and index.html; return the page's path."""
    import jinja2

    folder = report_dir(ws, info)
    folder.mkdir(parents=True, exist_ok=True)
    plots = {name: _save(folder, name, figure) for name, figure in _figures(e).items()}
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, undefined=jinja2.StrictUndefined
    )
    page = env.get_template("explain.html.j2").render(e=e, plots=_Plots(plots))
    path = folder / "index.html"
    path.write_text(page, encoding="utf-8")
    return path


class _Plots(dict[str, str]):
    """Plots by name, as base64 PNG; a missing one is empty (the page leaves its image out)."""

    def __getattr__(self, name: str) -> str:
        return self.get(name, "")


def _save(folder: Path, name: str, figure: Any) -> str:
    import io

    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    plt.close(figure)
    data = buffer.getvalue()
    (folder / f"{name}.png").write_bytes(data)
    return base64.b64encode(data).decode("ascii")


def _figures(e: Explanation) -> dict[str, Any]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figures: dict[str, Any] = {}
    if e.importances:
        fig, ax = plt.subplots(figsize=(7, 0.4 * len(e.importances) + 1.5))
        names = [i.column for i in e.importances][::-1]
        means = [i.mean for i in e.importances][::-1]
        spread = [i.std for i in e.importances][::-1]
        ax.barh(names, means, xerr=spread, color="#6a8caf", capsize=3)
        for y, imp in enumerate(e.importances[::-1]):
            ax.plot(imp.folds, [y] * len(imp.folds), "k.", alpha=0.5)
        ax.axvline(0, color="k", linewidth=0.8)
        ax.set_xlabel(f"loss of {e.metric} when shuffled (per fold: dots)")
        ax.set_title("Permutation importance")
        figures["importance"] = fig
    if e.ablations:
        fig, ax = plt.subplots(figsize=(7, 0.4 * len(e.ablations) + 1.5))
        labels = [", ".join(a.dropped) for a in e.ablations][::-1]
        means = [a.paired.mean for a in e.ablations][::-1]
        low = [a.paired.mean - a.paired.ci_low for a in e.ablations][::-1]
        high = [a.paired.ci_high - a.paired.mean for a in e.ablations][::-1]
        ax.barh(labels, means, xerr=[low, high], color="#af8c6a", capsize=3)
        ax.axvline(0, color="k", linewidth=0.8)
        ax.set_xlabel(f"{e.metric} gain without the column(s) (95% bootstrap interval)")
        ax.set_title("Ablations")
        figures["ablation"] = fig
    if e.curve and e.curve.points:
        fig, ax = plt.subplots(figsize=(7, 4))
        rows = [p.rows for p in e.curve.points]
        for key, label in (("fit", "fit (training rows)"), ("valid", "validation (held out)")):
            mean = [getattr(p, f"{key}_mean") for p in e.curve.points]
            std = [getattr(p, f"{key}_std") for p in e.curve.points]
            ax.errorbar(rows, mean, yerr=std, marker="o", capsize=3, label=label)
        ax.set_xlabel("training rows per fold")
        ax.set_ylabel(e.metric)
        ax.set_title("Learning curve")
        ax.legend()
        figures["learning_curve"] = fig
    if e.worst_rows:
        fig, ax = plt.subplots(figsize=(7, 3))
        ax.bar(range(1, len(e.worst_rows) + 1), [r["loss"] for r in e.worst_rows], color="#af6a6a")
        ax.set_xlabel("worst rows, in order")
        ax.set_ylabel(e.loss)
        ax.set_title("Worst out-of-fold rows")
        figures["worst_rows"] = fig
    if e.shift and e.shift.features:
        fig, ax = plt.subplots(figsize=(7, 0.4 * len(e.shift.features) + 1.5))
        ax.barh(
            [c for c, _ in e.shift.features][::-1], [g for _, g in e.shift.features][::-1], color="#8caf6a"
        )
        ax.set_xlabel("share of the split gain telling train from test")
        ax.set_title(f"Adversarial validation: AUC {e.shift.auc:.3f}")
        figures["shift"] = fig
    return figures
