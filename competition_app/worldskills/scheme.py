"""WorldSkills marking schemes (DOMAIN §7): read the CIS "Marking Scheme Import" workbook and check it.

The workbook is the template WorldSkills' Competition Information System imports. Its first
sheet, ``CIS Marking Scheme Import``, holds, from the top:

* the skill's title (``17 Web Technologies``);
* the WSOS table: one row per WorldSkills Occupational Standards section — number, name,
  ``WSOS Marks`` (the standard's weighting) and ``Aspect Marks`` (the marks the scheme gives it);
* the ``Criteria`` table: ``ID``, ``Name`` and ``Mark`` of each criterion (A, B, …);
* one block per criterion, opened by a header row (``Sub Criterion ID`` … ``Max Mark`` and a
  ``Criterion A`` label), holding sub-criterion rows (``A1``), aspect rows (type ``M``/``J``,
  description, WSOS section, max mark) and, under each J aspect, four score rows 0–3 with their
  descriptors. A row with only a description is a heading that groups the aspects below it.

The ``Calculations`` sheet names deduction rules (``REGULAR_DIFFERENCE_DEDUCTION``, ``CHOICE``)
whose parameters are packed into one string; they are decoded here.

Many cells are formulas: their cached values are read (python-calamine never returns formula
text). Float cells become ``Decimal`` through ``round(x, 6)`` and the shortest repr, so a cached
``0.30000000000000004`` is read as the ``0.3`` that was meant; marks never need more places.

Reading raises ``MarkingSchemeError`` only when the file cannot be understood at all. Everything
that can be read but does not add up is reported in ``MarkingScheme.problems`` (Chinese, naming
the criterion or section and both numbers), so one pass shows every inconsistency.
"""

from __future__ import annotations

import datetime
import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from types import MappingProxyType
from typing import Any

from competition_app.domain.enums import AspectType
from competition_app.i18n import _

MAIN_SHEET = "CIS Marking Scheme Import"
CALCULATIONS_SHEET = "Calculations"
SCHEME_TOTAL = Decimal(100)
JUDGEMENT_LEVELS = (0, 1, 2, 3)  # a J aspect has one descriptor per score level
_ZERO = Decimal(0)
FLOAT_PLACES = 6  # cached float values are rounded to this many places before becoming Decimal

# Packed calculation parameters: ``KEY:::NUMBER#x~x#TEXT`` entries joined by ``#-#``.
_PARAMETER_SEPARATOR = "#-#"
_KEY_SEPARATOR = ":::"
_VALUE_SEPARATOR = "#x~x#"

Cell = object  # what python-calamine returns: str, int, float, bool, date/time values


class MarkingSchemeError(ValueError):
    """The workbook cannot be read as a marking scheme; the message is Chinese and names the
    file and, where it applies, the sheet, row and column."""


@dataclass(frozen=True, slots=True)
class WsosSection:
    """One WSOS section: its weighting in the standard and the marks the file says it gets."""

    id: int
    name: str
    marks: Decimal  # "WSOS Marks": the weighting in the occupational standard
    aspect_marks: Decimal  # the file's "Aspect Marks" column (the sum of the aspects when blank)


@dataclass(frozen=True, slots=True)
class Aspect:
    """One marked aspect. ``id`` numbers the aspects of a sub-criterion in file order (A1.1, A1.2 …)."""

    id: str
    sub_criterion_id: str
    type: AspectType
    description: str
    max_mark: Decimal
    wsos_section: int | None = None
    day: str | None = None  # "Day of Marking", inherited from the sub-criterion row when blank
    extra_description: str | None = None
    requirement: str | None = None  # measurement aspects only
    calculation: str | None = None  # name of a row of the Calculations sheet
    descriptors: tuple[str, ...] = ()  # J aspects: the descriptors of scores 0, 1, 2, 3
    heading: str | None = None  # the heading row (e.g. "Header + Hero") the aspect sits under


@dataclass(frozen=True, slots=True)
class SubCriterion:
    id: str
    name: str
    aspects: tuple[Aspect, ...]

    @property
    def aspect_marks(self) -> Decimal:
        """The sum of the aspects' max marks."""
        return _sum(aspect.max_mark for aspect in self.aspects)


@dataclass(frozen=True, slots=True)
class Criterion:
    """A criterion (A, B …). ``mark`` is the Criteria table's mark, or the aspects' sum when the
    table leaves it blank (``mark_stated`` says which)."""

    id: str
    name: str
    mark: Decimal
    sub_criteria: tuple[SubCriterion, ...]
    mark_stated: bool = True

    @property
    def aspect_marks(self) -> Decimal:
        """The sum of the max marks of every aspect under this criterion."""
        return _sum(sub.aspect_marks for sub in self.sub_criteria)


