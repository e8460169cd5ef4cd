"""The paper workflow's Excel 成绩录入表: one component's sheet written out for clerks to key.

``write_scores_sheet`` writes (xlsxwriter) the sheet as the entry grid shows it: one row per
markable entry or team, named by what the marker sees (检录号 when marking is anonymous, else
参赛编号), one column per panel seat or WorldSkills aspect (× judge for judgement aspects), and
the values already keyed in that pass. Score cells are text ("@"), so "86.50" stays exactly
what was typed; each score column carries a data validation of its range and decimals (a
custom formula, because Excel's own decimal rule refuses a number stored as text).

The block above the header names the competition, event, component and pass, so
``scores_import`` knows where the values belong without being told. The layout constants here
are shared with the importer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from competition_app.domain.marks import plain
from competition_app.excel.reader import column_letter
from competition_app.i18n import _
from competition_app.rules.sheet import Column, Sheet
from competition_app.services.auth import visible_event_ids
from competition_app.services.scores import load_sheet
from competition_app.services.sheets import SheetStatus, event_sheets
from competition_app.text import display_width
from db.models import Competition, Component, Event

__all__ = [
    "ANON_HEADER",
    "BIB_HEADER",
    "GRID_SHEET",
    "HEADER_ROW",
    "INSTRUCTIONS_SHEET",
    "ScoresSheetError",
    "column_key",
    "column_range_text",
    "find_component",
    "find_event",
    "instructions",
    "ranges_text",
    "sheet_choices",
    "write_scores_sheet",
]

GRID_SHEET = "成绩录入"
INSTRUCTIONS_SHEET = "说明"

COMPETITION_LABEL = "赛事"
EVENT_LABEL = "赛项"
COMPONENT_LABEL = "评分项"
PASS_LABEL = "录入遍次"
RULE_LABEL = "评分规则"
RANGE_LABEL = "分值范围"

ANON_HEADER = "检录号"
BIB_HEADER = "参赛编号"
GROUP_HEADER = "组别"
NAME_HEADER = "姓名"
INFO_HEADERS = frozenset({GROUP_HEADER, NAME_HEADER, "序号"})
"""Columns written for the clerk's orientation; the importer ignores them."""

HEADER_ROW = 7
"""Zero-based row of the header: title, four identity rows, the rule and the ranges come first."""


class ScoresSheetError(ValueError):
    """The event or component asked for cannot be found; the message (Chinese) lists what there is."""


# --- columns ------------------------------------------------------------------------------


def column_key(column: Column) -> str:
    """The header a column is recognised by: its label without the judge's name.

    "1号裁判 李四" is recognised as "1号裁判" (judges change seats between export and import);
    a WorldSkills column ("A1.2 J3") and a single mark ("分数") are their label.
    """
    name = column.judge_name
    if column.aspect_id is None and name and column.label.endswith(f" {name}"):
        return column.label[: -len(name) - 1]
    return column.label


def column_range_text(column: Column) -> str:
    """What a column accepts, for the clerk: 0–100，最多1位小数 / 0–3 整数."""
    if column.judgement:
        return _("0–{maximum} 整数").format(maximum=plain(column.maximum))
    if column.decimals == 0:
        return _("0–{maximum} 整数").format(maximum=plain(column.maximum))
    return _("0–{maximum}，最多{decimals}位小数").format(maximum=plain(column.maximum), decimals=column.decimals)


def _rule_text(sheet: Sheet) -> str:
    if sheet.worldskills:
        return _("世赛评分：测量（M）按评分细则给分；评价（J）每位裁判 0–3 分，同一细则的评价分相差不超过 1")
    if len(sheet.columns) == 1:
        return _("满分 {maximum}；单一评分").format(maximum=plain(sheet.max_score))
    return _("满分 {maximum}；{size} 名裁判，{method}").format(
        maximum=plain(sheet.max_score), size=sheet.panel_size, method=sheet.method.label
    )


def pass_text(pass_no: int, double_entry: bool) -> str:
    """The 录入遍次 cell: 第1遍 / 第2遍 (the importer reads the digit)."""
    text = _("第{n}遍").format(n=pass_no)
    if double_entry:
        return text + _("（双人录入）")
    return text + _("（单人录入＋回读核对）")


