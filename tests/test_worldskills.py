"""WorldSkills marking (DOMAIN §7): the CIS marking-scheme import, aspect marks, standardisation.

The real fixture is WorldSkills UK's public "CIS Marking Scheme Import" workbook for the 2024
national finals, skill 17 Web Technologies (see fixtures/worldskills/SOURCE.md). The numbers
asserted for it below were read once from its cached cell values (python-calamine) and are
hard-coded here as the facts of that file, with the sheet rows they come from.

Other workbooks are built in the tests: a copy of the real one with one cached value changed
(its XML edited inside the zip, so every other cell stays exactly as published), and small
schemes written from scratch by a minimal xlsx writer (no openpyxl needed).
"""

from __future__ import annotations

import argparse
import json
import re
import zipfile
from collections.abc import Callable, Sequence
from decimal import Decimal, localcontext
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from hypothesis import given
from hypothesis import strategies as st

from competition_app.domain.enums import AspectType
from competition_app.rules.model import ScoringRules, Standardisation
from competition_app.worldskills.cli import add_marking_scheme_command
from competition_app.worldskills.marking import RE_MARK_FLAG, MarkingError, aspect_mark, score_scheme
from competition_app.worldskills.scheme import (
    MAIN_SHEET,
    Aspect,
    MarkingScheme,
    MarkingSchemeError,
    decode_parameters,
    parse_marking_scheme,
    read_marking_scheme,
    scheme_to_json,
    wsos_aspect_totals,
)
from competition_app.worldskills.standardise import standardise

ROOT = Path(__file__).resolve().parents[1]
FIXTURE_NAME = "wsuk_nationals_2024_web_development_cis.xlsx"
FIXTURE_CANDIDATES = (
    ROOT / "tests" / "fixtures" / "worldskills" / FIXTURE_NAME,
    Path("/work/shared/fixtures/worldskills") / FIXTURE_NAME,
)
D = Decimal
RULES = ScoringRules(components=())


# --- workbooks ---------------------------------------------------------------


@pytest.fixture(scope="module")
def real_path() -> Path:
    for candidate in FIXTURE_CANDIDATES:
        if candidate.is_file():
            return candidate
    pytest.fail(f"fixture {FIXTURE_NAME} not found; copy it to {FIXTURE_CANDIDATES[0]}")


@pytest.fixture(scope="module")
def real_scheme(real_path: Path) -> MarkingScheme:
    return read_marking_scheme(real_path)


