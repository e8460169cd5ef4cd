"""Writing the competition workbook template (xlsxwriter) from the layout in ``columns``.

Each data sheet gets a bold, frozen header row (required columns end with *), text format on
text columns (so Excel keeps an ID number's 18 digits and a bib's leading zeros), date format
on date columns, dropdowns for the columns with a fixed list (from a hidden sheet 选项, since
Excel limits a literal list to 255 characters), an input message on ID columns, and an example
row in grey italics whose first cell starts with 示例, which the importer skips.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from competition_app.excel.columns import (
    EXAMPLE_PREFIX,
    INSTRUCTIONS,
    SHEETS,
    Column,
    Kind,
    SheetLayout,
    choices,
)
from competition_app.i18n import _

__all__ = ["VALIDATED_ROWS", "instructions", "write_template"]

VALIDATED_ROWS = 20_000  # data rows 2 … 20001 carry the dropdowns and formats
OPTIONS_SHEET = "选项"


def instructions() -> list[str]:
    """The lines of the 说明 sheet."""
    lines = [
        _("竞赛工作簿填写说明"),
        "",
        _("1. 表头（第1行）不要修改、删除或合并；列的顺序可以调整，多出的列导入时忽略并提示。带 * 的列必须填写。"),
        _("2. 每个表第2行是灰色斜体的示例行（第一列以“{prefix}”开头），导入时跳过；可直接覆盖或删除。").format(
            prefix=EXAMPLE_PREFIX
        ),
        _("3. 证件号码、手机、参赛编号等列已设为文本格式，请勿改成数字：超过15位的数字会被 Excel 截断。"),
        _("4. 不要使用合并单元格和公式；从其他表格复制时请“选择性粘贴为数值”。"),
        _("5. 带下拉箭头的列请从列表中选择；日期写成 2026-05-20。"),
        _("6. 导入是“全部或全不”：任何一行有问题都不会写入，程序会列出所有问题（工作表、行、列、原因）。"),
        _(
            "7. 再次导入同一工作簿不会重复添加：人员按证件类型和号码匹配，报名按赛项和人员匹配；"
            "空白单元格不会清除已有信息。"
        ),
        "",
    ]
    for sheet in SHEETS:
        if not sheet.columns:
            continue
        lines.append(_("【{name}】{description}").format(name=sheet.name, description=sheet.description))
        for column in sheet.columns:
            required = _("（必填）") if column.required else ""
            lines.append(f"    {column.header}{required}：{column.description}")
        lines.append("")
    return lines


def write_template(path: Path | str, *, with_scores: bool = False, example: bool = True) -> Path:
    """Write the template to ``path`` (.xlsx); ``with_scores`` adds the optional 成绩 sheet."""
    import xlsxwriter

    path = Path(path)
    workbook = xlsxwriter.Workbook(str(path))
    try:
        formats = _formats(workbook)
        lists = choices()
        _write_instructions(workbook, formats)
        for sheet in SHEETS:
            if not sheet.columns or (sheet.key == "scores" and not with_scores):
                continue
            _write_sheet(workbook, sheet, formats, lists, example=example)
        options = workbook.add_worksheet(OPTIONS_SHEET)
        for index, (name, values) in enumerate(lists.items()):
            options.write_string(0, index, name)
            for row, value in enumerate(values, start=1):
                options.write_string(row, index, value)
        options.hide()
    finally:
        workbook.close()
    return path


def _formats(workbook: Any) -> dict[str, Any]:
    return {
        "header": workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True}),
        "required": workbook.add_format(
            {"bold": True, "bg_color": "#FCE4D6", "border": 1, "text_wrap": True, "font_color": "#C00000"}
        ),
        "text": workbook.add_format({"num_format": "@"}),
        "date": workbook.add_format({"num_format": "yyyy-mm-dd"}),
        "example": workbook.add_format({"italic": True, "font_color": "#808080", "num_format": "@"}),
        "example_date": workbook.add_format({"italic": True, "font_color": "#808080", "num_format": "yyyy-mm-dd"}),
        "title": workbook.add_format({"bold": True, "font_size": 14}),
        "wrap": workbook.add_format({"text_wrap": True, "valign": "top"}),
    }


def _write_instructions(workbook: Any, formats: dict[str, Any]) -> None:
    sheet = workbook.add_worksheet(INSTRUCTIONS.name)
    sheet.set_column(0, 0, 110, formats["wrap"])
    for row, line in enumerate(instructions()):
        sheet.write_string(row, 0, line, formats["title"] if row == 0 else None)


def _column_range(index: int) -> tuple[int, int, int, int]:
    return (1, index, VALIDATED_ROWS, index)


def _write_sheet(
    workbook: Any, layout: SheetLayout, formats: dict[str, Any], lists: dict[str, tuple[str, ...]], *, example: bool
) -> None:
    sheet = workbook.add_worksheet(layout.name)
    sheet.freeze_panes(1, 0)
    sheet.set_row(0, 30)
    list_columns = {name: index for index, name in enumerate(lists)}
    for index, column in enumerate(layout.columns):
        cell_format = formats["date"] if column.kind is Kind.DATE else formats["text"] if column.kind.is_text else None
        sheet.set_column(index, index, column.width, cell_format)
        sheet.write_string(0, index, column.title, formats["required" if column.required else "header"])
        sheet.write_comment(0, index, column.description, {"x_scale": 2})
        if column.choices:
            letter = _letter(list_columns[column.choices])
            count = len(lists[column.choices])
            sheet.data_validation(
                *_column_range(index),
                {
                    "validate": "list",
                    "source": f"={OPTIONS_SHEET}!${letter}$2:${letter}${count + 1}",
                    "error_type": "warning",
                    "error_title": _("不在列表中"),
                    "error_message": _("请从下拉列表中选择；{text}").format(text=column.description)[:225],
                },
            )
        elif column.kind is Kind.ID:
            sheet.data_validation(
                *_column_range(index),
                {
                    "validate": "any",
                    "input_title": column.header[:32],
                    "input_message": _("以文本填写完整号码（18位身份证号含末位X）；不要设为数字格式"),
                },
            )
        elif column.kind is Kind.DATE:
            sheet.data_validation(
                *_column_range(index),
                {
                    "validate": "date",
                    "criteria": "between",
                    "minimum": _date(1900, 1, 1),
                    "maximum": _date(2100, 12, 31),
                    "error_type": "warning",
                    "error_message": _("请填写日期，如 2026-05-20"),
                },
            )
        if example:
            _write_example(sheet, index, column, formats)


def _write_example(sheet: Any, index: int, column: Column, formats: dict[str, Any]) -> None:
    value = column.example
    if index == 0 and not value.startswith(EXAMPLE_PREFIX):
        value = f"{EXAMPLE_PREFIX}：{value}"
    if not value:
        return
    if column.kind is Kind.DATE:
        year, month, day = (int(part) for part in value.split("-"))
        sheet.write_datetime(1, index, _date(year, month, day), formats["example_date"])
    elif column.kind is Kind.INT:
        sheet.write_number(1, index, int(value), formats["example"])
    else:
        sheet.write_string(1, index, value, formats["example"])


def _date(year: int, month: int, day: int) -> Any:
    from datetime import datetime

    return datetime(year, month, day)


def _letter(index: int) -> str:
    from competition_app.excel.reader import column_letter

    return column_letter(index)