def instructions(sheet: Sheet) -> list[str]:
    """The lines of the 说明 sheet."""
    code = ANON_HEADER if sheet.anonymous else _("编号")
    ranges = ranges_text(sheet.columns)
    lines = [
        _("成绩录入表填写说明"),
        "",
        _("1. 本表用于录入“{component}”的纸质评分：每行一个{code}，每列一位裁判（或一个评分细则）。").format(
            component=sheet.component_name, code=code
        ),
        _(
            "2. 只在分数列填写，按纸质评分表原样填写（如 86.5）；分数列已设为文本格式，小数不会被改动。"
            "不要改动表头、“{sheet}”表前{rows}行和{code}列，不要插入合并单元格或公式。"
        ).format(sheet=GRID_SHEET, rows=HEADER_ROW + 1, code=code),
        _("3. 分值范围：{ranges}。不是数字、超出范围或小数位数过多的分数导入时会被拒绝，并指出所在的行和列。").format(
            ranges=ranges
        ),
        _("4. 空白单元格不导入，也不会清除数据库中已有的成绩。"),
        _(
            "5. 表中已填入导出时数据库中第{n}遍的成绩。导入时与数据库不同的成绩默认拒绝；确需更正时选择"
            "“替换已有成绩”（命令行 --replace），每处更改单独记入审计日志。"
        ).format(n=sheet.pass_no),
        _("6. 导入是“全部或全不”：任何一处有问题都不会写入，程序列出每个问题所在的工作表、行、列。"),
        _(
            "7. 双人录入时，两名录分员分别导出第1遍和第2遍录入表，各自独立录入；同一成绩的两遍不能由同一人录入，"
            "第1遍录入表也不能作为第2遍导入。"
        ),
        _("8. 导入：程序菜单 评分 → 导入纸质成绩表，或命令行 competition-app scores import 文件.xlsx。"),
        _("9. 评分表已复核或签字锁定后不能导入；如需更正，请裁判长解锁并说明原因。"),
    ]
    return lines


def ranges_text(columns: tuple[Column, ...]) -> str:
    """The ranges of a sheet's columns in one line: one range when every column shares it."""
    if len({(column.maximum, column.decimals, column.judgement) for column in columns}) == 1:
        return column_range_text(columns[0])
    return "；".join(f"{column_key(column)}：{column_range_text(column)}" for column in columns)


# --- writing ------------------------------------------------------------------------------


def write_scores_sheet(
    session: Session, event_id: int, component_id: int, path: Path | str, *, pass_no: int = 1
) -> Path:
    """Write the 成绩录入表 of one component and pass to ``path`` (.xlsx); returns the path.

    Needs 查看成绩 for the event (``PermissionDenied`` otherwise); pass 2 only exists on a
    double-entry sheet (``ScoreError``). Pass 2 is blind: only pass-2 values are filled in.
    """
    import xlsxwriter

    sheet = load_sheet(session, event_id, component_id, pass_no)
    # Rows are named as on the judges' paper: by 检录号 whenever the event marks anonymously
    # (also after 解密, so a sheet printed before it still matches), else by the bib.
    anonymous = bool(session.scalar(select(Event.anonymous_marking).where(Event.id == event_id)))
    path = Path(path)
    workbook = xlsxwriter.Workbook(str(path))
    try:
        formats = _formats(workbook)
        _write_grid(workbook, sheet, formats, ANON_HEADER if anonymous else BIB_HEADER)
        notes = workbook.add_worksheet(INSTRUCTIONS_SHEET)
        notes.set_column(0, 0, 110, formats["wrap"])
        for row, line in enumerate(instructions(sheet)):
            notes.write_string(row, 0, line, formats["title"] if row == 0 else None)
    finally:
        workbook.close()
    return path


