"""裁判评分表: the printed score sheet of one component, for the panel and the chief judge to sign.

:func:`score_sheet_pdf` reads the sheet (``services.scores.load_sheet``) and its state, and
:func:`score_sheet_documents` lays it out as pure data for ``pdf.tables``: one row per entry
(by 检录号 when the event marks anonymously), a column per judge seat or WorldSkills aspect,
the component mark (rounded as the rules say), and the plausibility flags as symbols with a
legend. WorldSkills sheets are split into parts of at most :data:`MAX_ASPECT_COLUMNS` columns
(never splitting one aspect's judges), followed by a summary page of criterion subtotals.

Every page carries the sheet's fingerprint (SHA-256 recorded when the chief judge locked it,
or, for a sheet not yet locked, the fingerprint of the data now, marked 未锁定) and the last
page the signature lines and the command that checks paper against database. A sheet that is
not locked is printed as a draft (a red banner and a watermark).
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from competition_app.domain.enums import ComponentKind, PanelMethod, SheetState
from competition_app.domain.marks import Flag, FlagKind, format_duration, plain
from competition_app.domain.permissions import Permission
from competition_app.i18n import _
from competition_app.pdf.tables import Column, TableDocument, render_tables_pdf, signature_columns
from competition_app.rules.scoring import round_half_up
from competition_app.rules.sheet import Sheet, row_total, sheet_flags
from competition_app.services import sheets
from competition_app.services.auth import require
from competition_app.services.scores import load_sheet
from db.models import Competition, Event, RuleSet, ScoreSheet, User
from db.types import utcnow

MAX_ASPECT_COLUMNS = 20
"""Mark columns on one page of a WorldSkills sheet (landscape A4 stays readable)."""
LANDSCAPE_FROM_COLUMNS = 10
DEFAULT_TOTAL_DECIMALS = 2
MAX_FLAG_NOTES = 40

FLAG_SYMBOLS: dict[FlagKind, str] = {
    FlagKind.PANEL_SPREAD: "▲",
    FlagKind.PATTERN: "●",
    FlagKind.JUDGEMENT_SPREAD: "◆",
    FlagKind.TIME: "■",
}


@dataclass(frozen=True, slots=True)
class SheetPrintout:
    """Everything the printed sheet shows besides the sheet itself."""

    sheet: Sheet
    competition_short: str
    total_decimals: int
    fingerprint: str | None
    """The recorded fingerprint when locked; else the one computed now; None on a pass-2 print."""
    fingerprint_recorded: bool
    locked_by: str | None
    locked_at: datetime | None
    verified_by: str | None
    printed_at: datetime


def score_sheet_pdf(session: Session, event_id: int, component_id: int, path: Path, *, pass_no: int = 1) -> Path:
    """Write the 裁判评分表 of one component to ``path`` (PDF) and return the path.

    Needs 查看成绩 for the event. ``pass_no=2`` prints the second keying of a double-entry
    sheet for checking (marked as such, without a fingerprint).
    """
    require(session, Permission.VIEW_SCORES, event_id=event_id)
    printout = load_printout(session, event_id, component_id, pass_no=pass_no)
    data = render_tables_pdf(score_sheet_documents(printout), continuous_numbering=True, author="competition-app")
    path.write_bytes(data)
    return path


def load_printout(session: Session, event_id: int, component_id: int, *, pass_no: int = 1) -> SheetPrintout:
    """The sheet and what the paper says about it: state, who locked it, the fingerprint."""
    sheet = load_sheet(session, event_id, component_id, pass_no)
    record = session.scalar(select(ScoreSheet).where(ScoreSheet.component_id == component_id))
    assert record is not None  # load_sheet creates it
    names = dict(
        session.execute(
            select(User.id, User.display_name).where(
                User.id.in_([record.locked_by_id or 0, record.verified_by_id or 0])
            )
        ).all()
    )
    locked = sheet.state in (SheetState.LOCKED, SheetState.PUBLISHED)
    fingerprint: str | None = None
    recorded = False
    if pass_no == 1:
        recorded = locked and record.fingerprint is not None
        fingerprint = record.fingerprint if recorded else sheets.fingerprint(session, event_id, component_id)
    event = session.get(Event, event_id)
    assert event is not None
    competition = session.get(Competition, event.competition_id)
    assert competition is not None
    return SheetPrintout(
        sheet=sheet,
        competition_short=competition.short_name or competition.name,
        total_decimals=_total_decimals(session, event.rule_set_id),
        fingerprint=fingerprint,
        fingerprint_recorded=recorded,
        locked_by=names.get(record.locked_by_id) if record.locked_by_id else None,
        locked_at=record.locked_at,
        verified_by=names.get(record.verified_by_id) if record.verified_by_id else None,
        printed_at=utcnow(),
    )


def _total_decimals(session: Session, rule_set_id: int | None) -> int:
    """The decimals totals are rounded to (the rule set's ``scoring.decimals``, default 2)."""
    if rule_set_id is None:
        return DEFAULT_TOTAL_DECIMALS
    settings = session.scalar(select(RuleSet.settings).where(RuleSet.id == rule_set_id)) or {}
    scoring = settings.get("scoring")
    decimals = scoring.get("decimals") if isinstance(scoring, dict) else None
    return decimals if isinstance(decimals, int) and 0 <= decimals <= 6 else DEFAULT_TOTAL_DECIMALS


# --- layout (pure) --------------------------------------------------------------------------


def group_hex(fingerprint: str) -> str:
    """A fingerprint in groups of four hex digits, as printed: "1a2b 3c4d …"."""
    return " ".join(fingerprint[i : i + 4] for i in range(0, len(fingerprint), 4))


def local_time(moment: datetime | None) -> str:
    return "—" if moment is None else moment.astimezone().strftime("%Y-%m-%d %H:%M")


def verify_command(printout: SheetPrintout) -> str:
    """The command that compares this paper's fingerprint with the database."""
    sheet = printout.sheet
    words = ["competition-app", "sheet", "fingerprint", sheet.event_name, sheet.component_name]
    words += ["--competition", printout.competition_short]
    return " ".join(word if _SHELL_SAFE.fullmatch(word) else shlex.quote(word) for word in words)


_SHELL_SAFE = re.compile(r"[^\s'\"$`\\;&|<>()*?!\[\]{}#~]+")


@dataclass(frozen=True, slots=True)
class _Layout:
    """What every part of one printout shares."""

    printout: SheetPrintout
    flags: dict[int, tuple[Flag, ...]]
    totals: tuple[Decimal | None, ...]
    landscape: bool
    several_groups: bool

    @property
    def sheet(self) -> Sheet:
        return self.printout.sheet


def score_sheet_documents(printout: SheetPrintout) -> tuple[TableDocument, ...]:
    """The printed sheet as table documents: one, or the parts of a WorldSkills sheet."""
    sheet = printout.sheet
    totals = tuple(row_total(sheet, sheet.row_values(index)) for index in range(len(sheet.rows)))
    several_groups = len({row.group for row in sheet.rows}) > 1
    width = 2 + (not sheet.anonymous) + several_groups + len(sheet.columns) + sheet.has_time + 2
    layout = _Layout(
        printout,
        sheet_flags(sheet),
        totals,
        sheet.worldskills or width > LANDSCAPE_FROM_COLUMNS,
        several_groups,
    )
    if not sheet.worldskills:
        return _with_closing((_document(layout, tuple(range(len(sheet.columns))), part=None, summary=True),), layout)
    parts = worldskills_parts(sheet)
    documents = [
        _document(layout, columns, part=(number, len(parts)), summary=False) for number, columns in enumerate(parts, 1)
    ]
    return _with_closing((*documents, _summary_document(layout)), layout)


def worldskills_parts(sheet: Sheet, limit: int = MAX_ASPECT_COLUMNS) -> tuple[tuple[int, ...], ...]:
    """Column indexes split into pages: whole criteria packed together while they fit, a
    criterion too wide for one page split between its aspects (a J aspect's judges stay together).
    """
    aspects: list[list[int]] = []
    for index, column in enumerate(sheet.columns):
        if aspects and sheet.columns[aspects[-1][0]].key[0] == column.aspect_id and column.judgement:
            aspects[-1].append(index)
        else:
            aspects.append([index])
    criteria: list[list[list[int]]] = []
    for aspect in aspects:
        criterion = sheet.columns[aspect[0]].criterion
        if criteria and sheet.columns[criteria[-1][0][0]].criterion == criterion:
            criteria[-1].append(aspect)
        else:
            criteria.append([aspect])
    parts: list[list[int]] = []
    current: list[int] = []
    for criterion_aspects in criteria:
        width = sum(len(aspect) for aspect in criterion_aspects)
        if current and len(current) + width > limit:
            parts.append(current)
            current = []
        if width <= limit:
            current += [index for aspect in criterion_aspects for index in aspect]
            continue
        # Too wide for a page of its own: split it into balanced pieces between aspects.
        pieces = -(-width // limit)
        target = -(-width // pieces)
        for aspect in criterion_aspects:
            if current and len(current) + len(aspect) > target:
                parts.append(current)
                current = []
            current += aspect
        parts.append(current)
        current = []
    if current:
        parts.append(current)
    return tuple(tuple(part) for part in parts)


def _code_header(sheet: Sheet) -> str:
    return _("检录号") if sheet.anonymous else _("参赛编号")


def _column_header(sheet: Sheet, index: int) -> str:
    column = sheet.columns[index]
    if sheet.worldskills:
        code = column.aspect_code or column.label
        return f"{code}\nJ{column.seat}" if column.judgement else f"{code}\nM≤{plain(column.maximum)}"
    if len(sheet.columns) == 1:
        return _("分数") + (f"\n{column.judge_name}" if column.judge_name else "")
    return _("{seat}号裁判").format(seat=column.seat) + (f"\n{column.judge_name}" if column.judge_name else "")


def _leading_columns(layout: _Layout) -> list[Column]:
    sheet = layout.sheet
    columns = [Column(_("序号"), 0.55), Column(_code_header(sheet), 1.4 if sheet.worldskills else 1.1)]
    if not sheet.anonymous:
        columns.append(Column(_("姓名"), 1.1))
    if layout.several_groups:
        columns.append(Column(_("组别"), 1.0))
    return columns


def _leading_cells(layout: _Layout, index: int) -> list[str]:
    row = layout.sheet.rows[index]
    cells = [str(index + 1), row.code]
    if not layout.sheet.anonymous:
        cells.append(row.name or "")
    if layout.several_groups:
        cells.append(row.group)
    return cells


def _flag_cells(flags: Sequence[Flag]) -> set[int]:
    return {column for flag in flags for column in flag.columns}


def _symbols(flags: Sequence[Flag]) -> str:
    return "".join(dict.fromkeys(FLAG_SYMBOLS[flag.kind] for flag in flags))


def _mark_text(layout: _Layout, row: int, column: int) -> tuple[str, bool]:
    """The printed mark and whether a flag points at it."""
    value = layout.sheet.value(row, column)
    flags = layout.flags.get(row, ())
    pointing = [flag for flag in flags if column in flag.columns]
    if value is None:
        return "", bool(pointing)
    return plain(value) + _symbols(pointing), bool(pointing)


def _total_text(layout: _Layout, row: int, columns: Sequence[int] | None = None) -> str:
    sheet = layout.sheet
    if columns is None:
        total = layout.totals[row]
    else:
        part = replace(sheet, columns=tuple(sheet.columns[index] for index in columns), cells={})
        total = row_total(part, [sheet.value(row, index) for index in columns])
    return "" if total is None else f"{round_half_up(total, layout.printout.total_decimals)}"


def _status_text(layout: _Layout, row: int) -> str:
    entry = layout.sheet.rows[row]
    return "" if entry.required else entry.status.label


def _document(
    layout: _Layout, columns: tuple[int, ...], *, part: tuple[int, int] | None, summary: bool
) -> TableDocument:
    sheet = layout.sheet
    header = _leading_columns(layout)
    # WorldSkills marks are short ("1.5", "2"): narrow columns leave the code and name room.
    mark_width = 0.8 if sheet.worldskills else 1.0
    header += [Column(_column_header(sheet, index), mark_width) for index in columns]
    if summary and sheet.has_time:
        header.append(Column(_("用时"), 1.0))
    with_total = sheet.worldskills or len(sheet.columns) > 1
    if with_total:
        header.append(Column(_("成绩") if summary else _("本页\n小计"), 0.9 if sheet.worldskills else 1.1))
    header.append(Column(_("标记"), 0.6 if sheet.worldskills else 0.9))
    rows: list[tuple[str, ...]] = []
    shaded: set[tuple[int, int]] = set()
    first_mark = len(_leading_columns(layout))
    for index, entry in enumerate(sheet.rows):
        cells = _leading_cells(layout, index)
        flags = layout.flags.get(index, ())
        for position, column in enumerate(columns):
            text, flagged = _mark_text(layout, index, column)
            cells.append(text)
            if flagged:
                shaded.add((index, first_mark + position))
        if summary and sheet.has_time:
            time_flags = [flag for flag in flags if flag.kind is FlagKind.TIME]
            seconds = entry.practical_seconds
            cells.append(("" if seconds is None else format_duration(seconds)) + _symbols(time_flags))
            if time_flags:
                shaded.add((index, len(cells) - 1))
        if with_total:
            cells.append(_total_text(layout, index, None if summary else columns))
        shown = flags if summary else [flag for flag in flags if set(flag.columns) & set(columns)]
        cells.append(" ".join(text for text in (_symbols(shown), _status_text(layout, index)) if text))
        rows.append(tuple(cells))
    return TableDocument(
        title=_("裁判评分表"),
        columns=tuple(header),
        rows=tuple(rows),
        subtitle_lines=_subtitles(layout, part),
        # A WorldSkills part page is all marks (20 rows fit); its legend is on the summary page.
        notes=_legend(layout) + _flag_notes(layout) if summary else (),
        landscape=layout.landscape,
        font_size=10 if not sheet.worldskills else 9,
        header_font_size=9.5 if not sheet.worldskills else 8,
        min_font_size=6,
        shaded_cells=frozenset(shaded),
    )


def _summary_document(layout: _Layout) -> TableDocument:
    """WorldSkills: criterion subtotals, time, total and flags of every row on one page."""
    sheet = layout.sheet
    criteria: dict[str, list[int]] = {}
    for index, column in enumerate(sheet.columns):
        criteria.setdefault(column.criterion or "—", []).append(index)
    header = _leading_columns(layout)
    for code, indexes in criteria.items():
        header.append(
            Column(_("{code} 小计\n满分 {maximum}").format(code=code, maximum=_criterion_max(sheet, indexes)), 1.0)
        )
    if sheet.has_time:
        header.append(Column(_("用时"), 1.0))
    header += [Column(_("成绩"), 1.1), Column(_("标记"), 1.1)]
    rows = []
    shaded: set[tuple[int, int]] = set()
    for index, entry in enumerate(sheet.rows):
        cells = _leading_cells(layout, index)
        cells += [_total_text(layout, index, indexes) for indexes in criteria.values()]
        flags = layout.flags.get(index, ())
        if sheet.has_time:
            time_flags = [flag for flag in flags if flag.kind is FlagKind.TIME]
            seconds = entry.practical_seconds
            cells.append(("" if seconds is None else format_duration(seconds)) + _symbols(time_flags))
            if time_flags:
                shaded.add((index, len(cells) - 1))
        cells.append(_total_text(layout, index))
        cells.append(" ".join(text for text in (_symbols(flags), _status_text(layout, index)) if text))
        rows.append(tuple(cells))
    return TableDocument(
        title=_("裁判评分表（汇总）"),
        columns=tuple(header),
        rows=tuple(rows),
        subtitle_lines=_subtitles(layout, None),
        notes=_legend(layout) + _flag_notes(layout),
        landscape=layout.landscape,
        font_size=10,
        header_font_size=9.5,
        shaded_cells=frozenset(shaded),
    )


def _criterion_max(sheet: Sheet, indexes: Sequence[int]) -> str:
    total = Decimal(0)
    seen: set[int | None] = set()
    for index in indexes:
        column = sheet.columns[index]
        if column.judgement:
            if column.aspect_id not in seen:
                seen.add(column.aspect_id)
                total += column.aspect_max or Decimal(0)
        else:
            total += column.maximum
    return plain(total)


def _subtitles(layout: _Layout, part: tuple[int, int] | None) -> tuple[str, ...]:
    sheet = layout.sheet
    groups = "、".join(dict.fromkeys(row.group for row in sheet.rows)) or "—"
    lines = [
        sheet.competition_name,
        _("赛项：{event}　评分项：{component}　组别：{groups}").format(
            event=sheet.event_name, component=sheet.component_name, groups=groups
        ),
    ]
    method = sheet.method.label
    if sheet.method not in (PanelMethod.SINGLE, PanelMethod.WORLDSKILLS):
        method = _("{count} 名裁判，{method}").format(count=len(sheet.columns), method=method)
    details = _("评分方式：{method}；满分 {maximum}").format(method=method, maximum=plain(sheet.max_score))
    if sheet.kind is ComponentKind.PRACTICAL and sheet.time_limit_minutes:
        details += _("；限时 {minutes} 分钟").format(minutes=sheet.time_limit_minutes)
    state = _("；状态：{state}；校验：{check}").format(
        state=sheet.state.label, check=_("双人录入") if sheet.double_entry else _("单人录入＋回读核对")
    )
    if sheet.pass_no == 2:
        state += _("；第二遍录入")
    if part is not None:
        state += _("；第 {number} 部分，共 {total} 部分").format(number=part[0], total=part[1])
    lines.append(details + state)
    return tuple(lines)


def _legend(layout: _Layout) -> tuple[str, ...]:
    sheet = layout.sheet
    notes: list[str] = []
    if sheet.worldskills:
        judges = "　".join(
            dict.fromkeys(
                f"J{column.seat} {column.judge_name or '________'}" for column in sheet.columns if column.judgement
            )
        )
        if judges:
            notes.append(_("评价裁判：{judges}").format(judges=judges))
    if sheet.worldskills:
        notes.append(
            _(
                "M 测量：填实得分，≤ 后为该项满分；J 评价：三名裁判各评 0–3 分，该项得分 = 满分 × 平均分 ÷ 3。"
                "分项页的“本页小计”为该页各项得分之和。"
            )
        )
    kinds: list[FlagKind] = []
    if sheet.worldskills:
        kinds.append(FlagKind.JUDGEMENT_SPREAD)
    elif len(sheet.columns) > 1:
        kinds.append(FlagKind.PANEL_SPREAD)
        if len(sheet.columns) >= 3:
            kinds.append(FlagKind.PATTERN)
    if sheet.has_time:
        kinds.append(FlagKind.TIME)
    explanations = {
        FlagKind.PANEL_SPREAD: _("同一评分组的裁判评分相差超过 {threshold} 分").format(
            threshold=plain(sheet.spread_threshold) if sheet.spread_threshold is not None else "—"
        ),
        FlagKind.PATTERN: _("该裁判的评分明显偏离其平时的评分习惯"),
        FlagKind.JUDGEMENT_SPREAD: _("三名裁判的评价分相差超过 1，须讨论后重评"),
        FlagKind.TIME: _("用时超过限时或明显过短"),
    }
    if sheet.worldskills:
        explanations[FlagKind.JUDGEMENT_SPREAD] += _("（被标记的评价分见分项页）")
    if kinds:
        legend = "；".join(f"{FLAG_SYMBOLS[kind]} {explanations[kind]}" for kind in kinds)
        notes.append(_("标记：{legend}。带底纹的格为被标记的分数；成绩按规则四舍五入到 {decimals} 位小数。").format(
            legend=legend, decimals=layout.printout.total_decimals))  # fmt: skip
    return tuple(notes)


def _flag_notes(layout: _Layout) -> tuple[str, ...]:
    sheet = layout.sheet
    lines = [
        f"{FLAG_SYMBOLS[flag.kind]} {sheet.rows[row].code}：{flag.message}"
        for row, flags in sorted(layout.flags.items())
        for flag in flags
    ]
    if len(lines) > MAX_FLAG_NOTES:
        lines = [
            *lines[:MAX_FLAG_NOTES],
            _("……另有 {count} 处标记，见录入界面").format(count=len(lines) - MAX_FLAG_NOTES),
        ]
    return tuple(lines)


def _fingerprint_label(printout: SheetPrintout) -> str:
    if printout.fingerprint is None:
        return _("第二遍录入不计数据指纹（指纹只对应第一遍、即正式录入的成绩）")
    if printout.fingerprint_recorded:
        return _("数据指纹（SHA-256，锁定时记录）：")
    if printout.sheet.state in (SheetState.LOCKED, SheetState.PUBLISHED):
        return _("数据指纹（SHA-256，锁定时未记录，按当前数据计算）：")
    return _("数据指纹（SHA-256，未锁定，按当前数据计算）：")


def _with_page_fields(document: TableDocument, layout: _Layout) -> TableDocument:
    """The draft banner and watermark, the fingerprint on every page, "第 x 页 共 y 页"."""
    printout = layout.printout
    sheet = printout.sheet
    banner = watermark = None
    if sheet.pass_no == 2:
        banner, watermark = _("第二遍录入核对稿：不作为正式成绩"), _("核对稿")
    elif sheet.state is SheetState.ENTERING:
        banner, watermark = _("草稿：未锁定，不作为正式成绩"), _("草稿 未锁定")
    elif sheet.state is SheetState.VERIFIED:
        banner, watermark = _("已复核，待裁判长签字锁定：不作为正式成绩"), _("未锁定")
    where = f"{sheet.event_name} · {sheet.component_name}"
    if printout.fingerprint is None:
        note = where
    else:
        mark = "" if sheet.state in (SheetState.LOCKED, SheetState.PUBLISHED) else _("（未锁定）")
        note = _("{where}　指纹 {hex}{mark}").format(where=where, hex=group_hex(printout.fingerprint), mark=mark)
    return replace(
        document, banner=banner, watermark=watermark, footer_note=note, page_label=_("第 {number} 页 共 {total} 页")
    )


def _signatures(sheet: Sheet, per_row: int) -> tuple[str, ...]:
    """The panel's judges, then 裁判长 and 日期 on a row of their own."""
    seats: dict[int, str | None] = {}
    for column in sheet.columns:
        if sheet.worldskills and not column.judgement:
            continue
        seats.setdefault(column.seat, column.judge_name)
    labels = []
    for seat, name in sorted(seats.items()):
        role = (
            _("评分裁判")
            if len(seats) == 1
            else (f"J{seat}" if sheet.worldskills else _("{seat}号裁判").format(seat=seat))
        )
        labels.append(f"{role} {name}" if name else role)
    if sheet.worldskills and any(not column.judgement for column in sheet.columns):
        labels.append(_("测量裁判"))
    labels += [""] * (-len(labels) % per_row)
    return (*labels, _("裁判长"), _("日期"))


def _with_closing(documents: tuple[TableDocument, ...], layout: _Layout) -> tuple[TableDocument, ...]:
    """The last part carries the signatures, the lock details and the fingerprint."""
    printout = layout.printout
    sheet = printout.sheet
    closing = [
        _("状态：{state}　复核人：{verifier}　锁定人：{locker}　锁定时间：{locked}　打印时间：{printed}").format(
            state=sheet.state.label,
            verifier=printout.verified_by or "—",
            locker=printout.locked_by or "—",
            locked=local_time(printout.locked_at),
            printed=local_time(printout.printed_at),
        ),
        _fingerprint_label(printout),
    ]
    if printout.fingerprint is not None:
        closing.append(group_hex(printout.fingerprint))
        closing.append(_("核验：{command}").format(command=verify_command(printout)))
    documents = tuple(_with_page_fields(document, layout) for document in documents)
    last = replace(
        documents[-1], signatures=_signatures(sheet, signature_columns(layout.landscape)), closing_lines=tuple(closing)
    )
    return (*documents[:-1], last)


__all__ = [
    "FLAG_SYMBOLS",
    "MAX_ASPECT_COLUMNS",
    "SheetPrintout",
    "group_hex",
    "load_printout",
    "score_sheet_documents",
    "score_sheet_pdf",
    "verify_command",
    "worldskills_parts",
]