@dataclass(frozen=True, slots=True)
class Calculation:
    """A row of the Calculations sheet with its packed parameter string decoded.

    Numbers are normalised (``0.25000000`` → ``0.25``, ``0E-8`` → ``0``); text values are kept.
    ``flag`` is the sheet's unlabelled TRUE/FALSE column.
    """

    name: str
    type: str
    parameters: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}), hash=False)
    flag: bool | None = None


@dataclass(frozen=True, slots=True)
class MarkingScheme:
    """A whole marking scheme. ``total`` is the sum of the criteria's marks (100 when consistent)."""

    skill: str
    total: Decimal
    wsos: tuple[WsosSection, ...]
    criteria: tuple[Criterion, ...]
    calculations: tuple[Calculation, ...]
    problems: tuple[str, ...]

    def aspects(self) -> Iterator[Aspect]:
        """Every aspect, in file order."""
        for criterion in self.criteria:
            for sub in criterion.sub_criteria:
                yield from sub.aspects

    def aspect(self, aspect_id: str) -> Aspect:
        """The aspect with this id; ``KeyError`` when there is none."""
        for aspect in self.aspects():
            if aspect.id == aspect_id:
                return aspect
        raise KeyError(aspect_id)


# --- public functions ------------------------------------------------------


def read_marking_scheme(path: Path, *, wsos_tolerance: Decimal = Decimal(0)) -> MarkingScheme:
    """Read and check a CIS "Marking Scheme Import" workbook (.xlsx).

    Raises ``MarkingSchemeError`` when the file is missing, is not a workbook, lacks the
    ``CIS Marking Scheme Import`` sheet, has no criteria table or aspect header, or has an aspect
    row whose max mark or WSOS section is not a number. Inconsistencies are returned in
    ``problems``; a WSOS section whose weighting and aspect marks differ by more than
    ``wsos_tolerance`` is reported there too, marked 提示 (informational).
    """
    main_rows, calculation_rows = _load_workbook(path)
    return parse_marking_scheme(main_rows, calculation_rows, source=str(path), wsos_tolerance=wsos_tolerance)


def parse_marking_scheme(
    main_rows: Sequence[Sequence[Cell]],
    calculation_rows: Sequence[Sequence[Cell]] | None = None,
    *,
    source: str = "",
    wsos_tolerance: Decimal = Decimal(0),
) -> MarkingScheme:
    """Build and check a marking scheme from the cell values of the two sheets.

    ``main_rows`` starts at cell A1 (row 0 is worksheet row 1), so errors can name cells;
    ``calculation_rows`` is the Calculations sheet, None when the workbook has none.
    ``source`` names the file in error messages.
    """
    return _SchemeParser(main_rows, calculation_rows or (), source, wsos_tolerance).parse()


def decode_parameters(packed: str) -> dict[str, str]:
    """Decode a Calculations parameter string into ``{key: value}``.

    ``DEDUCTION_TYPE:::#x~x#UNIT#-#DEDUCTION:::0.25000000#x~x#`` gives
    ``{"DEDUCTION_TYPE": "UNIT", "DEDUCTION": "0.25"}``: each entry is ``KEY:::NUMBER#x~x#TEXT``
    and carries either a number (normalised) or a text.
    """
    parameters: dict[str, str] = {}
    for entry in packed.split(_PARAMETER_SEPARATOR):
        if not entry.strip():
            continue
        key, _separator, value = entry.partition(_KEY_SEPARATOR)
        number, _separator, text = value.partition(_VALUE_SEPARATOR)
        decimal = _decimal(number) if number.strip() else None
        parameters[key.strip()] = format_decimal(decimal) if decimal is not None else (text or number).strip()
    return parameters


def wsos_aspect_totals(scheme: MarkingScheme) -> dict[int | None, Decimal]:
    """The sum of aspect max marks per WSOS section (None: aspects without a section)."""
    return _section_totals(scheme.criteria)


def _section_totals(criteria: Iterable[Criterion]) -> dict[int | None, Decimal]:
    totals: dict[int | None, Decimal] = defaultdict(Decimal)
    for criterion in criteria:
        for sub in criterion.sub_criteria:
            for aspect in sub.aspects:
                totals[aspect.wsos_section] += aspect.max_mark
    return {section: _canonical(total) for section, total in totals.items()}


def format_decimal(value: Decimal) -> str:
    """A mark as people write it: ``30``, ``0.25``, ``1.5`` — never ``3E+1`` or ``30.00``."""
    return format(_canonical(value), "f")


