"""Training tables for MLE-bench layouts whose labels are files, not a table.

Two preparations of MLE-bench ship no training table. The import recognises each by a folder only
that layout has, says so in its notes, and writes train.csv and test.csv into a staging folder it
owns; the files themselves are still copied into `data/<slug>/` as they are.

- Cleaned images (denoising-dirty-documents), recognised by `public/train_cleaned/`: `train/` and
  `test/` hold the dirty PNG images, `train_cleaned/` the cleaned training images under the same
  names. One row per pixel: `id` as `IMAGE_ROW_COL` (row and column counted from 1), `image`, `row`,
  `col`, `dirty` (the dirty image's intensity), and in train.csv the sample's prediction column
  (`value`) holding the cleaned intensity. An intensity is the grey level (Pillow's `L` conversion)
  over 255, as MLE-bench writes its answers.
- Recordings and species (mlsp-2013-birds), recognised by `public/essential_data/`: CVfolds_2.txt
  (`rec_id,fold`; fold 0 trains, fold 1 is the test set), rec_labels_test_hidden.txt (`rec_id`
  then the recording's species ids, `?` for a test recording), species_list.txt (`class_id,...`)
  and rec_id2filename.txt (`rec_id,filename`). One row per recording and species: `Id` as
  `rec_id * 100 + species` (the sample's id), `rec_id`, `species`, `filename`, and in train.csv the
  sample's prediction column (`Probability`): 1 when the species is in the recording's list, else 0.

A missing folder or file of a recognised layout, or a sample whose ids are not the test rows the
files describe, raises AuthoringError naming it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from harness.errors import AuthoringError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

CLEANED = "train_cleaned"  # the folder that marks the cleaned-images layout
ESSENTIAL = "essential_data"  # the folder that marks the recordings-and-species layout
IMAGE_FOLDERS = ("train", CLEANED, "test")
BIRD_FILES = ("CVfolds_2.txt", "rec_labels_test_hidden.txt", "species_list.txt", "rec_id2filename.txt")
HIDDEN = "?"  # a test recording's labels in rec_labels_test_hidden.txt
SPECIES_PER_ID = 100  # Id = rec_id * 100 + species


def tables_from_layout(public: Path, sample: Path, stage: Path) -> tuple[Path, Path, list[str]] | None:
    """train.csv and test.csv made (in `stage`) from the files of a layout recognised in `public`,
    with the notes that say how; None when `public` has neither layout's folder.

    Raises AuthoringError for a missing folder or file of the layout, an unreadable image, or a
    sample whose ids are not the test rows the files describe.
    """
    if (public / CLEANED).is_dir():
        train, test, notes = _pixel_tables(public, _sample_columns(sample))
    elif (public / ESSENTIAL).is_dir():
        train, test, notes = _recording_tables(public, _sample_columns(sample))
    else:
        return None
    id_column = str(train.columns[0])
    _check_sample_ids(sample, id_column, test[id_column])
    folder = stage / "from-layout"
    folder.mkdir(parents=True, exist_ok=True)
    train.to_csv(folder / "train.csv", index=False)
    test.to_csv(folder / "test.csv", index=False)
    return folder / "train.csv", folder / "test.csv", notes


def _sample_columns(sample: Path) -> tuple[str, str]:
    import pandas as pd

    if not sample.is_file():
        raise AuthoringError(
            f"{sample.parent} has no {sample.name}: the sample submission names the test ids."
        )
    columns = [str(c) for c in pd.read_csv(sample, nrows=0).columns]
    if len(columns) != 2:
        raise AuthoringError(
            f"{sample.name} has the columns {', '.join(columns)}; this layout's sample has two, an id and "
            "one prediction."
        )
    return columns[0], columns[1]


def _check_sample_ids(sample: Path, id_column: str, test_ids: pd.Series) -> None:
    import pandas as pd

    given = set(pd.read_csv(sample, usecols=[id_column], dtype=str)[id_column])
    made = set(test_ids.astype(str))
    if given != made:
        stray, lacking = sorted(given - made), sorted(made - given)
        raise AuthoringError(
            f"{sample.name} does not name the test rows the files describe: "
            f"{len(stray)} of its ids are no test row (e.g. {', '.join(stray[:3]) or 'none'}), "
            f"{len(lacking)} test rows are not in it (e.g. {', '.join(lacking[:3]) or 'none'})."
        )


# --- cleaned images -------------------------------------------------------------------------------


def _pixel_tables(public: Path, columns: tuple[str, str]) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    import pandas as pd

    missing = [f"{name}/" for name in IMAGE_FOLDERS if not (public / name).is_dir()]
    if missing:
        raise AuthoringError(
            f"{public} has {CLEANED}/ (cleaned images) but no {' or '.join(missing)}: this layout needs "
            f"the folders {', '.join(f'{n}/' for n in IMAGE_FOLDERS)} of PNG images."
        )
    id_column, target = columns
    dirty = _pngs(public / "train")
    lacking = [p.name for p in dirty if not (public / CLEANED / p.name).is_file()]
    if lacking:
        raise AuthoringError(
            f"{len(lacking)} images of {public / 'train'} have no cleaned image of the same name in "
            f"{public / CLEANED}, e.g. {', '.join(lacking[:3])}."
        )
    frames = []
    for path in dirty:
        grey, cleaned = _grey(path), _grey(public / CLEANED / path.name)
        if cleaned.shape != grey.shape:
            (height, width), (h, w) = cleaned.shape, grey.shape
            raise AuthoringError(
                f"{public / CLEANED / path.name} is {width}x{height} pixels, and the image it cleans, "
                f"{path}, is {w}x{h}; a cleaned image has the size of its dirty one."
            )
        frames.append(_pixels(path.stem, grey, id_column).assign(**{target: cleaned.ravel()}))
    train = pd.concat(frames, ignore_index=True)
    tests = _pngs(public / "test")
    test = pd.concat([_pixels(p.stem, _grey(p), id_column) for p in tests], ignore_index=True)
    notes = [
        f"training table: made from the images ({CLEANED}/ marks MLE-bench's cleaned-images layout): one "
        f"row per pixel, {len(train)} from {len(dirty)} images of train/ with {target!r} from {CLEANED}/, "
        f"{len(test)} test rows from {len(tests)} images of test/; {id_column} is IMAGE_ROW_COL, "
        "intensities are grey levels / 255 (the dirty one in 'dirty')"
    ]
    return train, test, notes


def _pngs(folder: Path) -> list[Path]:
    found = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() == ".png")
    if not found:
        raise AuthoringError(f"{folder} holds no PNG image; this layout's images are PNG files.")
    return found


def _grey(path: Path) -> np.ndarray:
    """The image's intensities in [0, 1]: its grey levels (Pillow's `L` conversion) over 255."""
    import numpy as np
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            levels = np.asarray(image.convert("L"))
    except (UnidentifiedImageError, OSError) as exc:
        raise AuthoringError(f"{path} is not an image that can be read: {exc}.") from None
    return levels / 255.0


def _pixels(image: str, grey: np.ndarray, id_column: str) -> pd.DataFrame:
    """One row per pixel of an image: its id (IMAGE_ROW_COL, from 1), image, row, col and intensity."""
    import numpy as np
    import pandas as pd

    rows, cols = grey.shape
    row = np.repeat(np.arange(1, rows + 1), cols)
    col = np.tile(np.arange(1, cols + 1), rows)
    ids = image + "_" + pd.Series(row).astype(str) + "_" + pd.Series(col).astype(str)
    return pd.DataFrame({id_column: ids, "image": image, "row": row, "col": col, "dirty": grey.ravel()})


# --- recordings and species -----------------------------------------------------------------------


def _recording_tables(public: Path, columns: tuple[str, str]) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    import pandas as pd

    folder = public / ESSENTIAL
    missing = [name for name in BIRD_FILES if not (folder / name).is_file()]
    if missing:
        raise AuthoringError(
            f"{folder} has no {', '.join(missing)}: MLE-bench's recordings layout needs "
            f"{', '.join(BIRD_FILES)} in {ESSENTIAL}/."
        )
    id_column, target = columns
    folds = _csv(folder / "CVfolds_2.txt", ("rec_id", "fold"))
    names = _csv(folder / "rec_id2filename.txt", ("rec_id", "filename"))
    species = _csv(folder / "species_list.txt", ("class_id",))["class_id"].astype(int).tolist()
    if not species or min(species) < 0 or max(species) >= SPECIES_PER_ID:
        raise AuthoringError(
            f"{folder / 'species_list.txt'}: the class ids must run within 0..{SPECIES_PER_ID - 1}, as the "
            f"sample's ids are rec_id * {SPECIES_PER_ID} + species."
        )
    labels = _recording_labels(folder / "rec_labels_test_hidden.txt")
    odd = sorted(set(folds["fold"].astype(int)) - {0, 1})
    if odd:
        raise AuthoringError(f"{folder / 'CVfolds_2.txt'}: folds are 0 (train) or 1 (test), found {odd}.")
    train_recs = folds.loc[folds["fold"].astype(int) == 0, "rec_id"].astype(int).tolist()
    test_recs = folds.loc[folds["fold"].astype(int) == 1, "rec_id"].astype(int).tolist()
    unlabelled = [r for r in train_recs if labels.get(r) is None]
    if unlabelled:
        raise AuthoringError(
            f"{len(unlabelled)} training recordings (fold 0) have no labels in rec_labels_test_hidden.txt "
            f"(missing or {HIDDEN!r}), e.g. rec_id {', '.join(map(str, unlabelled[:3]))}."
        )
    unknown = sorted({s for r in train_recs for s in labels[r] or ()} - set(species))
    if unknown:
        raise AuthoringError(
            f"rec_labels_test_hidden.txt lists species {', '.join(map(str, unknown[:5]))}, which "
            "species_list.txt does not have."
        )
    filename = dict(zip(names["rec_id"].astype(int), names["filename"].astype(str), strict=True))
    nameless = [r for r in train_recs + test_recs if r not in filename]
    if nameless:
        raise AuthoringError(
            f"{len(nameless)} recordings of CVfolds_2.txt are not in rec_id2filename.txt, e.g. rec_id "
            f"{', '.join(map(str, nameless[:3]))}."
        )

    def table(recs: list[int]) -> pd.DataFrame:
        rows = [(r * SPECIES_PER_ID + s, r, s, filename[r]) for r in sorted(recs) for s in species]
        return pd.DataFrame(rows, columns=[id_column, "rec_id", "species", "filename"])

    train = table(train_recs)
    present = {(r, s) for r in train_recs for s in labels[r] or ()}
    train[target] = [int((r, s) in present) for r, s in zip(train["rec_id"], train["species"], strict=True)]
    test = table(test_recs)
    notes = [
        f"training table: made from {ESSENTIAL}/ (MLE-bench's recordings layout): one row per recording "
        f"and species ({len(species)} species of species_list.txt), {len(train)} rows from the "
        f"{len(train_recs)} recordings of fold 0 with {target!r} 1 where rec_labels_test_hidden.txt lists "
        f"the species, {len(test)} test rows from the {len(test_recs)} of fold 1; {id_column} is "
        f"rec_id * {SPECIES_PER_ID} + species"
    ]
    return train, test, notes


def _csv(path: Path, needed: tuple[str, ...]) -> pd.DataFrame:
    import pandas as pd

    frame = pd.read_csv(path)
    lacking = [c for c in needed if c not in frame.columns]
    if lacking:
        raise AuthoringError(
            f"{path} has no column {', '.join(lacking)}; its columns are: "
            f"{', '.join(map(str, frame.columns))}."
        )
    if frame[list(needed)].isna().any().any():
        raise AuthoringError(f"{path} has empty cells in {', '.join(needed)}.")
    return frame


def _recording_labels(path: Path) -> dict[int, list[int] | None]:
    """Each recording's species ids (None for a hidden one), from `rec_id[,species...]` lines after
    the header; a recording of no species has its rec_id alone."""
    out: dict[int, list[int] | None] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines()[1:], start=2):
        parts = [p.strip() for p in line.split(",") if p.strip()]
        if not parts:
            continue
        try:
            rec = int(parts[0])
            out[rec] = None if parts[1:] == [HIDDEN] else [int(p) for p in parts[1:]]
        except ValueError:
            raise AuthoringError(
                f"{path}, line {number}: {line!r} is not rec_id followed by species ids or {HIDDEN!r}."
            ) from None
    return out
