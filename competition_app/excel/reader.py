"""Reading a filled-in competition workbook with python-calamine, cell by cell as its column
expects, with the checks Excel files need before anything is validated against the database.

Structure problems (not an .xlsx file, a corrupt file, a missing sheet, a missing required
column, a merged cell, a formula) and cell problems (a date in 姓名, an ID number stored as a
number, text in a number column) are all collected as ``ImportProblem``s with the sheet, the
Excel row number (the header is row 1) and the column as "D列“证件号码”"; nothing raises.

calamine gives values, not formulas: formula cells are found in the sheet's XML inside the
.xlsx zip (``<c r="B3"><f>…</f>``), which is cheap because only files containing ``<f`` are
scanned with a regular expression.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path, PurePosixPath
from typing import Any

from competition_app.domain.person_fields import clean_text
from competition_app.excel.columns import EXAMPLE_PREFIX, SHEETS, Column, Kind, SheetLayout
from competition_app.i18n import _

__all__ = [
    "ImportProblem",
    "Row",
    "SheetData",
    "WorkbookData",
    "column_letter",
    "read_workbook",
]

Value = str | int | date | tuple[str, ...]

HEADER_SEARCH_ROWS = 10  # a title row or two above the header is tolerated
FORMULA_LIMIT = 50  # formula cells listed per sheet; the rest are counted


@dataclass(frozen=True, slots=True, order=True)
class ImportProblem:
    """One problem (or warning) of an import: where it is and what is wrong, in Chinese.

    ``row`` is the Excel row number (the header is row 1), 0 for the sheet or workbook as a
    whole; ``column`` names the column as "D列“证件号码”", or is empty.
    """

    sheet: str
    row: int
    column: str
    message: str

    def where(self) -> str:
        parts = [self.sheet] if self.sheet else []
        if self.row:
            parts.append(_("第{row}行").format(row=self.row))
        if self.column:
            parts.append(self.column)
        return " ".join(parts)


@dataclass(slots=True)
class Row:
    """One data row: its Excel row number and its values by column key (only non-empty, valid cells)."""

    number: int
    values: dict[str, Value]
    invalid: set[str] = field(default_factory=set)  # keys whose cell was reported already

    def text(self, key: str) -> str:
        value = self.values.get(key)
        return value if isinstance(value, str) else ""

    def optional_text(self, key: str) -> str | None:
        return self.text(key) or None

    def integer(self, key: str) -> int | None:
        value = self.values.get(key)
        return value if isinstance(value, int) else None

    def day(self, key: str) -> date | None:
        value = self.values.get(key)
        return value if isinstance(value, date) else None

    def items(self, key: str) -> tuple[str, ...]:
        value = self.values.get(key)
        return value if isinstance(value, tuple) else ()


@dataclass(slots=True)
class SheetData:
    layout: SheetLayout
    name: str  # as found in the workbook
    rows: list[Row]
    column_labels: dict[str, str]  # key → "D列“证件号码”"
    usable: bool = True  # False when required columns are missing: rows are not checked further
    unread_rows: int = 0  # rows of a sheet only counted, not read (成绩: imported by the scoring module)

    def label(self, key: str) -> str:
        return self.column_labels.get(key) or f"“{self.layout.column(key).header}”"


@dataclass(slots=True)
class WorkbookData:
    path: Path
    sheets: dict[str, SheetData]  # by layout key
    problems: list[ImportProblem]
    warnings: list[ImportProblem]

    def sheet(self, key: str) -> SheetData | None:
        return self.sheets.get(key)


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _column_index(letters: str) -> int:
    index = 0
    for char in letters:
        index = index * 26 + ord(char) - 64
    return index - 1


def _header_text(raw: object) -> str:
    return clean_text(raw).rstrip("*").strip()


# --- the file itself ----------------------------------------------------------------------------


def _file_problem(path: Path) -> str | None:
    if not path.exists():
        return _("文件不存在：{path}").format(path=path)
    if not path.is_file():
        return _("不是文件：{path}").format(path=path)
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return _("只能导入 .xlsx 格式的 Excel 工作簿（Excel 2007 及以后版本）；请在 Excel 中“另存为” .xlsx 后再导入")
    if not zipfile.is_zipfile(path):
        return _(
            "文件已损坏或不是 Excel 工作簿（.xlsx 文件是 zip 压缩包，本文件不是）；请在 Excel 中打开并重新保存后再导入"
        )
    return None


_SHEET_TAG = re.compile(rb"<(?:\w+:)?sheet\b[^>]*>")
_ATTRIBUTE = re.compile(rb'([\w:]+)="([^"]*)"')
_RELATIONSHIP = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")
_FORMULA_CELL = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]+)([0-9]+)"[^>]*>\s*<(?:\w+:)?f[\s>/]')


def _attributes(tag: bytes) -> dict[str, str]:
    return {
        name.decode().rsplit(":", 1)[-1] if name != b"r:id" else "r:id": _unescape(value.decode("utf-8"))
        for name, value in _ATTRIBUTE.findall(tag)
    }


def _unescape(text: str) -> str:
    return (
        text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", '"')
        .replace("&apos;", "'")
        .replace("&amp;", "&")
    )


def _sheet_paths(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → its XML part inside the zip, via xl/workbook.xml and its relationships."""
    workbook = archive.read("xl/workbook.xml")
    rels = archive.read("xl/_rels/workbook.xml.rels")
    targets: dict[str, str] = {}
    for tag in _RELATIONSHIP.findall(rels):
        attributes = _attributes(tag)
        target = attributes.get("Target", "")
        if target.startswith("/"):
            path = target.lstrip("/")
        else:
            path = str(PurePosixPath("xl") / target)
        targets[attributes.get("Id", "")] = path
    paths: dict[str, str] = {}
    for tag in _SHEET_TAG.findall(workbook):
        attributes = _attributes(tag)
        rel_id = attributes.get("r:id") or attributes.get("id", "")
        if "name" in attributes and rel_id in targets:
            paths[attributes["name"]] = targets[rel_id]
    return paths


