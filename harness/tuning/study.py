"""A study's identity: which kernel (and which version of its file), on which competition, folds and
metric it tunes; created once, resumed only when all of that still holds.

The identity is kept in the study's user attributes, so `optuna.load_study` and optuna-dashboard show
it too:

    compete.kernel          titanic/lgbm-features
    compete.kernel_sha256   SHA-256 of the kernel file when the study was created (or last accepted)
    compete.competition     titanic
    compete.metric          accuracy
    compete.direction       maximize
    compete.folds           5
    compete.folds_sha256    SHA-256 of every fold's validation rows: the scheme, k, seed and train data
    compete.scheme          stratified

Trials of a changed kernel file, or on other folds, would not be comparable with the old ones, so a
resume is refused; a new study (`--study NAME`) or `--accept-changes` is the way out.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from harness.errors import TuningError, UnknownName
from harness.workspace import Workspace

if TYPE_CHECKING:
    import optuna

    from harness.kernels import Kernel

PREFIX = "compete."
DEFAULTS_ATTR = "defaults"  # a trial's user attribute: it ran the kernel's own PARAMS
INTERRUPTED_ATTR = "interrupted"  # a trial's user attribute: stopped by Ctrl-C, not by the kernel
ERROR_ATTR = "error"
FOLD_SCORES_ATTR = "fold_scores"
WORKER_ATTR = "worker"  # host:pid of the process that ran the trial
PATH_ATTR = (
    PREFIX + "kernel_path"
)  # where the kernel file was: a kernel outside kernels/ has no name to find it by


@dataclass(frozen=True)
class Identity:
    """What a study tunes, and on what."""

    kernel: str
    kernel_sha256: str
    competition: str
    metric: str
    direction: str  # "maximize" or "minimize"
    folds: int
    folds_sha256: str
    scheme: str

    def as_attrs(self) -> dict[str, Any]:
        return {PREFIX + key: value for key, value in asdict(self).items()}

    @classmethod
    def from_attrs(cls, attrs: dict[str, Any]) -> Identity | None:
        """The identity kept in a study's user attributes; None for a study compete did not make."""
        try:
            return cls(**{name: attrs[PREFIX + name] for name in cls.__dataclass_fields__})
        except KeyError:
            return None


def identify(ws: Workspace, kernel: Kernel, folds: int | None) -> Identity:
    """The identity of tuning `kernel` on `folds` folds (None: the card's). Raises NotPrepared."""
    from harness.competition import load_card
    from harness.folds import make_folds
    from harness.kernels import load_public
    from harness.metrics import get as get_metric

    card = load_card(ws, kernel.info.competition)
    train, _ = load_public(ws, card)
    plan = make_folds(card, train, folds)
    digest = hashlib.sha256()
    for fold in plan:
        digest.update(fold.valid_rows.astype("int64").tobytes())
        digest.update(b"|")
    return Identity(
        kernel=kernel.name,
        kernel_sha256=file_sha256(kernel.info.path),
        competition=card.slug,
        metric=card.metric,
        direction="maximize" if get_metric(card.metric).greater_is_better else "minimize",
        folds=len(plan),
        folds_sha256=digest.hexdigest(),
        scheme=card.cv.scheme,
    )