def _formats(workbook: Any) -> dict[str, Any]:
    border = {"border": 1, "border_color": "#808080"}
    return {
        "title": workbook.add_format({"bold": True, "font_size": 14}),
        "label": workbook.add_format({"bold": True, "font_color": "#404040"}),
        "value": workbook.add_format({"num_format": "@"}),
        "range": workbook.add_format({"font_color": "#606060", "font_size": 9, "align": "center", "text_wrap": True}),
        "header": workbook.add_format(
            {"bold": True, "bg_color": "#DDEBF7", "text_wrap": True, "align": "center", "valign": "vcenter", **border}
        ),
        "code": workbook.add_format({"bold": True, "num_format": "@", **border}),
        "info": workbook.add_format({"num_format": "@", "font_color": "#404040", **border}),
        "score": workbook.add_format({"num_format": "@", "align": "center", **border}),
        "wrap": workbook.add_format({"text_wrap": True, "valign": "top"}),
    }


def _write_grid(workbook: Any, sheet: Sheet, formats: dict[str, Any], code_header: str) -> None:
    grid = workbook.add_worksheet(GRID_SHEET)
    title = _("{competition} · {event} · {component} 成绩录入表").format(
        competition=sheet.competition_name, event=sheet.event_name, component=sheet.component_name
    )
    if sheet.double_entry:
        title += _("（第{n}遍）").format(n=sheet.pass_no)
    grid.write_string(0, 0, title, formats["title"])
    identity = (
        (COMPETITION_LABEL, sheet.competition_name),
        (EVENT_LABEL, sheet.event_name),
        (COMPONENT_LABEL, sheet.component_name),
        (PASS_LABEL, pass_text(sheet.pass_no, sheet.double_entry)),
        (RULE_LABEL, _rule_text(sheet)),
    )
    for line, (label, text) in enumerate(identity, start=1):
        grid.write_string(line, 0, label, formats["label"])
        grid.write_string(line, 1, text, formats["value"])

    info = [(code_header, 12, "code"), (GROUP_HEADER, 10, "info")]
    if not sheet.anonymous:
        info.append((NAME_HEADER, 10, "info"))
    first_score = len(info)
    rows = [(index, row) for index, row in enumerate(sheet.rows) if row.markable]
    first_data, last_data = HEADER_ROW + 1, HEADER_ROW + max(len(rows), 1)

    grid.write_string(HEADER_ROW - 1, 0, RANGE_LABEL, formats["label"])
    grid.set_row(HEADER_ROW, 36)
    for index, (header, width, _kind) in enumerate(info):
        grid.set_column(index, index, width)
        grid.write_string(HEADER_ROW, index, header, formats["header"])
    for offset, column in enumerate(sheet.columns):
        index = first_score + offset
        grid.set_column(index, index, max(10, display_width(column.label) + 2))
        grid.write_string(HEADER_ROW, index, column.label, formats["header"])
        grid.write_string(HEADER_ROW - 1, index, column_range_text(column), formats["range"])
        grid.write_comment(HEADER_ROW, index, _description(column), {"x_scale": 2})
        _validate(grid, column, index, first_data, last_data)

    for position, (row_index, row) in enumerate(rows):
        excel_row = first_data + position
        grid.write_string(excel_row, 0, row.paper_code or row.code, formats["code"])
        grid.write_string(excel_row, 1, row.group, formats["info"])
        if not sheet.anonymous:
            grid.write_string(excel_row, 2, row.name or "", formats["info"])
        for offset in range(len(sheet.columns)):
            value = sheet.value(row_index, offset)
            text = "" if value is None else plain(value)
            grid.write_string(excel_row, first_score + offset, text, formats["score"])

    grid.freeze_panes(HEADER_ROW + 1, 1)
    grid.repeat_rows(HEADER_ROW - 1, HEADER_ROW)
    grid.set_paper(9)  # A4
    if first_score + len(sheet.columns) > 8:
        grid.set_landscape()
    grid.fit_to_pages(1, 0)
    grid.set_header("&L" + _literal(title)[:200])
    grid.set_footer(
        "&L"
        + _literal(_("裁判签字："))
        + "&C"
        + _("第 &P 页，共 &N 页")
        + "&R"
        + _literal(_("录分员：            日期："))
    )
    grid.activate()


def _description(column: Column) -> str:
    parts = [column.label]
    if column.aspect_max is not None:
        parts.append(_("本细则满分 {maximum}").format(maximum=plain(column.aspect_max)))
    parts.append(_("可填：{range}").format(range=column_range_text(column)))
    return "\n".join(parts)