def _formula_cells(path: Path, sheet_names: Iterable[str]) -> dict[str, list[tuple[int, int]]]:
    """(zero-based row, column) of every formula cell in the named sheets."""
    found: dict[str, list[tuple[int, int]]] = {}
    try:
        with zipfile.ZipFile(path) as archive:
            paths = _sheet_paths(archive)
            for name in sheet_names:
                part = paths.get(name)
                if part is None:
                    continue
                data = archive.read(part)
                if b"<f" not in data and b":f" not in data:
                    continue
                found[name] = [
                    (int(row) - 1, _column_index(letters.decode())) for letters, row in _FORMULA_CELL.findall(data)
                ]
    except (KeyError, zipfile.BadZipFile, OSError):
        return found  # calamine read it; a part we cannot find simply has no formulas to report
    return found


# --- cells --------------------------------------------------------------------------------------

_LIST_SPLIT = re.compile(r"[、,，;；/]")
_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_DATE_DIGITS = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_NEEDS_CLEANING = re.compile(r"\s{2,}|[^\S ]")


class _CellError(ValueError):
    pass


class _Cleaner:
    """``clean_text`` with a memo and a fast path: most cells are already clean, many repeat."""

    def __init__(self) -> None:
        self._memo: dict[str, str] = {}

    def __call__(self, raw: str) -> str:
        cleaned = self._memo.get(raw)
        if cleaned is None:
            if raw == raw.strip() and unicodedata.is_normalized("NFKC", raw) and not _NEEDS_CLEANING.search(raw):
                cleaned = raw
            else:
                cleaned = clean_text(raw)
            self._memo[raw] = cleaned
        return cleaned


def _number_text(value: float | int) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _date_problem(value: object) -> str:
    if isinstance(value, datetime):
        shown = value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    elif isinstance(value, date):
        shown = value.isoformat()
    else:
        shown = str(value)
    return _(
        "是日期或时间（{value}），本列应为文字：Excel 把输入识别成了日期；请将该列设置为文本格式后重新输入"
    ).format(value=shown)