def scheme_to_json(scheme: MarkingScheme) -> dict[str, Any]:
    """The scheme as JSON-ready data; decimals become strings (``"0.25"``) so nothing turns float."""
    return {
        "skill": scheme.skill,
        "total": format_decimal(scheme.total),
        "wsos": [
            {
                "id": section.id,
                "name": section.name,
                "marks": format_decimal(section.marks),
                "aspect_marks": format_decimal(section.aspect_marks),
            }
            for section in scheme.wsos
        ],
        "criteria": [
            {
                "id": criterion.id,
                "name": criterion.name,
                "mark": format_decimal(criterion.mark),
                "sub_criteria": [
                    {"id": sub.id, "name": sub.name, "aspects": [_aspect_to_json(aspect) for aspect in sub.aspects]}
                    for sub in criterion.sub_criteria
                ],
            }
            for criterion in scheme.criteria
        ],
        "calculations": [
            {
                "name": calculation.name,
                "type": calculation.type,
                "flag": calculation.flag,
                "parameters": dict(calculation.parameters),
            }
            for calculation in scheme.calculations
        ],
        "problems": list(scheme.problems),
    }


def _aspect_to_json(aspect: Aspect) -> dict[str, Any]:
    return {
        "id": aspect.id,
        "type": aspect.type.value,
        "description": aspect.description,
        "max": format_decimal(aspect.max_mark),
        "wsos_section": aspect.wsos_section,
        "day": aspect.day,
        "extra_description": aspect.extra_description,
        "requirement": aspect.requirement,
        "calculation": aspect.calculation,
        "descriptors": list(aspect.descriptors),
        "heading": aspect.heading,
    }


# --- reading the workbook --------------------------------------------------


def _load_workbook(path: Path) -> tuple[Sequence[Sequence[Cell]], Sequence[Sequence[Cell]] | None]:
    from python_calamine import CalamineError, CalamineWorkbook, PasswordError

    if not path.is_file():
        raise MarkingSchemeError(_("找不到评分方案文件：{path}").format(path=path))
    try:
        with CalamineWorkbook.from_path(path) as workbook:
            sheets = {_key(name): name for name in workbook.sheet_names}
            main_name = sheets.get(_key(MAIN_SHEET))
            if main_name is None:
                raise MarkingSchemeError(
                    _("{path}：缺少工作表“{sheet}”（工作簿中只有：{names}）").format(
                        path=path, sheet=MAIN_SHEET, names="、".join(workbook.sheet_names) or _("无")
                    )
                )
            # skip_empty_area=False: row 0 is worksheet row 1 even when the top rows are empty
            main_rows = workbook.get_sheet_by_name(main_name).to_python(skip_empty_area=False)
            calculations_name = sheets.get(_key(CALCULATIONS_SHEET))
            calculation_rows = (
                workbook.get_sheet_by_name(calculations_name).to_python(skip_empty_area=False)
                if calculations_name is not None
                else None
            )
    except PasswordError as error:
        raise MarkingSchemeError(
            _("无法读取评分方案文件 {path}：工作簿有密码保护，请先取消密码").format(path=path)
        ) from error
    except (CalamineError, OSError, ValueError) as error:
        if isinstance(error, MarkingSchemeError):
            raise
        raise MarkingSchemeError(
            _("无法读取评分方案文件 {path}：不是有效的 Excel 工作簿（.xlsx）或文件已损坏（{error}）").format(
                path=path, error=error
            )
        ) from error
    return main_rows, calculation_rows


@dataclass(slots=True)
class _AspectDraft:
    """An aspect while its score rows are still being read."""

    row: int
    sub_criterion_id: str
    number: int
    type: AspectType
    description: str
    max_mark: Decimal
    wsos_section: int | None
    day: str | None
    extra_description: str | None
    requirement: str | None
    calculation: str | None
    heading: str | None
    levels: list[tuple[Decimal | None, str]] = field(default_factory=list)

    @property
    def id(self) -> str:
        return f"{self.sub_criterion_id}.{self.number}"


@dataclass(slots=True)
class _SubDraft:
    id: str
    name: str
    day: str | None
    aspects: list[_AspectDraft] = field(default_factory=list)
    heading: str | None = None