def _validate(grid: Any, column: Column, index: int, first: int, last: int) -> None:
    """A range check Excel applies while typing; the importer checks the same with ``Column.parse``.

    The cells hold text, so the formula converts with VALUE (Excel's built-in decimal rule
    refuses numbers stored as text). A warning, not a stop: the importer is the real gate, and
    a spreadsheet program that evaluates the formula differently must not lock the clerk out.
    """
    cell = f"{column_letter(index)}{first + 1}"
    number = f"VALUE({cell})"
    decimals = 0 if column.judgement else column.decimals
    formula = (
        f"=AND(ISNUMBER({number}),{number}>=0,{number}<={plain(column.maximum)},ROUND({number},{decimals})={number})"
    )
    grid.data_validation(
        first,
        index,
        last,
        index,
        {
            "validate": "custom",
            "value": formula,
            "ignore_blank": True,
            "input_title": column_key(column)[:32],
            "input_message": column_range_text(column)[:255],
            "error_type": "warning",
            "error_title": _("分数超出范围")[:32],
            "error_message": _("{label}：{range}").format(label=column.label, range=column_range_text(column))[:255],
        },
    )


def _literal(text: str) -> str:
    """Text for a page header or footer, where & starts a code: a literal & is written &&."""
    return text.replace("&", "&&")


# --- finding the event and component a command names ----------------------------------------


@dataclass(frozen=True, slots=True)
class _EventRow:
    id: int
    name: str
    competition: str
    short_name: str | None


def find_event(session: Session, key: str) -> int:
    """The id of the event ``key`` names: its id, its name, or "赛事/赛项" when the name repeats.

    Only events the acting user may see are considered. Raises ``ScoresSheetError`` naming the
    candidates when the name is unknown or ambiguous.
    """
    key = key.strip()
    visible = visible_event_ids(session)
    statement = (
        select(Event.id, Event.name, Competition.name, Competition.short_name)
        .join(Competition, Competition.id == Event.competition_id)
        .order_by(Competition.id, Event.sort_order, Event.id)
    )
    if visible is not None:
        statement = statement.where(Event.id.in_(visible))
    events = [_EventRow(*row) for row in session.execute(statement)]
    if key.isdigit() and any(event.id == int(key) for event in events):
        return int(key)
    competition, _slash, name = key.rpartition("/")
    matches = [
        event
        for event in events
        if event.name == name.strip()
        and (not competition or competition.strip() in (event.competition, event.short_name))
    ]
    if len(matches) == 1:
        return matches[0].id
    if matches:
        raise ScoresSheetError(
            _("有多个名为“{key}”的赛项，请用编号或“赛事/赛项”指定：{candidates}").format(
                key=key, candidates="；".join(f"{event.id}：{event.competition}/{event.name}" for event in matches)
            )
        )
    known = "；".join(f"{event.id}：{event.competition}/{event.name}" for event in events) or _("无")
    raise ScoresSheetError(_("没有赛项“{key}”；您可以看到的赛项：{known}").format(key=key, known=known))


def find_component(session: Session, event_id: int, key: str) -> int:
    """The id of the event's component ``key`` names (its name or id); ``ScoresSheetError`` if none."""
    key = key.strip()
    components = session.execute(
        select(Component.id, Component.name).where(Component.event_id == event_id).order_by(Component.sort_order)
    ).all()
    for component_id, name in components:
        if name == key or (key.isdigit() and component_id == int(key)):
            return int(component_id)
    known = "、".join(f"{component_id}：{name}" for component_id, name in components) or _("无")
    raise ScoresSheetError(_("本赛项没有评分项“{key}”；现有评分项：{known}").format(key=key, known=known))


PASS_DIGIT = re.compile(r"([12])")
"""The digit of a 录入遍次 cell ("第2遍（双人录入）")."""


def sheet_choices(session: Session, event_id: int) -> tuple[str, tuple[SheetStatus, ...]]:
    """The event's name and the sheet of each of its components, to choose one to export or import.

    Needs 查看成绩 for the event (``PermissionDenied`` otherwise).
    """
    sheets = event_sheets(session, event_id)
    name = session.scalar(select(Event.name).where(Event.id == event_id)) or ""
    return name, sheets