def _parse_date_text(text: str) -> date:
    match = _DATE_TEXT.match(text) or _DATE_DIGITS.match(text)
    if match is None:
        raise _CellError(_("“{value}”不是日期，请填写如 2026-05-20").format(value=text))
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        raise _CellError(_("日期“{value}”不存在").format(value=text)) from None


def _convert(column: Column, raw: Any, clean: _Cleaner) -> Value | None:  # noqa: PLR0911, PLR0912
    """The cell's value for its column, None when empty; raises ``_CellError`` (Chinese)."""
    kind = column.kind
    if isinstance(raw, str):
        text = clean(raw)
        if not text:
            return None
        if kind is Kind.DATE:
            return _parse_date_text(text)
        if kind is Kind.INT:
            if re.fullmatch(r"[+-]?\d+(\.0+)?", text):
                return int(float(text))
            raise _CellError(_("应为整数，实际为“{value}”").format(value=text))
        if kind is Kind.LIST:
            return tuple(item for item in (clean(part) for part in _LIST_SPLIT.split(text)) if item)
        return text
    if isinstance(raw, bool):
        if kind in (Kind.CHOICE, Kind.TEXT):
            return _("是") if raw else _("否")
        raise _CellError(_("是逻辑值（{value}），本列不接受").format(value="TRUE" if raw else "FALSE"))
    if isinstance(raw, (datetime, date)):
        if kind is Kind.DATE:
            return raw.date() if isinstance(raw, datetime) else raw
        raise _CellError(_date_problem(raw))
    if isinstance(raw, (time, timedelta)):
        raise _CellError(_date_problem(raw))
    if isinstance(raw, (int, float)):
        if kind is Kind.ID and abs(raw) < 1e15:
            raise _CellError(
                _("证件号码被保存成了数字（{value}）：请将该列设置为文本格式后重新输入完整号码").format(
                    value=_number_text(raw)
                )
            )
        if kind is Kind.ID:
            raise _CellError(
                _(
                    "证件号码被保存成了数字（{value}）：Excel 数字只保留15位有效数字，号码末尾几位已经丢失；"
                    "请将该列设置为文本格式（或在号码前加英文单引号 '）后重新输入"
                ).format(value=f"{raw:.14E}")
            )
        if kind is Kind.DATE:
            raise _CellError(
                _("“{value}”不是日期：请填写日期（如 2026-05-20），或将单元格设置为日期格式").format(
                    value=_number_text(raw)
                )
            )
        if kind is Kind.INT:
            if isinstance(raw, int) or raw.is_integer():
                return int(raw)
            raise _CellError(_("应为整数，实际为{value}").format(value=raw))
        if kind in (Kind.PHONE, Kind.CODE) and not (isinstance(raw, int) or raw.is_integer()):
            raise _CellError(_("应为文字，实际为数字{value}；请将该列设置为文本格式").format(value=raw))
        text = _number_text(raw)
        if kind is Kind.LIST:
            return (text,)
        return text
    if raw is None:
        return None
    raise _CellError(_("无法识别的单元格内容：{value}").format(value=raw))


# --- sheets -------------------------------------------------------------------------------------


def _find_header(grid: list[list[Any]], layout: SheetLayout) -> int | None:
    known = {_header_text(column.header) for column in layout.columns}
    best, best_count = None, 0
    for index, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        count = sum(1 for cell in row if isinstance(cell, str) and _header_text(cell) in known)
        if count > best_count:
            best, best_count = index, count
    return best


