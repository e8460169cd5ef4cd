"""What a judge may type into a score cell, and what looks wrong about a sheet of marks.

Pure functions, no database: the entry grid, the paper-sheet import and the services all use
them, so a mark is accepted or refused for the same reason everywhere.

Refusals (``MarkError``) are impossible values: not a number, outside 0..max, too many decimal
places, a WorldSkills judgement score that is not 0–3. Flags (``Flag``) are possible but
implausible values the judge should look at again; they never block entry.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from competition_app.i18n import _

JUDGEMENT_SCALE = 3
JUDGEMENT_MAX_SPREAD = Decimal(1)
PATTERN_MIN_ROWS = 5
"""A judge's pattern needs this many marked rows before an entry can stand out from it."""
PATTERN_SPREADS = Decimal(3)
"""An entry stands out when it is this many robust spreads from the judge's usual offset."""

_FULLWIDTH = str.maketrans("０１２３４５６７８９．：－", "0123456789.:-")


class MarkError(ValueError):
    """A value that cannot be a mark for this cell; the message (Chinese) says why."""


def _number(text: str) -> Decimal:
    cleaned = text.strip().translate(_FULLWIDTH).replace("。", ".")
    if not cleaned:
        raise MarkError(_("请输入分数"))
    if not re.fullmatch(r"\d+(\.\d*)?|\.\d+", cleaned):
        if re.fullmatch(r"-\s*(\d+(\.\d*)?|\.\d+)", cleaned):
            raise MarkError(_("分数不能为负数：{text}").format(text=text.strip()))
        raise MarkError(_("“{text}”不是数字").format(text=text.strip()))
    try:
        return Decimal(cleaned)
    except InvalidOperation as error:  # pragma: no cover - the pattern above admits only numbers
        raise MarkError(_("“{text}”不是数字").format(text=text.strip())) from error


def plain(value: Decimal) -> str:
    """86.50 → "86.5", 100.000 → "100": how a mark is shown and written back."""
    return f"{value.normalize():f}"


def parse_mark(text: str, maximum: Decimal, decimals: int) -> Decimal:
    """The mark typed as ``text`` for a cell of 0..``maximum`` with at most ``decimals`` places.

    Full-width digits (输入法) are accepted. Raises ``MarkError`` with the reason.
    """
    value = _number(text)
    if value > maximum:
        raise MarkError(_("{value} 超出范围：本项满分 {maximum}").format(value=plain(value), maximum=plain(maximum)))
    exponent = value.normalize().as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    if places > decimals:
        if decimals == 0:
            raise MarkError(_("{value}：本项只能输入整数").format(value=plain(value)))
        raise MarkError(_("{value}：本项最多 {decimals} 位小数").format(value=plain(value), decimals=decimals))
    return value


def parse_judgement(text: str, scale: int = JUDGEMENT_SCALE) -> Decimal:
    """A WorldSkills judgement score: an integer 0..3."""
    value = _number(text)
    if value != value.to_integral_value() or value > scale:
        raise MarkError(_("评价分只能是 0–{scale} 的整数：{value}").format(scale=scale, value=plain(value)))
    return value.to_integral_value()


_DURATION = re.compile(r"^(?:(\d+):)?(\d+):(\d{1,2}(?:\.\d+)?)$")


def parse_duration(text: str) -> Decimal:
    """实操用时 as seconds: "85:30" (分:秒), "1:25:30" (时:分:秒) or a plain number of minutes."""
    cleaned = text.strip().translate(_FULLWIDTH)
    if not cleaned:
        raise MarkError(_("请输入用时"))
    match = _DURATION.match(cleaned)
    if match:
        hours, minutes, seconds = match.groups()
        if Decimal(seconds) >= 60:
            raise MarkError(_("用时“{text}”的秒数应小于 60").format(text=text.strip()))
        if hours is not None and int(minutes) >= 60:
            raise MarkError(_("用时“{text}”的分钟数应小于 60（时:分:秒）").format(text=text.strip()))
        total = Decimal(int(hours or 0) * 3600 + int(minutes) * 60) + Decimal(seconds)
        return total
    try:
        return _number(cleaned) * 60
    except MarkError as error:
        raise MarkError(_("用时“{text}”应写作 分:秒（如 85:30）或分钟数").format(text=text.strip())) from error


def format_duration(seconds: Decimal) -> str:
    """Seconds as 分:秒 (45:30), with hours when there are any (5130 s → 1:25:30)."""
    whole = int(seconds)
    fraction = seconds - whole
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    tail = f"{secs:02d}" + (plain(fraction)[1:] if fraction else "")
    return f"{hours}:{minutes:02d}:{tail}" if hours else f"{minutes}:{tail}"


# --- flags ----------------------------------------------------------------------------------


class FlagKind(StrEnum):
    PANEL_SPREAD = "panel_spread"
    """Judges on one panel differ by more than the event's threshold."""
    JUDGEMENT_SPREAD = "judgement_spread"
    """WorldSkills judgement scores of one aspect more than 1 apart."""
    PATTERN = "pattern"
    """One judge's mark far from how that judge otherwise relates to the panel."""
    TIME = "time"
    """实操用时 over the limit or implausibly short."""


