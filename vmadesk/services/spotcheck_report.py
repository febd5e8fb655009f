"""The spot-check report for a practice: per-VMA rubric rates and quality trends, PHI-free.

Input is what the hub holds (samples and scores: pseudonyms, codes, booleans); output is CSV text
and an HTML document the UI prints to PDF. Neither carries a pseudonym: the report is about
people's work, not items. File names are built from the week only (:func:`report_filename`).
"""

from __future__ import annotations

import csv
import html
import io
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from vmadesk import wire

CSV_COLUMNS = (
    "week",
    "vma",
    "sampled",
    "scored",
    "on_time_rate",
    "outcome_consistent_rate",
    "documentation_complete_rate",
    "escalation_warranted_rate",
    "comments",
)
_WEEK = re.compile(wire.ISO_WEEK_PATTERN)
_LABEL = re.compile(r"^[A-Za-z0-9 _.-]{0,40}$")


@dataclass
class QualityRow:
    """One VMA's spot checks in one week."""

    week: str
    vma: str
    sampled: int = 0
    scored: int = 0
    on_time: int = 0
    outcome_consistent: int = 0
    documentation_complete: int = 0
    escalation_judged: int = 0
    escalation_warranted: int = 0
    comments: Counter[str] = field(default_factory=Counter)

    def rate(self, name: str) -> float | None:
        """Share of scored items with rubric ``name`` true (None: nothing to judge)."""
        if name == "escalation_warranted":
            return (
                self.escalation_warranted / self.escalation_judged
                if self.escalation_judged
                else None
            )
        return getattr(self, name) / self.scored if self.scored else None


def rollup(
    samples: Iterable[wire.Sample], scores: Mapping[str, Iterable[wire.ScoreRecord]]
) -> list[QualityRow]:
    """Per (week, VMA): how many were sampled and scored, and the rubric counts."""
    rows: dict[tuple[str, str], QualityRow] = {}
    for sample in samples:
        row = rows.setdefault((sample.week, sample.vma), QualityRow(sample.week, sample.vma))
        row.sampled += len(sample.items)
        for record in scores.get(sample.sample_id, ()):
            s = record.score
            row.scored += 1
            row.on_time += s.on_time
            row.outcome_consistent += s.outcome_consistent
            row.documentation_complete += s.documentation_complete
            if s.escalation_warranted is not None:
                row.escalation_judged += 1
                row.escalation_warranted += s.escalation_warranted
            if s.comment is not wire.CommentCode.NONE:
                row.comments[s.comment.value] += 1
    return [rows[key] for key in sorted(rows)]


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.0f}%"


def _comments(row: QualityRow) -> str:
    return "; ".join(f"{code}={n}" for code, n in sorted(row.comments.items()))


def to_csv(rows: Iterable[QualityRow]) -> str:
    """CSV text, one line per week and VMA."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow(
            [
                row.week,
                row.vma,
                row.sampled,
                row.scored,
                _pct(row.rate("on_time")),
                _pct(row.rate("outcome_consistent")),
                _pct(row.rate("documentation_complete")),
                _pct(row.rate("escalation_warranted")),
                _comments(row),
            ]
        )
    return out.getvalue()


def trend_by_vma(rows: Iterable[QualityRow]) -> dict[str, list[tuple[str, float | None]]]:
    """Per VMA, (week, share of scored items passing every rubric point) oldest first."""
    out: dict[str, list[tuple[str, float | None]]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: (r.vma, r.week)):
        rates = [row.rate(n) for n in ("on_time", "outcome_consistent", "documentation_complete")]
        known = [r for r in rates if r is not None]
        out[row.vma].append((row.week, sum(known) / len(known) if known else None))
    return dict(out)


def to_html(rows: list[QualityRow], week: str, practice_label: str = "") -> str:
    """The report as HTML for ``QTextDocument`` (then ``QPdfWriter``)."""
    esc = html.escape
    title = f"Spot-check report {esc(week)}"
    if practice_label:
        title += f" · {esc(practice_label)}"
    head = "".join(f"<th>{esc(c.replace('_', ' '))}</th>" for c in CSV_COLUMNS[1:])
    current = [r for r in rows if r.week == week]
    body = "".join(
        "<tr>"
        + "".join(
            f"<td>{esc(str(v))}</td>"
            for v in (
                r.vma,
                r.sampled,
                r.scored,
                _pct(r.rate("on_time")),
                _pct(r.rate("outcome_consistent")),
                _pct(r.rate("documentation_complete")),
                _pct(r.rate("escalation_warranted")),
                _comments(r),
            )
        )
        + "</tr>"
        for r in current
    )
    trend_rows = "".join(
        f"<tr><td>{esc(vma)}</td><td>"
        + ", ".join(f"{esc(w)}: {_pct(v) or 'n/a'}" for w, v in points)
        + "</td></tr>"
        for vma, points in trend_by_vma(rows).items()
    )
    return (
        f"<html><body><h1>{title}</h1>"
        "<p>Rubric rates per VMA for the week (share of scored items). "
        "Contains no patient information.</p>"
        f"<table border='1' cellspacing='0' cellpadding='4'><tr>{head}</tr>{body}</table>"
        "<h2>Quality trend (all rubric points, by week)</h2>"
        "<table border='1' cellspacing='0' cellpadding='4'><tr><th>vma</th><th>weeks</th></tr>"
        f"{trend_rows}</table></body></html>"
    )


def report_filename(week: str, extension: str) -> str:
    """``vmadesk-spotchecks-2025-W07.csv``: the week and nothing else."""
    if not _WEEK.match(week) or extension not in ("csv", "pdf"):
        raise ValueError("week must be an ISO week and extension csv or pdf")
    return f"vmadesk-spotchecks-{week}.{extension}"


def safe_label(text: str) -> str:
    """A practice label for the report header: short, plain characters only."""
    text = text.strip()
    if not _LABEL.match(text):
        raise ValueError("practice label: up to 40 letters, digits, spaces, _ . -")
    return text