def _read_sheet(  # noqa: PLR0912
    layout: SheetLayout,
    name: str,
    grid: list[list[Any]],
    *,
    merged: list[tuple[tuple[int, int], tuple[int, int]]],
    formulas: list[tuple[int, int]],
    clean: _Cleaner,
    problems: list[ImportProblem],
    warnings: list[ImportProblem],
) -> SheetData:
    def problem(row: int, column: str, message: str) -> None:
        problems.append(ImportProblem(name, row, column, message))

    sheet = SheetData(layout, name, [], {})
    header_index = _find_header(grid, layout)
    if header_index is None:
        required = "、".join(f"“{column.header}”" for column in layout.columns if column.required)
        problem(
            1,
            "",
            _("找不到表头：第1行应为列名（必填列：{required}）；请使用导入模板，不要删除或改动表头").format(
                required=required
            ),
        )
        sheet.usable = False
        return sheet
    header_row = header_index + 1
    by_header = {_header_text(column.header): column for column in layout.columns}
    positions: dict[str, int] = {}
    for index, cell in enumerate(grid[header_index]):
        text = _header_text(cell)
        if not text:
            continue
        column = by_header.get(text)
        header = column.header if column is not None else clean_text(cell)
        label = _("{letter}列“{header}”").format(letter=column_letter(index), header=header)
        if column is None:
            warnings.append(ImportProblem(name, header_row, label, _("不是模板中的列，已忽略")))
        elif column.key in positions:
            problem(header_row, label, _("列名重复：与{other}相同").format(other=sheet.column_labels[column.key]))
            sheet.usable = False
        else:
            positions[column.key] = index
            sheet.column_labels[column.key] = label
    for column in layout.columns:
        if column.required and column.key not in positions:
            problem(header_row, "", _("缺少必填列“{header}”").format(header=column.header))
            sheet.usable = False
    for (top, left), (bottom, right) in merged:
        if bottom < header_index:
            continue  # a merged title above the header is harmless
        area = f"{column_letter(left)}{top + 1}:{column_letter(right)}{bottom + 1}"
        problem(
            top + 1,
            _("{letter}列").format(letter=column_letter(left)),
            _("合并单元格 {area}：导入要求每个单元格各自填写，请取消合并并在每行填入相应的值").format(area=area),
        )
        sheet.usable = False
    columns_at = {index: key for key, index in positions.items()}
    listed = 0
    formula_count = 0
    for row_index, column_index in formulas:
        if row_index < header_index or column_index not in columns_at:
            continue
        formula_count += 1
        if listed < FORMULA_LIMIT:
            listed += 1
            cell = f"{column_letter(column_index)}{row_index + 1}"
            problem(
                row_index + 1,
                sheet.column_labels[columns_at[column_index]],
                _("单元格 {cell} 是公式：导入只接受直接填写的值；请复制后“选择性粘贴为数值”").format(cell=cell),
            )
    if formula_count > listed:
        problem(0, "", _("另有{count}个公式单元格未逐一列出").format(count=formula_count - listed))
    if formula_count:
        sheet.usable = False
    if not sheet.usable:
        return sheet
    _read_rows(sheet, grid, header_index=header_index, positions=positions, clean=clean, problem=problem)
    return sheet


def _read_rows(
    sheet: SheetData,
    grid: list[list[Any]],
    *,
    header_index: int,
    positions: dict[str, int],
    clean: _Cleaner,
    problem: Callable[[int, str, str], None],
) -> None:
    layout = sheet.layout
    wanted = [(layout.column(key), index) for key, index in positions.items()]
    first_key = layout.columns[0].key
    first_data_row = True
    for row_index in range(header_index + 1, len(grid)):
        cells = grid[row_index]
        width = len(cells)
        values: dict[str, Value] = {}
        invalid: set[str] = set()
        number = row_index + 1
        errors: list[tuple[str, str]] = []
        for column, index in wanted:
            raw = cells[index] if index < width else None
            if raw == "" or raw is None:
                continue
            try:
                value = _convert(column, raw, clean)
            except _CellError as error:
                invalid.add(column.key)
                errors.append((sheet.column_labels[column.key], str(error)))
                continue
            if value is not None and value != ():
                values[column.key] = value
        if not values and not invalid:
            continue  # an empty row (calamine pads the grid to the used range)
        if first_data_row:
            first_data_row = False
            first = values.get(first_key)
            if isinstance(first, str) and first.startswith(EXAMPLE_PREFIX):
                continue
        for label, message in errors:
            problem(number, label, message)
        for column in layout.columns:
            if column.required and column.key not in values and column.key not in invalid:
                problem(number, sheet.column_labels[column.key], _("必填，不能为空"))
                invalid.add(column.key)
        sheet.rows.append(Row(number, values, invalid))


