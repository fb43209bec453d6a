"""The part of a traceback that a learner can act on: the frames of their own file.

A kernel that raises inside `fit_predict` is called through the harness and raises from inside
pandas or scikit-learn, so its whole traceback is mostly frames of neither the learner's making
nor their concern. `own_frames` keeps the frames in the kernel's file, with their line numbers and
source lines; `compete --debug` shows the whole traceback instead.
"""

from __future__ import annotations

import traceback
from pathlib import Path

DEBUG_HINT = "(`compete --debug ...` shows the whole traceback)"


def own_frames(exc: BaseException, path: Path) -> str:
    """The frames of `exc`'s traceback that run in the file at `path`, formatted as Python does
    (each with its line), as text that starts on a new line; empty when there are none."""
    wanted = str(path)
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == wanted]
    if not frames:
        return ""
    lines = "".join(traceback.format_list(frames)).rstrip("\n")
    return f"\n{lines}\n{DEBUG_HINT}"
