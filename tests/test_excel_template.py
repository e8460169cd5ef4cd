"""The competition workbook template: read back with calamine, it matches the layout in columns.py."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from python_calamine import CalamineWorkbook

from competition_app.excel.columns import SHEETS, Kind, choices
from competition_app.excel.reader import read_workbook
from competition_app.excel.template import instructions, write_template


def test_headers_of_every_sheet_match_the_layout(tmp_path: Path) -> None:
    path = write_template(tmp_path / "template.xlsx", with_scores=True)
    workbook = CalamineWorkbook.from_path(str(path))
    assert workbook.sheet_names == ["说明", "赛事", "赛项", "选手报名", "裁判", "成绩", "选项"]
    for layout in SHEETS:
        if not layout.columns:
            continue
        rows = workbook.get_sheet_by_name(layout.name).to_python()
        assert rows[0] == [column.title for column in layout.columns]
        assert [column.title.endswith("*") for column in layout.columns] == [c.required for c in layout.columns]
        assert str(rows[1][0]).startswith("示例")  # the example row


def test_without_scores_or_example(tmp_path: Path) -> None:
    path = write_template(tmp_path / "bare.xlsx", example=False)
    workbook = CalamineWorkbook.from_path(str(path))
    assert "成绩" not in workbook.sheet_names
    assert workbook.get_sheet_by_name("选手报名").to_python() == [[column.title for column in SHEETS[3].columns]]


def test_instructions_document_every_column(tmp_path: Path) -> None:
    path = write_template(tmp_path / "template.xlsx")
    text = "\n".join(str(row[0]) for row in CalamineWorkbook.from_path(str(path)).get_sheet_by_name("说明").to_python())
    assert text.startswith("竞赛工作簿填写说明")
    for layout in SHEETS:
        for column in layout.columns:
            assert f"{column.header}" in text and column.description in text
    assert text.rstrip("\n") == "\n".join(instructions()).rstrip("\n")


def test_dropdowns_text_formats_and_frozen_header(tmp_path: Path) -> None:
    path = write_template(tmp_path / "template.xlsx")
    lists = choices()
    with zipfile.ZipFile(path) as archive:
        entries_xml = archive.read("xl/worksheets/sheet4.xml").decode()  # 选手报名
        styles = archive.read("xl/styles.xml").decode()
    assert '<pane ySplit="1"' in entries_xml
    validations = re.findall(r'<dataValidation [^>]*sqref="([A-Z]+)2:\1(\d+)"', entries_xml)
    assert {row for _column, row in validations} == {"20001"}
    validated_columns = {column for column, _row in validations}
    layout = SHEETS[3]
    for index, column in enumerate(layout.columns):
        letter = chr(65 + index)
        if column.choices or column.kind in (Kind.ID, Kind.DATE):
            assert letter in validated_columns, column.header
    assert 'formatCode="@"' in styles or 'numFmtId="49"' in styles
    options = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("选项").to_python()
    assert options[0] == list(lists)
    assert [row[list(lists).index("gender")] for row in options[1:3]] == ["男", "女"]


def test_the_template_reads_without_problems(tmp_path: Path) -> None:
    data = read_workbook(write_template(tmp_path / "template.xlsx", with_scores=True))
    assert data.problems == [] and data.warnings == []
    assert all(not sheet.rows for sheet in data.sheets.values())  # only example rows


def test_the_readme_documents_every_column() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    assert "## 竞赛工作簿（Excel 模板与导入）" in readme
    for layout in SHEETS:
        if layout.columns:
            assert f"### 工作表“{layout.name}”" in readme
        for column in layout.columns:
            assert f"| {column.header} | {'是' if column.required else ''} |" in readme, column.header