def _count_rows(grid: list[list[Any]]) -> int:
    """Data rows below the header (row 1) with anything in them, the example row not counted."""
    rows = [row for row in grid[1:] if any(cell not in ("", None) for cell in row)]
    if rows and isinstance(rows[0][0], str) and clean_text(rows[0][0]).startswith(EXAMPLE_PREFIX):
        rows = rows[1:]
    return len(rows)


def _suggest(name: str, present: list[str]) -> str | None:
    close = difflib.get_close_matches(name, present, n=1, cutoff=0.4)
    return close[0] if close else None


def read_workbook(path: Path | str) -> WorkbookData:  # noqa: PLR0912
    """Read every known sheet of the workbook at ``path``; never raises for a bad file.

    Problems make the import impossible (it stops before touching the database); warnings
    (extra columns, sheets not in the template) are shown but do not stop it.
    """
    from python_calamine import CalamineError, CalamineWorkbook

    path = Path(path)
    data = WorkbookData(path, {}, [], [])
    message = _file_problem(path)
    if message is not None:
        data.problems.append(ImportProblem("", 0, "", message))
        return data
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except PermissionError:
        data.problems.append(ImportProblem("", 0, "", _("没有权限读取文件；如果文件在 Excel 中打开着，请先关闭")))
        return data
    except (CalamineError, OSError, ValueError) as error:
        data.problems.append(
            ImportProblem("", 0, "", _("无法读取工作簿：文件已损坏或不是 Excel 工作簿（{error}）").format(error=error))
        )
        return data
    with workbook:
        present = list(workbook.sheet_names)
        by_clean_name = {clean_text(name): name for name in present}
        clean = _Cleaner()
        found: dict[str, str] = {}
        for layout in SHEETS:
            if not layout.columns:
                continue
            name = by_clean_name.get(layout.name)
            if name is not None:
                found[layout.key] = name
                continue
            if layout.required:
                suggestion = _suggest(layout.name, [n for n in present if clean_text(n) not in _KNOWN_NAMES])
                text = _("缺少工作表“{name}”（工作簿中的工作表：{present}）").format(
                    name=layout.name, present="、".join(present) or _("无")
                )
                if suggestion:
                    text += _("；是否应将“{found}”改名为“{name}”？").format(found=suggestion, name=layout.name)
                data.problems.append(ImportProblem(layout.name, 0, "", text))
        for name in present:
            if clean_text(name) not in _KNOWN_NAMES and clean_text(name) != _OPTIONS_SHEET:
                data.warnings.append(ImportProblem(name, 0, "", _("不是模板中的工作表，已忽略")))
        formulas = _formula_cells(path, found.values())
        for layout in SHEETS:
            name = found.get(layout.key)
            if name is None:
                continue
            try:
                worksheet = workbook.get_sheet_by_name(name)
                grid = worksheet.to_python(skip_empty_area=False)
                merged = worksheet.merged_cell_ranges or []
            except (CalamineError, OSError, ValueError) as error:
                data.problems.append(ImportProblem(name, 0, "", _("无法读取此工作表：{error}").format(error=error)))
                continue
            if layout.key == "scores":
                data.sheets[layout.key] = SheetData(layout, name, [], {}, usable=False, unread_rows=_count_rows(grid))
                continue
            data.sheets[layout.key] = _read_sheet(
                layout, name, grid, merged=merged, formulas=formulas.get(name, []), clean=clean,
                problems=data.problems, warnings=data.warnings,
            )  # fmt: skip
    return data


_KNOWN_NAMES = frozenset(layout.name for layout in SHEETS)
_OPTIONS_SHEET = "选项"  # the template's hidden sheet of dropdown lists
