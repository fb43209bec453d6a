"""The contract every competition folder meets: built-in ones here, authored ones through `compete check`."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from harness import schemas, store, vault
from harness.competition import competition_names, load_card
from harness.errors import SchemaViolation
from harness.prepare import PUBLIC_FILES, prepare
from harness.workspace import Workspace
from tests.conftest import REPO, make_workspace

BUILT_IN = competition_names(Workspace(REPO))


def test_there_are_at_least_six_built_in_competitions() -> None:
    assert len(BUILT_IN) >= 6, BUILT_IN


@pytest.mark.parametrize("slug", BUILT_IN)
class TestCompetitionContract:
    def test_card_loads_and_declares_its_files(self, slug: str) -> None:
        card = load_card(Workspace(REPO), slug)
        assert card.slug == slug
        for name in ("schema.py", "prepare.py", "description.md"):
            assert (card.folder / name).is_file(), name
        description = (card.folder / "description.md").read_text()
        assert card.metric in description or card.metric.replace("_", " ") in description.lower()
        for word in ("source", "licence"):
            assert word in description.lower(), f"description.md must name its {word}"

    def test_prepare_is_deterministic(self, slug: str, prepared_root: Path, tmp_path: Path) -> None:
        again = make_workspace(tmp_path / "again")
        prepare(again, slug)
        first = Workspace(prepared_root)
        for name in PUBLIC_FILES:
            assert (first.data_dir(slug) / name).read_bytes() == (again.data_dir(slug) / name).read_bytes(), (
                name
            )
        with store.connect(first, slug, read_only=True) as a, store.connect(again, slug, read_only=True) as b:
            assert vault.labels_frame(a).equals(vault.labels_frame(b))
            assert vault.last_preparation(a).checksums == vault.last_preparation(b).checksums  # type: ignore[union-attr]

    def test_schemas_accept_prepared_frames_and_reject_corrupted_copies(
        self, slug: str, prepared_root: Path
    ) -> None:
        ws = Workspace(prepared_root)
        card = load_card(ws, slug)
        models = schemas.load_models(card)
        for model, name in (
            ("Train", "train.csv"),
            ("Test", "test.csv"),
            ("Submission", "sample_submission.csv"),
        ):
            frame = pd.read_csv(ws.data_dir(slug) / name)
            schemas.validate(models[model], frame, name)
            duplicated = pd.concat([frame, frame.head(3)], ignore_index=True)
            with pytest.raises(SchemaViolation, match=card.id_column):
                schemas.validate(models[model], duplicated, name)
            missing_column = frame.drop(columns=[frame.columns[-1]])
            with pytest.raises(SchemaViolation):
                schemas.validate(models[model], missing_column, name)

    def test_public_test_file_has_no_target(self, slug: str, prepared_root: Path) -> None:
        ws = Workspace(prepared_root)
        card = load_card(ws, slug)
        header = pd.read_csv(ws.data_dir(slug) / "test.csv", nrows=0).columns
        assert not set(card.target_columns) & set(header)
        assert card.id_column in header

    def test_labels_cover_the_test_set_and_the_public_fraction_holds(
        self, slug: str, prepared_root: Path
    ) -> None:
        ws = Workspace(prepared_root)
        card = load_card(ws, slug)
        test = pd.read_csv(ws.data_dir(slug) / "test.csv", usecols=[card.id_column])
        with store.connect(ws, slug, read_only=True) as con:
            labels = vault.labels_frame(con)
        assert sorted(labels[card.id_column]) == sorted(test[card.id_column])
        assert set(labels["usage"]) == {vault.PUBLIC, vault.PRIVATE}
        n_public = int((labels["usage"] == vault.PUBLIC).sum())
        assert n_public == round(len(labels) * card.split.public_fraction)

    def test_train_and_test_are_disjoint_and_follow_the_cv_scheme(
        self, slug: str, prepared_root: Path
    ) -> None:
        ws = Workspace(prepared_root)
        card = load_card(ws, slug)
        train = pd.read_csv(ws.data_dir(slug) / "train.csv")
        test = pd.read_csv(ws.data_dir(slug) / "test.csv")
        assert not set(train[card.id_column]) & set(test[card.id_column])
        if card.cv.scheme == "group":
            assert not set(train[card.cv.column]) & set(test[card.cv.column])
        if card.cv.scheme == "time":
            assert pd.Series(train[card.cv.column]).max() <= pd.Series(test[card.cv.column]).min()

    def test_sample_submission_has_the_submission_columns_and_every_test_id(
        self, slug: str, prepared_root: Path
    ) -> None:
        from harness.prepare import submission_columns

        ws = Workspace(prepared_root)
        card = load_card(ws, slug)
        sample = pd.read_csv(ws.data_dir(slug) / "sample_submission.csv")
        test = pd.read_csv(ws.data_dir(slug) / "test.csv", usecols=[card.id_column])
        assert list(sample.columns) == [card.id_column, *submission_columns(card)]
        assert sorted(sample[card.id_column]) == sorted(test[card.id_column])
