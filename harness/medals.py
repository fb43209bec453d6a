"""The medal a score would have won on Kaggle, from the competition's final private leaderboard.

An imported competition may keep Kaggle's final board beside its card as `leaderboard.csv` (MLE-bench
ships one per competition: a `score` column, one row per team, best first). Kaggle's thresholds
depend on the number of teams (kaggle.com/progression):

    teams        gold                      silver           bronze
    1-99         top 10%                   top 20%          top 40%
    100-249      top 10 teams              top 20%          top 40%
    250-999      top 10 + 0.2% of teams    top 50 teams     top 100 teams
    1000+        top 10 + 0.2% of teams    top 5%           top 10%

A threshold is the score of the team at that position (positions rounded down, at least 1). A score
wins a medal when it is at least as good as that team's; "better" follows the metric's declared
direction, not the board's order. The rank is the entry's place on the board with it added: 1 + the
number of Kaggle teams strictly better.
"""

from __future__ import annotations

import csv
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from harness.competition import Card

LEADERBOARD_FILE = "leaderboard.csv"
MEDALS = ("gold", "silver", "bronze")


@dataclass(frozen=True)
class KaggleBoard:
    """Kaggle's final private board: every team's score, best first, and the medal thresholds."""

    scores: tuple[float, ...]
    greater_is_better: bool
    gold: float
    silver: float
    bronze: float
    median: float

    @property
    def teams(self) -> int:
        return len(self.scores)

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if k != "scores"} | {"teams": self.teams}


@dataclass(frozen=True)
class Standing:
    """Where one score would have stood on Kaggle's final board."""

    score: float
    medal: str | None  # gold, silver, bronze, or None
    rank: int  # on Kaggle's board with this entry added: 1 + the teams strictly better
    teams: int  # Kaggle's teams (the board with this entry has one more)
    above_median: bool

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def text(self) -> str:
        """`gold, 3 of 1281`: the medal (or `no medal`) and the rank on the board with this entry added."""
        return f"{self.medal or 'no medal'}, {self.rank} of {self.teams + 1}"


def medal_positions(teams: int) -> tuple[int, int, int]:
    """The positions (1-based) of the last gold, silver and bronze team for `teams` teams."""
    if teams < 1:
        raise ValueError("a leaderboard needs at least one team")
    if teams < 100:
        return max(1, int(teams * 0.1)), max(1, int(teams * 0.2)), max(1, int(teams * 0.4))
    if teams < 250:
        return 10, max(1, int(teams * 0.2)), max(1, int(teams * 0.4))
    if teams < 1000:
        return 10 + int(teams * 0.002), 50, 100
    return 10 + int(teams * 0.002), max(1, int(teams * 0.05)), max(1, int(teams * 0.1))


def board_from_scores(scores: list[float], greater_is_better: bool) -> KaggleBoard:
    """Kaggle's thresholds for a final board of `scores` (any order; sorted by the metric's direction)."""
    ordered = sorted(scores, reverse=greater_is_better)
    gold, silver, bronze = (ordered[p - 1] for p in medal_positions(len(ordered)))
    middle = len(ordered) // 2
    median = ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    return KaggleBoard(tuple(ordered), greater_is_better, gold, silver, bronze, median)


def kaggle_board(card: Card) -> KaggleBoard | None:
    """The card's kept `leaderboard.csv` as a KaggleBoard, None when the competition has none."""
    from harness import metrics

    path = card.folder / LEADERBOARD_FILE
    if not path.is_file():
        return None
    scores = _scores(path)
    if not scores:
        return None
    return board_from_scores(scores, metrics.get(card.metric).greater_is_better)


def standing(board: KaggleBoard, score: float) -> Standing:
    """The medal `score` would have won on `board` and its rank among the board's teams."""

    def at_least(threshold: float) -> bool:
        return score >= threshold if board.greater_is_better else score <= threshold

    medal = next(
        (m for m, t in zip(MEDALS, (board.gold, board.silver, board.bronze), strict=True) if at_least(t)),
        None,
    )
    better = sum(1 for s in board.scores if (s > score if board.greater_is_better else s < score))
    above = score > board.median if board.greater_is_better else score < board.median
    return Standing(score, medal, better + 1, board.teams, above)


def annotate(card: Card, rows: list[dict[str, Any]], score_key: str) -> bool:
    """Add `medal` (e.g. `gold, 3 of 1281`) to each row whose `score_key` holds a score.

    Returns whether the card has a Kaggle board (False: the rows are left as they are).
    """
    board = kaggle_board(card)
    if board is None:
        return False
    for row in rows:
        value = row.get(score_key)
        row["medal"] = standing(board, float(value)).text if isinstance(value, int | float) else ""
    return True


def _scores(path: Path) -> list[float]:
    """The `score` column of a Kaggle leaderboard file (rows without a score are left out)."""
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None or "score" not in reader.fieldnames:
            return []
        out = []
        for row in reader:
            try:
                out.append(float(row["score"]))
            except (TypeError, ValueError):
                continue
        return [s for s in out if s == s]