def file_sha256(path: Any) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def create_or_resume(
    storage: Any,
    name: str,
    identity: Identity,
    defaults: dict[str, Any],
    *,
    kernel_path: str,
    accept_changes: bool = False,
) -> tuple[optuna.Study, bool]:
    """Create the study `name` (its first trial queued with the kernel's default PARAMS), or resume it.

    Returns the study and whether it was created now. Raises TuningError when the name belongs to a
    study of another kernel or competition, or (unless `accept_changes`) when the kernel file or the
    folds changed since the study was created.
    """
    import optuna

    existing = {s.study_name: s for s in storage.get_all_studies()}
    if name not in existing:
        try:
            study = optuna.create_study(storage=storage, study_name=name, direction=identity.direction)  # type: ignore[arg-type]
        except optuna.exceptions.DuplicatedStudyError:  # another worker made it meanwhile
            study = optuna.load_study(study_name=name, storage=storage)
        else:
            for key, value in identity.as_attrs().items():
                study.set_user_attr(key, value)
            study.set_user_attr(PATH_ATTR, kernel_path)
            study.enqueue_trial(defaults, user_attrs={DEFAULTS_ATTR: True}, skip_if_exists=True)
            return study, True
    study = optuna.load_study(study_name=name, storage=storage)
    check_resumable(study, identity, accept_changes=accept_changes)
    if study.user_attrs.get(PATH_ATTR) != kernel_path:
        study.set_user_attr(PATH_ATTR, kernel_path)
    return study, False


def check_resumable(study: optuna.Study, identity: Identity, *, accept_changes: bool = False) -> None:
    """Refuse to add trials of `identity` to `study` when they would not compare with its trials."""
    stored = Identity.from_attrs(study.user_attrs)
    name = study.study_name
    if stored is None:
        raise TuningError(
            f"study {name!r} was not made by compete tune (it lacks its kernel and folds); "
            "choose another name with --study NAME."
        )
    if stored.kernel != identity.kernel or stored.competition != identity.competition:
        raise TuningError(
            f"study {name!r} tunes {stored.kernel}, not {identity.kernel}; "
            f"choose another name with --study NAME, or run `compete tune {stored.kernel}`."
        )
    changes = []
    if stored.kernel_sha256 != identity.kernel_sha256:
        changes.append(f"the kernel file {identity.kernel} changed since the study began")
    if stored.folds != identity.folds or stored.folds_sha256 != identity.folds_sha256:
        changes.append(
            f"the folds changed ({stored.folds} {stored.scheme} folds then, {identity.folds} "
            f"{identity.scheme} folds of the current train.csv now)"
        )
    if stored.metric != identity.metric or stored.direction != identity.direction:
        changes.append(f"the metric changed ({stored.metric} then, {identity.metric} now)")
    if not changes:
        return
    if stored.metric != identity.metric or stored.direction != identity.direction or not accept_changes:
        raise TuningError(
            f"study {name!r} cannot be resumed: {'; '.join(changes)}, so its old trials would not compare "
            "with new ones. Start a new study with --study NEW-NAME, or pass --accept-changes to go on "
            "regardless."
        )
    for key, value in identity.as_attrs().items():
        study.set_user_attr(key, value)


def kernel_ref(study: optuna.Study, identity: Identity) -> str:
    """How to load a study's kernel: its file where that still exists, else its name."""
    from pathlib import Path

    path = study.user_attrs.get(PATH_ATTR)
    return path if isinstance(path, str) and Path(path).is_file() else identity.kernel


def find(ws: Workspace, name: str, storage_url: str | None) -> tuple[optuna.Study, Identity]:
    """The study called `name`: in `storage_url`, or else in any competition's local journal.

    Raises UnknownName (listing the studies there are) or TuningError for a study compete did not make.
    """
    import optuna

    from harness.competition import competition_names
    from harness.tuning.storage import default_path, open_storage

    if storage_url is not None:
        places = [open_storage(storage_url, ws, "")]
    else:
        places = [
            open_storage(None, ws, slug) for slug in competition_names(ws) if default_path(ws, slug).is_file()
        ]
    known: list[str] = []
    for storage in places:
        names = [s.study_name for s in storage.get_all_studies()]
        if name in names:
            study = optuna.load_study(study_name=name, storage=storage)
            identity = Identity.from_attrs(study.user_attrs)
            if identity is None:
                raise TuningError(f"study {name!r} was not made by compete tune; open it with optuna itself.")
            return study, identity
        known += names
    hint = "Start one with `compete tune KERNEL`." if not known else ""
    if storage_url is None:
        hint += " A study in a database needs --storage URL."
    raise UnknownName("study", name, sorted(known), hint=hint.strip())