@dataclass(frozen=True, slots=True)
class _Columns:
    """Where the fields of an aspect block are, found by their header text."""

    sub_id: int
    type: int
    description: int
    max_mark: int
    sub_name: int | None
    day: int | None
    score: int | None
    extra: int | None
    requirement: int | None
    wsos: int | None
    calculation: int | None

    def content(self) -> tuple[int, ...]:
        """The columns whose content classifies a row (labels right of them are not read)."""
        found = (self.sub_id, self.type, self.description, self.max_mark, self.sub_name, self.day, self.score)
        optional = (self.extra, self.requirement, self.wsos, self.calculation)
        return tuple(column for column in (*found, *optional) if column is not None)


_ASPECT_HEADERS = {
    "sub_id": ("sub criterion id",),
    "sub_name": ("sub criterion name",),
    "day": ("day of marking",),
    "type": ("aspect type",),
    "description": ("aspect - description", "aspect description"),
    "score": ("judg score", "judgement score"),
    "extra": ("extra aspect description",),
    "requirement": ("requirement",),
    "wsos": ("wsos section",),
    "calculation": ("calculation",),
    "max_mark": ("max mark",),
}
_REQUIRED_ASPECT_HEADERS = ("sub_id", "type", "description", "max_mark")
_TABLE_TITLES = {"worldskills occupational standards", "criteria"}
_CRITERION_LABEL = re.compile(r"^criterion\s+(\S+)$")
_CRITERION_PREFIX = re.compile(r"^([A-Za-z]+)")
_TYPES = {
    "m": AspectType.MEASUREMENT,
    "meas": AspectType.MEASUREMENT,
    "measurement": AspectType.MEASUREMENT,
    "j": AspectType.JUDGEMENT,
    "judg": AspectType.JUDGEMENT,
    "judgement": AspectType.JUDGEMENT,
    "judgment": AspectType.JUDGEMENT,
}


