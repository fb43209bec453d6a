"""A study's plots, from optuna's own matplotlib visualisations: the optimisation history, the
parameter importances and one slice per parameter. Each is written as a PNG file, and all of them
into one self-contained HTML page (images embedded as base64) made from a jinja2 template, under
`reports/<slug>/studies/<name>/`.
"""

from __future__ import annotations

import base64
import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.workspace import Workspace

if TYPE_CHECKING:
    import optuna

    from harness.tuning.summary import StudyDetail

TEMPLATE = "study.html.j2"


def write_plots(ws: Workspace, study: optuna.Study, detail: StudyDetail) -> StudyDetail:
    """Write the plots and the page; return `detail` with their paths."""
    from harness.tuning.summary import report_dir

    folder = report_dir(ws, detail.identity.competition, detail.summary.name)
    folder.mkdir(parents=True, exist_ok=True)
    paths: dict[str, str] = {}
    for label, draw in _plots(study, detail).items():
        path = folder / f"{label}.png"
        if _save(draw, path):
            paths[label] = str(path)
    page = folder / "index.html"
    page.write_text(_page(detail, paths), encoding="utf-8")
    return dataclasses.replace(detail, plots=paths, page=str(page))


def _plots(study: optuna.Study, detail: StudyDetail) -> dict[str, Any]:
    from optuna.visualization import matplotlib as vis

    plots: dict[str, Any] = {"history": lambda: vis.plot_optimization_history(study)}
    if detail.importances:
        plots["importances"] = lambda: vis.plot_param_importances(study)
    if detail.summary.trials:
        plots["slices"] = lambda: vis.plot_slice(study)
    return plots


def _save(draw: Any, path: Path) -> bool:
    """Draw one plot (optuna returns Axes, or an array of them) into `path`; False if it cannot be drawn."""
    import warnings

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            axes = draw()
    except (ValueError, RuntimeError):
        plt.close("all")
        return False
    first = np.asarray(axes).ravel()[0]
    figure = first.get_figure()
    figure.savefig(path, dpi=90, bbox_inches="tight")
    plt.close("all")
    return True


def _page(detail: StudyDetail, paths: dict[str, str]) -> str:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    images = {
        label: base64.b64encode(Path(path).read_bytes()).decode("ascii") for label, path in paths.items()
    }
    return env.get_template(TEMPLATE).render(detail=detail, summary=detail.summary, images=images)