def _column(index: int) -> str:
    letters = ""
    number = index + 1
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _cell_xml(reference: str, value: object) -> str:
    if isinstance(value, bool):
        return f'<c r="{reference}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{reference}"><v>{value!r}</v></c>'
    text = escape(str(value))
    return f'<c r="{reference}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def write_xlsx(path: Path, sheets: dict[str, Sequence[Sequence[object]]]) -> Path:
    """The smallest workbook Excel and calamine accept: inline strings, no styles."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    relationships = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    package = "http://schemas.openxmlformats.org/package/2006/relationships"
    worksheet_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{number}.xml" ContentType="{worksheet_type}"/>'
        for number in range(1, len(sheets) + 1)
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            f"{overrides}</Types>",
        )
        archive.writestr(
            "_rels/.rels",
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{package}">'
            f'<Relationship Id="rId1" Type="{relationships}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>",
        )
        entries = "".join(
            f'<sheet name="{escape(name)}" sheetId="{number}" r:id="rId{number}"/>'
            for number, name in enumerate(sheets, start=1)
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{main}" xmlns:r="{relationships}">'
            f"<sheets>{entries}</sheets></workbook>",
        )
        links = "".join(
            f'<Relationship Id="rId{number}" Type="{relationships}/worksheet" Target="worksheets/sheet{number}.xml"/>'
            for number in range(1, len(sheets) + 1)
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{package}">{links}</Relationships>',
        )
        for number, rows in enumerate(sheets.values(), start=1):
            body = "".join(
                f'<row r="{row_number}">'
                + "".join(
                    _cell_xml(f"{_column(column)}{row_number}", value)
                    for column, value in enumerate(row)
                    if value is not None and value != ""
                )
                + "</row>"
                for row_number, row in enumerate(rows, start=1)
            )
            archive.writestr(
                f"xl/worksheets/sheet{number}.xml",
                f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{main}">'
                f"<sheetData>{body}</sheetData></worksheet>",
            )
    return path


def rewrite_member(source: Path, target: Path, member: str, change: Callable[[str], str]) -> Path:
    """Copy a workbook, passing one XML part through ``change``; every other part is copied byte for byte."""
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as copy:
        for info in original.infolist():
            data = original.read(info)
            if info.filename == member:
                changed = change(data.decode("utf-8"))
                assert changed != data.decode("utf-8"), "the change did not apply"
                data = changed.encode("utf-8")
            copy.writestr(info, data)
    return target


ASPECT_HEADER = [
    "Sub\nCriterion\nID",
    "Sub Criterion\nName or Description",
    "Day of Marking",
    "Aspect\nType\nM = Meas\nJ = Judg",
    "Aspect - Description",
    "Judg Score",
    "Extra Aspect Description (Meas or Judg)\nOR\nJudgement Score Description (Judg only)",
    "Requirement\n(Measurement Only)",
    "WSOS Section",
    "Calculation Row \n(Export only)",
    "Max\nMark",
]
GAP = [""] * 6  # the merged name cells between a table's first two columns and its numbers


def _aspect(kind: str, description: str, wsos: object, max_mark: object, calculation: str = "") -> list[object]:
    return ["", "", "", kind, description, "", "", "", wsos, calculation, max_mark]


def _levels(*descriptors: str) -> list[list[object]]:
    return [["", "", "", "", "", float(score), text] for score, text in enumerate(descriptors)]


def tiny_rows() -> list[list[object]]:
    """A consistent two-criterion scheme laid out like the CIS template (columns A–N)."""
    return [
        ["Tiny Skill"],
        [],
        ["WorldSkills Occupational Standards"],
        ["Section", "WSOS Marks", *GAP, "WSOS Marks", "Aspect Marks", "Variation"],
        [1.0, "Planning", *GAP, 60.0, 60.0, 0.0],
        [2.0, "Making", *GAP, 40.0, 40.0, 0.0],
        ["", "", *GAP, "Total Variation", "", 0.0],
        [],
        ["Criteria"],
        ["ID", "Name", *GAP, "", "", "Mark"],
        ["A", "Design", *GAP, "", "", 60.0],
        ["B", "Build", *GAP, "", "", 40.0],
        [],
        [*ASPECT_HEADER, "Criterion A", "Total\nMark", 60.0],
        ["A1", "Layout", "1"],
        _aspect("J", "Looks like the design", 1.0, 30.0),
        *_levels("Nothing like it", "Some resemblance", "Close", "Pixel perfect"),
        [],
        ["", "", "", "", "Header"],
        _aspect("M", "Has a title", 1.0, 30.0, calculation="Deduct .5"),
        [*ASPECT_HEADER, "Criterion B", "Total\nMark", 40.0],
        ["B1", "Code", 2.0],
        _aspect("M", "Runs", 2.0, 40.0),
        ["", "", "", "", "", "", "", "", "", "", "", "Competition", "Total\nMark", 100.0],
    ]


def tiny_calculations() -> list[list[object]]:
    packed = "DEDUCTION_TYPE:::#x~x#UNIT#-#DEDUCTION:::0.50000000#x~x#"
    return [[], ["Deduct .5", "REGULAR_DIFFERENCE_DEDUCTION", True, packed]]


def tiny_scheme(rows: list[list[object]] | None = None) -> MarkingScheme:
    return parse_marking_scheme(rows if rows is not None else tiny_rows(), tiny_calculations(), source="tiny.xlsx")


def write_tiny(path: Path, rows: list[list[object]] | None = None) -> Path:
    return write_xlsx(
        path, {MAIN_SHEET: rows if rows is not None else tiny_rows(), "Calculations": tiny_calculations()}
    )


# --- the real workbook -----------------------------------------------------


def test_real_workbook_criteria_and_marks(real_scheme: MarkingScheme) -> None:
    # Sheet "CIS Marking Scheme Import": A1 holds the skill; rows 15–18 the Criteria table (Mark in column K).
    assert real_scheme.skill == "17 Web Technologies"
    assert [(c.id, c.name, c.mark) for c in real_scheme.criteria] == [
        ("A", "Design Implementation", D(30)),
        ("B", "Front-end Development", D(30)),
        ("C", "Back-end Deveopment", D(20)),  # sic: the file's spelling
        ("D", "Speed", D(20)),
    ]
    assert all(criterion.mark_stated for criterion in real_scheme.criteria)
    # Summed from the aspect rows' Max Mark (column K), they match the stated marks exactly.
    assert [c.aspect_marks for c in real_scheme.criteria] == [D(30), D(30), D(20), D(20)]
    assert real_scheme.total == D(100)
    assert sum((aspect.max_mark for aspect in real_scheme.aspects()), D(0)) == D(100)
    assert [len(c.sub_criteria) for c in real_scheme.criteria] == [5, 8, 7, 10]
    assert [sum(len(s.aspects) for s in c.sub_criteria) for c in real_scheme.criteria] == [68, 62, 42, 48]
    kinds = [aspect.type for aspect in real_scheme.aspects()]
    assert (kinds.count(AspectType.MEASUREMENT), kinds.count(AspectType.JUDGEMENT)) == (201, 19)
    a2 = real_scheme.criteria[0].sub_criteria[1]
    assert (a2.id, a2.name, a2.aspect_marks) == ("A2", "Design Implementation", D(15))
    d = real_scheme.criteria[3]
    assert [s.aspect_marks for s in d.sub_criteria] == [
        D(s) for s in "1.25 3.75 2.5 1.25 1.25 1.25 2.5 3.75 1.25 1.25".split()
    ]


def test_real_workbook_aspects(real_scheme: MarkingScheme) -> None:
    first = real_scheme.aspect("A1.1")  # row 23
    assert first == Aspect(
        id="A1.1",
        sub_criterion_id="A1",
        type=AspectType.JUDGEMENT,
        description="Overall page design is responsive",
        max_mark=D("0.25"),
        wsos_section=4,
        day="1",
        descriptors=(
            "All common elements are not responsive at all",
            "At least one common element is responsive when changing between the defined viewports",
            "All common elements look good on the defined viewports, but not between them",
            real_scheme.aspect("A1.1").descriptors[3],
        ),
    )
    assert first.descriptors[3].startswith("When scaling the browser between at diffrent resolutions")
    hero = real_scheme.aspect("A2.7")  # row 70, under the heading row "Header + Hero"
    assert hero.type is AspectType.MEASUREMENT
    assert hero.extra_description == "Deduct 0.25 if transitions are abrupt or not timed correctly"
    assert hero.heading == "Header + Hero"
    assert hero.max_mark == D("0.5")
    assert real_scheme.aspect("D10.5").day == "2"  # inherited from the sub-criterion row D10 (day 2)
    judged = [aspect for aspect in real_scheme.aspects() if aspect.type is AspectType.JUDGEMENT]
    assert len(judged) == 19
    assert all(len(aspect.descriptors) == 4 and all(aspect.descriptors) for aspect in judged)
    assert all(not aspect.descriptors for aspect in real_scheme.aspects() if aspect.type is AspectType.MEASUREMENT)
    assert all(aspect.calculation is None for aspect in real_scheme.aspects())  # "Export only" column is empty


def test_real_workbook_wsos_table_and_its_inconsistency(real_scheme: MarkingScheme) -> None:
    # Rows 5–9: Section, name, WSOS Marks (column I), Aspect Marks (column J, typed in, not a formula).
    assert [(s.id, s.name, s.marks, s.aspect_marks) for s in real_scheme.wsos] == [
        (1, "Work organization and management", D(5), D(15)),
        (2, "Communication and interpersonal skills", D(5), D(15)),
        (3, "Design implementation", D(25), D(27)),
        (4, "Front-end development", D(25), D(23)),
        (5, "Back-end development", D(40), D(20)),
    ]
    # The aspects' own WSOS Section column (I) distributes the 100 marks quite differently.
    assert wsos_aspect_totals(real_scheme) == {1: D(6), 2: D(1), 3: D(7), 4: D(60), 5: D(26)}
    assert list(real_scheme.problems) == [
        "WSOS 第 1 节“Work organization and management”：文件“Aspect Marks”列为 15，按评分项统计为 6",
        "WSOS 第 2 节“Communication and interpersonal skills”：文件“Aspect Marks”列为 15，按评分项统计为 1",
        "WSOS 第 3 节“Design implementation”：文件“Aspect Marks”列为 27，按评分项统计为 7",
        "WSOS 第 4 节“Front-end development”：文件“Aspect Marks”列为 23，按评分项统计为 60",
        "WSOS 第 5 节“Back-end development”：文件“Aspect Marks”列为 20，按评分项统计为 26",
        "提示：WSOS 第 1 节“Work organization and management”：标准权重 5，评分项合计 6，相差 1",
        "提示：WSOS 第 2 节“Communication and interpersonal skills”：标准权重 5，评分项合计 1，相差 4",
        "提示：WSOS 第 3 节“Design implementation”：标准权重 25，评分项合计 7，相差 18",
        "提示：WSOS 第 4 节“Front-end development”：标准权重 25，评分项合计 60，相差 35",
        "提示：WSOS 第 5 节“Back-end development”：标准权重 40，评分项合计 26，相差 14",
    ]


def test_wsos_tolerance_silences_only_the_informational_variation(real_path: Path) -> None:
    scheme = read_marking_scheme(real_path, wsos_tolerance=D(20))
    notes = [problem for problem in scheme.problems if problem.startswith("提示")]
    assert notes == ["提示：WSOS 第 4 节“Front-end development”：标准权重 25，评分项合计 60，相差 35"]
    assert len(scheme.problems) == 6


def test_real_workbook_calculations_decoded(real_scheme: MarkingScheme) -> None:
    # Sheet "Calculations", rows 2–6.
    assert [(c.name, c.type, c.flag) for c in real_scheme.calculations] == [
        ("Deduct .25", "REGULAR_DIFFERENCE_DEDUCTION", True),
        ("B4.M5", "CHOICE", True),
        ("C1.M11", "CHOICE", True),
        ("C2.M1", "CHOICE", True),
        ("Deduct .5", "REGULAR_DIFFERENCE_DEDUCTION", True),
    ]
    deduct = real_scheme.calculations[0]
    assert deduct.parameters == {
        "DEDUCTION_TYPE": "UNIT",
        "TARGET_VALUE": "0",
        "DIFFERENCE": "1",
        "DIFFERENCE_TYPE": "UNIT",
        "DEDUCTION": "0.25",
    }
    assert real_scheme.calculations[4].parameters["DEDUCTION"] == "0.5"
    choice = real_scheme.calculations[1]
    assert choice.parameters == {
        "DEDUCTION_TYPE": "UNIT",
        "CHOICE1_LABEL": "Full Marks",
        "CHOICE1_DEDUCTION": "0",
        "CHOICE2_LABEL": "Any products can be deleted",
        "CHOICE2_DEDUCTION": "0.25",
        "CHOICE3_LABEL": "No Marks",
        "CHOICE3_DEDUCTION": "0.75",
    }


def test_decode_parameters_keeps_numbers_exact_and_text_as_is() -> None:
    assert decode_parameters("A:::0E-8#x~x##-#B:::#x~x#Two words#-#C:::1.10000000#x~x#") == {
        "A": "0",
        "B": "Two words",
        "C": "1.1",
    }
    assert decode_parameters("") == {}


def test_json_shape(real_scheme: MarkingScheme) -> None:
    data = scheme_to_json(real_scheme)
    assert json.loads(json.dumps(data)) == data
    assert set(data) == {"skill", "total", "wsos", "criteria", "calculations", "problems"}
    assert data["skill"] == "17 Web Technologies"
    assert data["total"] == "100"
    assert data["wsos"][0] == {"id": 1, "name": "Work organization and management", "marks": "5", "aspect_marks": "15"}
    assert [(c["id"], c["mark"]) for c in data["criteria"]] == [("A", "30"), ("B", "30"), ("C", "20"), ("D", "20")]
    criterion = data["criteria"][0]
    assert set(criterion) == {"id", "name", "mark", "sub_criteria"}
    sub = criterion["sub_criteria"][0]
    assert set(sub) == {"id", "name", "aspects"}
    aspect = sub["aspects"][0]
    assert {"id", "type", "description", "max", "wsos_section"} <= set(aspect)
    assert (aspect["id"], aspect["type"], aspect["max"], aspect["wsos_section"]) == ("A1.1", "J", "0.25", 4)
    assert len(aspect["descriptors"]) == 4
    assert {a["type"] for c in data["criteria"] for s in c["sub_criteria"] for a in s["aspects"]} == {"M", "J"}
    assert data["calculations"][0]["parameters"]["DEDUCTION"] == "0.25"
    assert data["problems"] == list(real_scheme.problems)


def test_changed_aspect_max_is_reported_naming_the_criterion(real_path: Path, tmp_path: Path) -> None:
    # K23 is the max mark of A1.1 ("Overall page design is responsive"): 0.25 → 0.5.
    mutated = rewrite_member(
        real_path,
        tmp_path / "mutated.xlsx",
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace('<c r="K23" s="62"><v>0.25</v></c>', '<c r="K23" s="62"><v>0.5</v></c>'),
    )
    scheme = read_marking_scheme(mutated)
    assert scheme.aspect("A1.1").max_mark == D("0.5")
    assert "分项 A“Design Implementation”：Criteria 表中的分值为 30，其评分项满分合计为 30.25" in scheme.problems
    assert not any(problem.startswith("分项 B") for problem in scheme.problems)
    assert "WSOS 第 4 节“Front-end development”：文件“Aspect Marks”列为 23，按评分项统计为 60.25" in scheme.problems


# --- unreadable files --------------------------------------------------------


def test_a_text_file_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "scheme.xlsx"
    path.write_text("Sub Criterion ID,Max Mark\n", encoding="utf-8")
    with pytest.raises(MarkingSchemeError, match="不是有效的 Excel 工作簿") as caught:
        read_marking_scheme(path)
    assert str(path) in str(caught.value)


def test_a_corrupt_workbook_and_a_missing_file(real_path: Path, tmp_path: Path) -> None:
    truncated = tmp_path / "truncated.xlsx"
    truncated.write_bytes(real_path.read_bytes()[:5000])
    with pytest.raises(MarkingSchemeError, match="无法读取评分方案文件"):
        read_marking_scheme(truncated)
    with pytest.raises(MarkingSchemeError, match="找不到评分方案文件"):
        read_marking_scheme(tmp_path / "absent.xlsx")


def test_a_workbook_without_the_sheet(real_path: Path, tmp_path: Path) -> None:
    renamed = rewrite_member(
        real_path,
        tmp_path / "renamed.xlsx",
        "xl/workbook.xml",
        lambda xml: xml.replace('name="CIS Marking Scheme Import"', 'name="Marking Scheme"'),
    )
    with pytest.raises(MarkingSchemeError) as caught:
        read_marking_scheme(renamed)
    message = str(caught.value)
    assert "缺少工作表“CIS Marking Scheme Import”" in message
    assert "renamed.xlsx" in message and "Marking Scheme、Calculations" in message


def test_a_sheet_without_a_criteria_table(tmp_path: Path) -> None:
    rows = [row for row in tiny_rows() if row[:2] != ["ID", "Name"]]
    path = write_tiny(tmp_path / "no-criteria.xlsx", rows)
    with pytest.raises(MarkingSchemeError, match="没有找到“Criteria”分项表") as caught:
        read_marking_scheme(path)
    assert "no-criteria.xlsx" in str(caught.value)


def test_a_non_numeric_max_mark_names_the_cell(tmp_path: Path) -> None:
    rows = tiny_rows()
    rows[25][10] = "forty"  # the aspect "Runs", worksheet row 26, column K
    path = write_tiny(tmp_path / "bad-max.xlsx", rows)
    with pytest.raises(MarkingSchemeError) as caught:
        read_marking_scheme(path)
    message = str(caught.value)
    assert "bad-max.xlsx" in message
    assert "工作表“CIS Marking Scheme Import”第 26 行 K 列" in message
    assert "满分（Max Mark）不是数字：“forty”" in message


# --- small schemes: reading details and checks ----------------------------------


def test_a_consistent_scheme_has_no_problems(tmp_path: Path) -> None:
    scheme = read_marking_scheme(write_tiny(tmp_path / "tiny.xlsx"))
    assert scheme.problems == ()
    assert scheme.skill == "Tiny Skill"
    assert [(c.id, c.mark) for c in scheme.criteria] == [("A", D(60)), ("B", D(40))]
    assert [a.id for a in scheme.aspects()] == ["A1.1", "A1.2", "B1.1"]
    assert scheme.aspect("A1.2").heading == "Header"
    assert scheme.aspect("A1.2").calculation == "Deduct .5"
    assert scheme.aspect("B1.1").day == "2"


def test_float_artefacts_read_as_the_intended_decimal() -> None:
    rows = tiny_rows()
    rows[15][10] = 0.1 + 0.2  # 0.30000000000000004
    rows[22][10] = 59.7
    scheme = tiny_scheme(rows)
    assert scheme.aspect("A1.1").max_mark == D("0.3")
    assert scheme.criteria[0].aspect_marks == D(60)
    assert not any(problem.startswith("分项 A") for problem in scheme.problems)


def test_criterion_marks_are_summed_when_the_table_leaves_them_blank() -> None:
    rows = tiny_rows()
    rows[10][10] = ""
    scheme = tiny_scheme(rows)
    assert (scheme.criteria[0].mark, scheme.criteria[0].mark_stated) == (D(60), False)
    assert scheme.problems == ()


def test_structural_problems_are_listed_in_chinese() -> None:
    rows = tiny_rows()
    rows[22][3] = "X"  # "Has a title": unknown type
    rows[25][9] = "Deduct 1"  # "Runs": a calculation the Calculations sheet does not define
    rows[11][10] = 50.0  # criterion B said to be worth 50
    rows[5][8] = 30.0  # WSOS 2 weighted 30 (sums to 90)
    del rows[19]  # the level-3 descriptor of "Looks like the design"; later rows move up one
    scheme = tiny_scheme(rows)
    problems = "\n".join(scheme.problems)
    assert "第 22 行 D 列：未知的评分项类型“X”（应为 M 或 J），该行未计入" in problems
    assert "A1.1“Looks like the design”（第 16 行）应有 0–3 分共 4 条评分描述，实际 3 条（分值：0、1、2）" in problems
    assert "评分项 B1.1“Runs”引用了 Calculations 表中没有的计算“Deduct 1”" in problems
    assert "分项 A“Design”：Criteria 表中的分值为 60，其评分项满分合计为 30" in problems
    assert "分项 B“Build”：Criteria 表中的分值为 50，其评分项满分合计为 40" in problems
    assert "各分项分值合计为 110，应为 100" in problems
    assert "WSOS 各节权重（WSOS Marks）合计为 90，应为 100" in problems
    assert "WSOS 第 1 节“Planning”：文件“Aspect Marks”列为 60，按评分项统计为 30" in problems
    assert "提示：WSOS 第 2 节“Making”：标准权重 30，评分项合计 40，相差 10" in problems


def test_sub_criteria_outside_the_criteria_table_are_kept_and_reported() -> None:
    rows = tiny_rows()
    rows[23][11] = "Criterion E"  # the second block now claims to be criterion E …
    rows[24][0] = "B1"  # … while its sub-criterion is still numbered B1
    scheme = tiny_scheme(rows)
    assert [(c.id, c.mark, c.mark_stated) for c in scheme.criteria] == [
        ("A", D(60), True),
        ("B", D(40), True),
        ("E", D(40), False),
    ]
    assert "子项 B1 位于分项 E 的评分表中，编号与分项不符" in scheme.problems
    assert "评分项表中有分项 E（评分项合计 40），但“Criteria”表中没有该分项" in scheme.problems
    assert "分项 B“Build”：Criteria 表中的分值为 40，其评分项满分合计为 0" in scheme.problems
    assert "各分项分值合计为 140，应为 100" in scheme.problems


def test_a_score_row_under_a_measurement_aspect_is_reported() -> None:
    rows = tiny_rows()
    rows.insert(26, ["", "", "", "", "", 0.0, "Does not run"])  # worksheet row 27, under M aspect "Runs"
    scheme = tiny_scheme(rows)
    assert scheme.problems == (
        "工作表“CIS Marking Scheme Import”第 27 行 F 列：评分描述（Judg Score）不属于任何评价（J）评分项，已忽略",
    )
    assert scheme.aspect("B1.1").descriptors == ()


def test_wsos_sections_missing_or_unknown_are_problems() -> None:
    rows = tiny_rows()
    rows[15][8] = 7.0
    rows[22][8] = ""
    scheme = tiny_scheme(rows)
    assert scheme.aspect("A1.2").wsos_section is None
    assert "有评分项属于 WSOS 第 7 节（合计 30），但 WSOS 表中没有这一节" in scheme.problems
    assert "有评分项未指定 WSOS 节（合计 30）" in scheme.problems


# --- marking ---------------------------------------------------------------------


def judged(max_mark: str = "2") -> Aspect:
    return Aspect("A1.1", "A1", AspectType.JUDGEMENT, "Looks right", D(max_mark), descriptors=("0", "1", "2", "3"))


def measured(max_mark: str = "0.5") -> Aspect:
    return Aspect("A1.2", "A1", AspectType.MEASUREMENT, "Has a title", D(max_mark))


def test_judgement_mark_is_max_times_mean_over_scale() -> None:
    result = aspect_mark(judged("2"), [D(3), D(3), D(2)], RULES)
    with localcontext() as context:
        context.prec = 50
        assert result.mark == D(2) * 8 / 9  # 2 × mean(3, 3, 2) / 3 = 2 × 8/9, kept unrounded
    assert result.mark is not None and str(result.mark).startswith("1.77777777777777777777")
    assert result.flags == ()
    assert aspect_mark(judged("0.25"), [D(3), D(3), D(3)], RULES).mark == D("0.25")
    assert aspect_mark(judged("1"), [D(0), D(0), D(0)], RULES).mark == D(0)


@pytest.mark.parametrize(
    ("scores", "flagged"),
    [((3, 3, 3), False), ((2, 3, 3), False), ((1, 3, 2), True), ((0, 3, 3), True)],
)
def test_judges_more_than_one_apart_must_re_mark(scores: tuple[int, ...], flagged: bool) -> None:
    result = aspect_mark(judged(), [D(score) for score in scores], RULES)
    assert result.mark is not None
    assert bool(result.flags) is flagged
    if flagged:
        (flag,) = result.flags
        assert flag.startswith(RE_MARK_FLAG)
        assert "A1.1" in flag and "、".join(str(score) for score in scores) in flag
        assert f"最大差 {max(scores) - min(scores)} 分" in flag


def test_too_few_judges_leave_the_mark_missing_never_zero() -> None:
    partial = aspect_mark(judged(), [D(3), D(3)], RULES)
    assert partial.mark is None
    assert "只有 2 位裁判评分" in partial.flags[0] and "至少需要 3 位" in partial.flags[0]
    assert aspect_mark(judged(), [], RULES) == aspect_mark(measured(), [], RULES)
    assert aspect_mark(judged(), [], RULES).mark is None


@pytest.mark.parametrize("score", ["4", "-1", "1.5", "NaN"])
def test_judge_scores_are_integers_on_the_scale(score: str) -> None:
    with pytest.raises(MarkingError, match="应为 0–3 的整数"):
        aspect_mark(judged(), [D(3), D(3), D(score)], RULES)


def test_measurement_takes_one_agreed_mark_in_range() -> None:
    assert aspect_mark(measured(), [D("0.25")], RULES).mark == D("0.25")
    assert aspect_mark(measured(), [D(0)], RULES).mark == D(0)
    assert aspect_mark(measured(), [D("0.5")], RULES).mark == D("0.5")
    with pytest.raises(MarkingError, match=r"超出范围 0–0\.5"):
        aspect_mark(measured(), [D("0.75")], RULES)
    with pytest.raises(MarkingError, match="超出范围"):
        aspect_mark(measured(), [D("-0.25")], RULES)
    with pytest.raises(MarkingError, match="只接受一个商定的分数"):
        aspect_mark(measured(), [D("0.25"), D("0.5")], RULES)


def test_score_scheme_adds_up_and_reports_missing_aspects() -> None:
    scheme = tiny_scheme()
    complete = score_scheme(scheme, {"A1.1": [D(3), D(2), D(2)], "A1.2": [D(30)], "B1.1": [D("38.5")]}, RULES)
    # A1.1 = 30 × 7/9 = 23.333…; A = 53.333… → 53.33; total 91.8333… → 91.83 (half-up, once)
    assert complete.criterion_marks == {"A": D("53.33"), "B": D("38.50")}
    assert complete.total == D("91.83")
    assert complete.raw_total is not None and str(complete.raw_total).startswith("91.8333333333")
    assert complete.missing == () and complete.flags == ()

    partial = score_scheme(scheme, {"A1.1": [D(3), D(0), D(2)], "B1.1": [D(40)]}, RULES)
    assert partial.total is None and partial.raw_total is None
    assert partial.criterion_marks == {"A": None, "B": D("40.00")}
    assert partial.missing == ("A1.2",)
    assert len(partial.flags) == 1 and partial.flags[0].startswith(RE_MARK_FLAG)
    with localcontext() as context:
        context.prec = 50
        assert partial.aspects["A1.1"].mark == D(30) * 5 / 9

    with pytest.raises(MarkingError, match=r"评分方案中没有这些评分项：Z9\.9"):
        score_scheme(scheme, {"Z9.9": [D(1)]}, RULES)


def test_judging_rules_come_from_the_rule_set() -> None:
    five_judges = ScoringRules(components=(), judgement_min_judges=5, judgement_max_spread=D(2))
    assert aspect_mark(judged(), [D(3)] * 4, five_judges).mark is None
    lenient = aspect_mark(judged(), [D(1), D(3), D(3), D(3), D(2)], five_judges)
    assert lenient.mark == D("1.6") and lenient.flags == ()  # 2 × 12 / 15


# --- standardisation -------------------------------------------------------------


def test_standardisation_worked_example_by_hand() -> None:
    # Marks 2, 4, 4, 4, 5, 5, 7, 9: mean 5, population variance (9+1+1+1+0+0+4+16)/8 = 4, sd 2;
    # median (4 + 5)/2 = 4.5. So 700 + (x − 4.5) × 100/2 = 700 + 50 × (x − 4.5).
    raw = {entrant: D(mark) for entrant, mark in enumerate([2, 4, 4, 4, 5, 5, 7, 9], start=1)}
    assert standardise(raw, Standardisation()) == {
        1: D("575.00"),
        2: D("675.00"),
        3: D("675.00"),
        4: D("675.00"),
        5: D("725.00"),
        6: D("725.00"),
        7: D("825.00"),
        8: D("925.00"),
    }


def test_standardisation_with_an_irrational_sd_rounds_half_up_once() -> None:
    # 60, 70, 80: median 70, sd = √(200/3) = 8.16496…, so ±10 marks = ±100 × √1.5 = ±122.4744871…
    raw = {1: D(60), 2: D(70), 3: D(80)}
    assert standardise(raw, Standardisation()) == {1: D("577.53"), 2: D("700.00"), 3: D("822.47")}
    assert standardise(raw, Standardisation(), decimals=0) == {1: D(578), 2: D(700), 3: D(822)}
    clamped = standardise(raw, Standardisation(minimum=D(600), maximum=D(800)))
    assert clamped == {1: D("600.00"), 2: D("700.00"), 3: D("800.00")}


def test_standardisation_degenerate_fields() -> None:
    assert standardise({}, Standardisation()) == {}
    assert standardise({7: D("61.5")}, Standardisation()) == {7: D("700.00")}
    assert standardise({1: D(80), 2: D(80), 3: D(80)}, Standardisation()) == dict.fromkeys((1, 2, 3), D("700.00"))
    with pytest.raises(MarkingError, match="下限"):
        standardise({1: D(1)}, Standardisation(minimum=D(900), maximum=D(800)))


marks = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False)


@given(st.dictionaries(st.integers(min_value=1, max_value=10_000), marks, min_size=1, max_size=40))
def test_standardisation_preserves_order(raw: dict[int, Decimal]) -> None:
    result = standardise(raw, Standardisation())
    assert result.keys() == raw.keys()
    for first, first_mark in raw.items():
        for second, second_mark in raw.items():
            if first_mark < second_mark:
                assert result[first] <= result[second]
            if first_mark == second_mark:
                assert result[first] == result[second]


@given(st.lists(marks, min_size=1, max_size=41).filter(lambda values: len(values) % 2 == 1))
def test_the_median_of_an_odd_field_maps_to_the_centre(values: list[Decimal]) -> None:
    raw = dict(enumerate(values))
    middle = sorted(raw, key=raw.__getitem__)[len(values) // 2]
    assert standardise(raw, Standardisation())[middle] == D("700.00")
    assert standardise(raw, Standardisation(centre=D(500)))[middle] == D("500.00")


# --- the command -----------------------------------------------------------------


def run_command(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="competition-app")
    add_marking_scheme_command(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["marking-scheme", *argv])
    result = args.handler(args)
    assert isinstance(result, int)
    return result


def test_command_prints_json_and_exits_1_on_problems(real_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_command(str(real_path), "--json") == 1
    data = json.loads(capsys.readouterr().out)
    assert data["skill"] == "17 Web Technologies" and data["total"] == "100"
    assert len(data["problems"]) == 10


def test_command_prints_a_chinese_summary(real_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_command(str(real_path)) == 1
    out = capsys.readouterr().out
    assert "技能：17 Web Technologies" in out
    assert "总分：100" in out
    assert "  A  Design Implementation：30 分（5 个子项，68 个评分项：测量 60，评价 8）" in out
    assert "  5  Back-end development：40 / 20 / 26" in out
    assert "发现 10 个问题：" in out
    assert re.search(r"Deduct \.25（REGULAR_DIFFERENCE_DEDUCTION）", out)


def test_command_exits_0_for_a_consistent_scheme(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_command(str(write_tiny(tmp_path / "tiny.xlsx"))) == 0
    assert "未发现问题" in capsys.readouterr().out


def test_command_exits_2_with_the_reason_on_an_unreadable_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "notes.xlsx"
    path.write_text("not a workbook", encoding="utf-8")
    assert run_command(str(path), "--json") == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "无法读取评分方案文件" in captured.err and "notes.xlsx" in captured.err


def test_command_rejects_a_bad_tolerance(real_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        run_command(str(real_path), "--wsos-tolerance", "lots")
    assert caught.value.code == 2
    assert "应为不小于 0 的数字：lots" in capsys.readouterr().err