class _SchemeParser:
    """One pass over the cell values; collects problems, raises only on unreadable structure."""

    def __init__(
        self,
        rows: Sequence[Sequence[Cell]],
        calculation_rows: Sequence[Sequence[Cell]],
        source: str,
        wsos_tolerance: Decimal,
    ) -> None:
        self.rows = rows
        self.calculation_rows = calculation_rows
        self.source = source or _("评分方案")
        self.wsos_tolerance = wsos_tolerance
        self.problems: list[str] = []

    # -- the whole scheme --

    def parse(self) -> MarkingScheme:
        wsos_header = self._find_row(_is_wsos_header)
        criteria_header = self._find_row(_is_criteria_header)
        if criteria_header is None:
            raise self._error(_("没有找到“Criteria”分项表（表头 ID、Name、Mark）"))
        aspect_headers = [index for index, row in enumerate(self.rows) if _is_aspect_header(row)]
        if not aspect_headers:
            raise self._error(_("没有找到评分项表头（Sub Criterion ID … Max Mark）"))
        skill = self._skill(min(index for index in (wsos_header, criteria_header) if index is not None))
        if wsos_header is None:
            self.problems.append(_("没有找到 WSOS 表（Section、WSOS Marks、Aspect Marks）"))
        wsos_rows = self._wsos(wsos_header) if wsos_header is not None else []
        stated = self._criteria_table(criteria_header)
        blocks = self._aspect_blocks(aspect_headers)
        calculations = self._calculations()
        criteria = self._criteria(stated, blocks)
        total = _sum(criterion.mark for criterion in criteria)
        computed = _section_totals(criteria)
        wsos = tuple(
            WsosSection(
                section_id, name, marks, stated_marks if stated_marks is not None else computed.get(section_id, _ZERO)
            )
            for section_id, name, marks, stated_marks in wsos_rows
        )
        self._check_criteria(criteria, total)
        self._check_wsos(wsos_rows, computed)
        self._check_calculation_names(criteria, calculations)
        return MarkingScheme(skill, total, wsos, criteria, calculations, tuple(self.problems))

    def _skill(self, before: int) -> str:
        """The first text above the tables that is not a table title."""
        for row in self.rows[:before]:
            for cell in row:
                if (text := _text(cell)) and _key(text) not in _TABLE_TITLES:
                    return text
        return ""

    # -- WSOS and Criteria tables --

    def _wsos(self, header: int) -> list[tuple[int, str, Decimal, Decimal | None]]:
        keys = [_key(cell) for cell in self.rows[header]]
        id_column = keys.index("section")
        aspect_column = keys.index("aspect marks")
        weight_columns = [index for index, key in enumerate(keys[:aspect_column]) if key == "wsos marks"]
        if not weight_columns or weight_columns[-1] <= id_column + 1:
            raise self._error(_("WSOS 表缺少“WSOS Marks”列"), row=header)
        marks_column = weight_columns[-1]
        sections: list[tuple[int, str, Decimal, Decimal | None]] = []
        for index in range(header + 1, len(self.rows)):
            row = self.rows[index]
            section = _decimal(_cell(row, id_column))
            if section is None or section != section.to_integral_value():
                break
            marks = self._number(index, marks_column, _("WSOS 权重（WSOS Marks）"))
            aspect_marks: Decimal | None = None
            if _text(_cell(row, aspect_column)):
                aspect_marks = self._number(index, aspect_column, _("WSOS 表的评分项分值（Aspect Marks）"))
            sections.append((int(section), _text(_cell(row, id_column + 1)), marks, aspect_marks))
        return sections

    def _criteria_table(self, header: int) -> dict[str, tuple[str, Decimal | None]]:
        keys = [_key(cell) for cell in self.rows[header]]
        id_column = keys.index("id")
        name_column = keys.index("name")
        mark_column = next((index for index, key in enumerate(keys) if key in {"mark", "marks"}), None)
        stated: dict[str, tuple[str, Decimal | None]] = {}
        for index in range(header + 1, len(self.rows)):
            row = self.rows[index]
            criterion_id = _text(_cell(row, id_column))
            if not criterion_id:
                break
            mark: Decimal | None = None
            if mark_column is not None and _text(_cell(row, mark_column)):
                mark = self._number(index, mark_column, _("分项分值（Mark）"))
            if criterion_id in stated:
                self.problems.append(_("Criteria 表中分项 {id} 出现了两次").format(id=criterion_id))
            stated[criterion_id] = (_text(_cell(row, name_column)), mark)
        if not stated:
            raise self._error(_("“Criteria”分项表是空的"), row=header)
        return stated

    # -- aspect blocks --

    def _aspect_blocks(self, headers: list[int]) -> dict[str, list[_SubDraft]]:
        blocks: dict[str, list[_SubDraft]] = {}
        seen: set[str] = set()
        for position, header in enumerate(headers):
            end = headers[position + 1] if position + 1 < len(headers) else len(self.rows)
            columns = self._columns(header)
            label = _criterion_label(self.rows[header])
            subs = self._block(header + 1, end, columns)
            for sub in subs:
                criterion_id = label or _criterion_prefix(sub.id)
                if sub.id in seen:
                    self.problems.append(_("子项 {id} 出现了不止一次").format(id=sub.id))
                seen.add(sub.id)
                if label and _criterion_prefix(sub.id) != label:
                    self.problems.append(
                        _("子项 {sub} 位于分项 {criterion} 的评分表中，编号与分项不符").format(
                            sub=sub.id, criterion=label
                        )
                    )
                blocks.setdefault(criterion_id, []).append(sub)
        return blocks

    def _columns(self, header: int) -> _Columns:
        keys = [_key(cell) for cell in self.rows[header]]
        found: dict[str, int | None] = {}
        for name, prefixes in _ASPECT_HEADERS.items():
            found[name] = next(
                (index for index, key in enumerate(keys) if any(key.startswith(prefix) for prefix in prefixes)), None
            )
        for name in _REQUIRED_ASPECT_HEADERS:
            if found[name] is None:
                raise self._error(_("评分项表头缺少“{column}”列").format(column=_ASPECT_HEADERS[name][0]), row=header)
        return _Columns(
            sub_id=_required(found["sub_id"]),
            type=_required(found["type"]),
            description=_required(found["description"]),
            max_mark=_required(found["max_mark"]),
            sub_name=found["sub_name"],
            day=found["day"],
            score=found["score"],
            extra=found["extra"],
            requirement=found["requirement"],
            wsos=found["wsos"],
            calculation=found["calculation"],
        )

    def _block(self, start: int, end: int, columns: _Columns) -> list[_SubDraft]:
        subs: list[_SubDraft] = []
        current: _AspectDraft | None = None
        skipping = False  # score rows under an aspect of unknown type are dropped with it
        for index in range(start, end):
            row = self.rows[index]
            if not any(_text(_cell(row, column)) for column in columns.content()):
                continue
            sub_id = _text(_cell(row, columns.sub_id))
            if sub_id:
                day = _text(_cell(row, columns.day)) or None
                subs.append(_SubDraft(sub_id, _text(_cell(row, columns.sub_name)), day))
                current, skipping = None, False
            type_text = _text(_cell(row, columns.type))
            if type_text or _text(_cell(row, columns.max_mark)):
                current = self._aspect(index, columns, subs[-1] if subs else None, type_text)
                skipping = current is None
            elif columns.score is not None and _text(_cell(row, columns.score)):
                if not skipping:
                    self._score_row(index, columns.score, columns.extra, current)
            elif not sub_id:
                self._other_row(index, row, columns, subs[-1] if subs else None)
        return subs

    def _aspect(self, index: int, columns: _Columns, sub: _SubDraft | None, type_text: str) -> _AspectDraft | None:
        row = self.rows[index]
        aspect_type = _TYPES.get(type_text.casefold())
        if aspect_type is None:
            shown = type_text or _("（空）")
            self.problems.append(
                _("{where}：未知的评分项类型“{type}”（应为 M 或 J），该行未计入").format(
                    where=self._where(index, columns.type), type=shown
                )
            )
            return None
        if sub is None:
            raise self._error(_("评分项不属于任何子项（前面没有子项编号）"), row=index, column=columns.type)
        max_mark = self._number(index, columns.max_mark, _("满分（Max Mark）"))
        if max_mark < 0:
            raise self._error(_("满分（Max Mark）不能为负数：{value}").format(value=max_mark), index, columns.max_mark)
        aspect = _AspectDraft(
            row=index,
            sub_criterion_id=sub.id,
            number=len(sub.aspects) + 1,
            type=aspect_type,
            description=_text(_cell(row, columns.description)),
            max_mark=max_mark,
            wsos_section=self._wsos_section(index, columns.wsos),
            day=_text(_cell(row, columns.day)) or sub.day,
            extra_description=self._optional_text(row, columns.extra),
            requirement=self._optional_text(row, columns.requirement),
            calculation=self._optional_text(row, columns.calculation),
            heading=sub.heading,
        )
        sub.aspects.append(aspect)
        return aspect

    def _score_row(self, index: int, score: int, descriptor: int | None, current: _AspectDraft | None) -> None:
        """A J aspect's score level (0–3) with its descriptor."""
        row = self.rows[index]
        if current is None or current.type is not AspectType.JUDGEMENT:
            self.problems.append(
                _("{where}：评分描述（Judg Score）不属于任何评价（J）评分项，已忽略").format(
                    where=self._where(index, score)
                )
            )
            return
        current.levels.append((_decimal(_cell(row, score)), self._optional_text(row, descriptor) or ""))

    def _other_row(self, index: int, row: Sequence[Cell], columns: _Columns, sub: _SubDraft | None) -> None:
        description = _text(_cell(row, columns.description))
        if description and sub is not None:
            sub.heading = description
            return
        self.problems.append(_("{where}：无法识别的内容，已忽略").format(where=self._where(index)))

    def _wsos_section(self, index: int, column: int | None) -> int | None:
        if column is None or not _text(_cell(self.rows[index], column)):
            return None
        value = _decimal(_cell(self.rows[index], column))
        if value is None or value != value.to_integral_value():
            raise self._error(_("WSOS 节号不是整数"), row=index, column=column)
        return int(value)

    # -- calculations --

    def _calculations(self) -> tuple[Calculation, ...]:
        calculations: list[Calculation] = []
        for row in self.calculation_rows:
            name, kind = _text(_cell(row, 0)), _text(_cell(row, 1))
            if not name or not kind:
                continue
            flag = _cell(row, 2)
            calculations.append(
                Calculation(
                    name=name,
                    type=kind,
                    parameters=MappingProxyType(decode_parameters(_text(_cell(row, 3)))),
                    flag=flag if isinstance(flag, bool) else None,
                )
            )
        return tuple(calculations)

    # -- criteria and checks --

    def _criteria(
        self, stated: dict[str, tuple[str, Decimal | None]], blocks: dict[str, list[_SubDraft]]
    ) -> tuple[Criterion, ...]:
        criteria: list[Criterion] = []
        for criterion_id in [*stated, *(key for key in blocks if key not in stated)]:
            subs = tuple(self._sub_criterion(sub) for sub in blocks.get(criterion_id, []))
            summed = _sum(sub.aspect_marks for sub in subs)
            if criterion_id not in stated:
                self.problems.append(
                    _("评分项表中有分项 {id}（评分项合计 {marks}），但“Criteria”表中没有该分项").format(
                        id=criterion_id, marks=format_decimal(summed)
                    )
                )
            name, mark = stated.get(criterion_id, ("", None))
            criteria.append(
                Criterion(
                    id=criterion_id,
                    name=name,
                    mark=mark if mark is not None else summed,
                    sub_criteria=subs,
                    mark_stated=mark is not None,
                )
            )
        return tuple(criteria)

    def _sub_criterion(self, draft: _SubDraft) -> SubCriterion:
        aspects: list[Aspect] = []
        for aspect in draft.aspects:
            descriptors = self._descriptors(aspect) if aspect.type is AspectType.JUDGEMENT else ()
            aspects.append(
                Aspect(
                    id=aspect.id,
                    sub_criterion_id=aspect.sub_criterion_id,
                    type=aspect.type,
                    description=aspect.description,
                    max_mark=aspect.max_mark,
                    wsos_section=aspect.wsos_section,
                    day=aspect.day,
                    extra_description=aspect.extra_description,
                    requirement=aspect.requirement,
                    calculation=aspect.calculation,
                    descriptors=descriptors,
                    heading=aspect.heading,
                )
            )
        return SubCriterion(draft.id, draft.name, tuple(aspects))

    def _descriptors(self, aspect: _AspectDraft) -> tuple[str, ...]:
        """The 0..3 descriptors in score order; a problem unless there are exactly those four."""
        levels = aspect.levels
        scores = [score for score, _descriptor in levels]
        by_score = {score: text for score, text in levels if score is not None and text}
        if len(levels) == len(JUDGEMENT_LEVELS) and sorted(by_score) == [Decimal(level) for level in JUDGEMENT_LEVELS]:
            return tuple(by_score[Decimal(level)] for level in JUDGEMENT_LEVELS)
        shown = "、".join(format_decimal(score) if score is not None else "?" for score in scores) or _("无")
        self.problems.append(
            _(
                "评价评分项 {id}“{description}”（第 {row} 行）应有 0–3 分共 4 条评分描述，"
                "实际 {count} 条（分值：{scores}）"
            ).format(
                id=aspect.id,
                description=_shorten(aspect.description),
                row=aspect.row + 1,
                count=len(levels),
                scores=shown,
            )
        )
        return tuple(text for _score, text in levels)

    def _check_criteria(self, criteria: tuple[Criterion, ...], total: Decimal) -> None:
        for criterion in criteria:
            if criterion.mark_stated and criterion.mark != criterion.aspect_marks:
                self.problems.append(
                    _("分项 {id}“{name}”：Criteria 表中的分值为 {stated}，其评分项满分合计为 {summed}").format(
                        id=criterion.id,
                        name=criterion.name,
                        stated=format_decimal(criterion.mark),
                        summed=format_decimal(criterion.aspect_marks),
                    )
                )
        if total != SCHEME_TOTAL:
            self.problems.append(
                _("各分项分值合计为 {total}，应为 {expected}").format(
                    total=format_decimal(total), expected=format_decimal(SCHEME_TOTAL)
                )
            )

    def _check_wsos(
        self, wsos_rows: list[tuple[int, str, Decimal, Decimal | None]], computed: dict[int | None, Decimal]
    ) -> None:
        if not wsos_rows:
            return
        weights = _sum(marks for _id, _name, marks, _aspect_marks in wsos_rows)
        if weights != SCHEME_TOTAL:
            self.problems.append(
                _("WSOS 各节权重（WSOS Marks）合计为 {total}，应为 {expected}").format(
                    total=format_decimal(weights), expected=format_decimal(SCHEME_TOTAL)
                )
            )
        for section_id, name, _marks, stated in wsos_rows:
            actual = computed.get(section_id, _ZERO)
            if stated is not None and stated != actual:
                self.problems.append(
                    _("WSOS 第 {id} 节“{name}”：文件“Aspect Marks”列为 {stated}，按评分项统计为 {actual}").format(
                        id=section_id, name=name, stated=format_decimal(stated), actual=format_decimal(actual)
                    )
                )
        known = {section_id for section_id, *_rest in wsos_rows}
        for section_id in sorted(section for section in computed if section is not None and section not in known):
            self.problems.append(
                _("有评分项属于 WSOS 第 {id} 节（合计 {marks}），但 WSOS 表中没有这一节").format(
                    id=section_id, marks=format_decimal(computed[section_id])
                )
            )
        if None in computed:
            self.problems.append(
                _("有评分项未指定 WSOS 节（合计 {marks}）").format(marks=format_decimal(computed[None]))
            )
        for section_id, name, marks, _stated in wsos_rows:
            actual = computed.get(section_id, _ZERO)
            if abs(marks - actual) > self.wsos_tolerance:
                self.problems.append(
                    _("提示：WSOS 第 {id} 节“{name}”：标准权重 {marks}，评分项合计 {actual}，相差 {difference}").format(
                        id=section_id,
                        name=name,
                        marks=format_decimal(marks),
                        actual=format_decimal(actual),
                        difference=format_decimal(abs(marks - actual)),
                    )
                )

    def _check_calculation_names(self, criteria: tuple[Criterion, ...], calculations: tuple[Calculation, ...]) -> None:
        names = {calculation.name for calculation in calculations}
        for criterion in criteria:
            for sub in criterion.sub_criteria:
                for aspect in sub.aspects:
                    if aspect.calculation is not None and aspect.calculation not in names:
                        self.problems.append(
                            _("评分项 {id}“{description}”引用了 Calculations 表中没有的计算“{name}”").format(
                                id=aspect.id, description=_shorten(aspect.description), name=aspect.calculation
                            )
                        )

    # -- helpers that know the sheet --

    def _find_row(self, predicate: Callable[[Sequence[Cell]], bool]) -> int | None:
        return next((index for index, row in enumerate(self.rows) if predicate(row)), None)

    def _number(self, index: int, column: int, what: str) -> Decimal:
        value = _decimal(_cell(self.rows[index], column))
        if value is None:
            raise self._error(
                _("{what}不是数字：“{value}”").format(what=what, value=_text(_cell(self.rows[index], column))),
                row=index,
                column=column,
            )
        return value

    def _optional_text(self, row: Sequence[Cell], column: int | None) -> str | None:
        if column is None:
            return None
        return _text(_cell(row, column)) or None

    def _where(self, row: int, column: int | None = None) -> str:
        cell = _("第 {row} 行").format(row=row + 1)
        if column is not None:
            cell += _(" {column} 列").format(column=column_letter(column))
        return _("工作表“{sheet}”{cell}").format(sheet=MAIN_SHEET, cell=cell)

    def _error(self, message: str, row: int | None = None, column: int | None = None) -> MarkingSchemeError:
        where = f"{self.source}：" + (self._where(row, column) + "：" if row is not None else "")
        if row is None:
            where += _("工作表“{sheet}”：").format(sheet=MAIN_SHEET)
        return MarkingSchemeError(where + message)


