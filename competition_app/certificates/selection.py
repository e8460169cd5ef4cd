"""Who gets which certificate: a pure choice from the results (``results.view``).

Three kinds, each with its own template:

- ``award`` 获奖证书: every entry with an award (一等奖 … 优秀奖); the award is the text.
- ``rank`` 获奖证书 by place: every ranked entry down to ``top`` (all when None); the text is the
  place in Chinese numerals, 第一名, as national selection contests print it.
- ``honour`` 荣誉证书: every designation (优秀选手 …), one certificate per designation.

Entries that withdrew or were disqualified never get one, whatever the stored lines say.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from competition_app.certificates.numbering import small_number
from competition_app.i18n import _
from competition_app.results.view import CompetitionView, EventView, GroupView, ResultLine

KINDS: dict[str, str] = {
    "award": "获奖证书",
    "rank": "获奖证书（名次）",
    "honour": "荣誉证书",
}
"""Certificate kind → its Chinese name (translated where shown)."""


class SelectionError(ValueError):
    """A certificate kind or option that cannot be used; the message is Chinese."""


@dataclass(frozen=True, slots=True)
class Candidate:
    """One certificate the results call for."""

    kind: str
    event_id: int
    entry_id: int
    name: str
    unit: str | None
    competition: str
    event: str
    group: str
    award_text: str


def chinese_ordinal(rank: int) -> str:
    """1 → 第一名, 10 → 第十名, 21 → 第二十一名, 100 → 第100名 (beyond 99, digits)."""
    if rank < 1:
        raise ValueError(rank)
    if rank >= 100:
        return f"第{rank}名"
    return f"第{small_number(rank)}名"


def check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise SelectionError(_("证书类型“{kind}”无法识别；可用类型：{kinds}").format(kind=kind, kinds="、".join(KINDS)))


def _texts(kind: str, line: ResultLine, top: int | None) -> Iterator[str]:
    if line.status or line.entry_id is None:
        return
    if kind == "award" and line.award:
        yield line.award
    elif kind == "rank" and line.rank is not None and (top is None or line.rank <= top):
        yield chinese_ordinal(line.rank)
    elif kind == "honour":
        yield from line.designations


def group_candidates(
    view: CompetitionView, event: EventView, group: GroupView, kind: str, *, top: int | None = None
) -> list[Candidate]:
    """The certificates one group's results call for, in result order."""
    check_kind(kind)
    candidates = []
    for line in group.lines:
        for text in _texts(kind, line, top):
            assert line.entry_id is not None
            candidates.append(
                Candidate(
                    kind,
                    event.event_id,
                    line.entry_id,
                    line.name,
                    line.unit,
                    view.name,
                    event.label,
                    group.name,
                    text,
                )
            )
    return candidates


def candidates(view: CompetitionView, kind: str, *, top: int | None = None) -> list[Candidate]:
    """Every certificate of ``kind`` the competition's results call for, event by event."""
    check_kind(kind)
    if top is not None and top < 1:
        raise SelectionError(_("名次证书的名次范围必须至少为 1"))
    return [
        candidate
        for event in view.events
        for group in event.groups
        for candidate in group_candidates(view, event, group, kind, top=top)
    ]