@dataclass(frozen=True, slots=True)
class Flag:
    kind: FlagKind
    message: str
    columns: tuple[int, ...] = ()
    """The columns (seats, or positions in the row) the flag points at; () = the whole row."""


def panel_spread(marks: Sequence[Decimal | None], threshold: Decimal | None) -> Flag | None:
    """A flag when the highest and lowest marks present differ by more than ``threshold``."""
    present = [(index, mark) for index, mark in enumerate(marks) if mark is not None]
    if threshold is None or len(present) < 2:
        return None
    high = max(present, key=lambda item: item[1])
    low = min(present, key=lambda item: item[1])
    spread = high[1] - low[1]
    if spread <= threshold:
        return None
    return Flag(
        FlagKind.PANEL_SPREAD,
        _("裁判分差 {spread} 超过阈值 {threshold}（最高 {high}，最低 {low}）").format(
            spread=plain(spread), threshold=plain(threshold), high=plain(high[1]), low=plain(low[1])
        ),
        (high[0], low[0]),
    )


def judgement_spread(scores: Sequence[Decimal | None], allowed: Decimal = JUDGEMENT_MAX_SPREAD) -> Flag | None:
    """WorldSkills: judges' 0–3 scores of one aspect more than ``allowed`` apart must be re-marked."""
    present = [(index, score) for index, score in enumerate(scores) if score is not None]
    if len(present) < 2:
        return None
    high = max(present, key=lambda item: item[1])
    low = min(present, key=lambda item: item[1])
    if high[1] - low[1] <= allowed:
        return None
    return Flag(
        FlagKind.JUDGEMENT_SPREAD,
        _("评价分相差 {spread}（{scores}），超过 {allowed}：裁判需讨论后重评").format(
            spread=plain(high[1] - low[1]),
            scores="、".join(plain(score) for _index, score in present),
            allowed=plain(allowed),
        ),
        (high[0], low[0]),
    )


def pattern_outliers(
    rows: Mapping[object, Sequence[Decimal | None]],
    *,
    spreads: Decimal = PATTERN_SPREADS,
    minimum_gap: Decimal = Decimal(0),
) -> dict[object, Flag]:
    """Cells far from the panel's pattern: flags by row key.

    For each judge (column) the offset of their mark from the median of the others' marks is
    taken on every fully marked row. A judge who is always two points stricter is not flagged
    for being strict; a mark whose offset is far from that judge's usual offset (more than
    ``spreads`` robust spreads — 1.4826 × the median absolute deviation over all judges — and
    more than ``minimum_gap``) is. Needs ``PATTERN_MIN_ROWS`` complete rows.
    """
    complete = {key: [m for m in marks if m is not None] for key, marks in rows.items()}
    complete = {key: marks for key, marks in complete.items() if len(marks) == len(rows[key]) and len(marks) >= 3}
    if len(complete) < PATTERN_MIN_ROWS:
        return {}
    width = min(len(marks) for marks in complete.values())
    offsets: dict[object, list[Decimal]] = {}
    for key, marks in complete.items():
        offsets[key] = [
            marks[seat] - Decimal(statistics.median(marks[:seat] + marks[seat + 1 :])) for seat in range(width)
        ]
    usual = [Decimal(statistics.median(offsets[key][seat] for key in offsets)) for seat in range(width)]
    residuals = {key: [offsets[key][seat] - usual[seat] for seat in range(width)] for key in offsets}
    every = [abs(value) for values in residuals.values() for value in values]
    robust = Decimal(statistics.median(every)) * Decimal("1.4826")
    # With no spread at all (a panel that agrees exactly) any departure stands out, unless a
    # minimum gap says how much is worth a look.
    limit = max(robust * spreads, minimum_gap)
    flags: dict[object, Flag] = {}
    for key, values in residuals.items():
        worst = max(range(width), key=lambda seat: abs(values[seat]))
        if abs(values[worst]) > limit:
            direction = _("偏高") if values[worst] > 0 else _("偏低")
            flags[key] = Flag(
                FlagKind.PATTERN,
                _("第 {seat} 位裁判的评分 {mark} 与其平时的评分习惯相比明显{direction}（相差 {gap}）").format(
                    seat=worst + 1,
                    mark=plain(complete[key][worst]),
                    direction=direction,
                    gap=plain(abs(values[worst]).quantize(Decimal("0.1"))),
                ),
                (worst,),
            )
    return flags


def time_flag(seconds: Decimal | None, limit_minutes: int | None) -> Flag | None:
    """实操用时 over the component's time limit, or under a tenth of it."""
    if seconds is None or not limit_minutes:
        return None
    limit = Decimal(limit_minutes * 60)
    if seconds > limit:
        return Flag(
            FlagKind.TIME,
            _("用时 {time} 超过规定时长 {limit} 分钟").format(time=format_duration(seconds), limit=limit_minutes),
        )
    if seconds < limit / 10:
        return Flag(
            FlagKind.TIME,
            _("用时 {time} 不到规定时长 {limit} 分钟的十分之一，请核对").format(
                time=format_duration(seconds), limit=limit_minutes
            ),
        )
    return None
