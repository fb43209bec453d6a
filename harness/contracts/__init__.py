"""The contracts a kernel and a theory note meet, as checks anyone can run on their own files.

The project's tests hold its declared reference kernels and notes to these checks (and a few more of
their own); `compete kernels check` and `compete theory --check` run the same checks on a learner's
kernel or note, so a file of one's own is checked like the project's without ever breaking its tests.
"""

from __future__ import annotations

from harness.contracts.kernel import check_kernel
from harness.contracts.note import check_note, example_score

__all__ = ["check_kernel", "check_note", "example_score"]