# --- cell values -----------------------------------------------------------


def column_letter(column: int) -> str:
    """Excel's name for a 0-based column: 0 → A, 10 → K, 26 → AA."""
    letters = ""
    number = column + 1
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _cell(row: Sequence[Cell], column: int | None) -> Cell:
    if column is None or column >= len(row):
        return ""
    return row[column]


def _text(value: Cell) -> str:
    """A cell as trimmed text; numbers as people write them (1.0 → "1")."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        number = _decimal(value)
        return format_decimal(number) if number is not None else str(value)
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return "" if value is None else str(value).strip()


def _key(value: Cell) -> str:
    """Header text compared loosely: whitespace and line breaks collapsed, case folded."""
    return re.sub(r"\s+", " ", _text(value)).strip().casefold()


def _decimal(value: Cell) -> Decimal | None:
    """A cell as an exact Decimal, or None when it is not a finite number.

    Floats go through ``round(x, 6)`` and their shortest repr, so binary artefacts of formulas
    (0.1 + 0.2 = 0.30000000000000004) come back as the value that was meant.
    """
    number: Decimal | None = None
    if isinstance(value, bool):  # TRUE/FALSE is not a mark (bool is an int subclass)
        number = None
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float) and math.isfinite(value):
        number = Decimal(repr(round(value, FLOAT_PLACES)))
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            number = None
    if number is None or not number.is_finite():
        return None
    return _canonical(number)


def _canonical(value: Decimal) -> Decimal:
    """Drop trailing zeros without an exponent: 30.00 → 30, 0.250 → 0.25, -0 → 0."""
    if value.is_zero():
        return _ZERO
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def _sum(values: Iterable[Decimal]) -> Decimal:
    return _canonical(sum(values, _ZERO))


def _required(column: int | None) -> int:
    assert column is not None
    return column


def _shorten(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _criterion_label(row: Sequence[Cell]) -> str | None:
    for cell in row:
        match = _CRITERION_LABEL.match(_key(cell))
        if match:
            return _text(cell).split()[-1]
    return None


def _criterion_prefix(sub_id: str) -> str:
    match = _CRITERION_PREFIX.match(sub_id)
    return match.group(1).upper() if match else sub_id


def _first_keys(row: Sequence[Cell], count: int) -> list[str]:
    return [key for key in (_key(cell) for cell in row) if key][:count]


def _is_wsos_header(row: Sequence[Cell]) -> bool:
    keys = [_key(cell) for cell in row]
    return _first_keys(row, 1) == ["section"] and "aspect marks" in keys


def _is_criteria_header(row: Sequence[Cell]) -> bool:
    return _first_keys(row, 2) == ["id", "name"]


def _is_aspect_header(row: Sequence[Cell]) -> bool:
    return any(_key(cell).startswith("sub criterion id") for cell in row)
