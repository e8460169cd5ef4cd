"""Importing a paper scores sheet: check every cell, then key them all, or write nothing.

Two layouts are read (python-calamine, like the registration workbook):

* the 成绩录入表 that ``scores_sheet.write_scores_sheet`` writes: one component and pass, named
  in the block above the header; rows by 检录号 or 参赛编号, one column per seat or aspect;
* the registration workbook's 成绩 sheet (``columns.SCORES``): one mark per row, by 赛项,
  参赛编号 or 证件号码, 评分项 and 裁判席位, possibly for several events and components.

``check_scores_workbook`` validates everything without writing and collects every problem
(sheet, Excel row, column as "D列“1号裁判”", the value, in Chinese): an unknown event,
component or code, a duplicate row, a value the grid would refuse (``Column.parse``, so the
rules are the grid's), a seat outside the panel, a sheet that is not 录入中, a cell already
holding a different value (unless ``replace``), the other pass of a double-entry cell keyed
by the same user, a missing permission. ``apply_scores_plan`` then keys each cell through
``services.scores.enter_score``, so permissions, audit records and versions are exactly the
grid's, inside the caller's one transaction; with any problem it refuses to start.

Anonymous marking: before 解密, a sheet may be keyed by 参赛编号 or 证件号码 only by somebody
who holds 抽签 (and so knows the code ↔ person link anyway); anyone else would learn the link
by importing by bib and looking at the grid.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from competition_app.domain.marks import MarkError, plain
from competition_app.domain.permissions import Permission
from competition_app.domain.person_fields import clean_text
from competition_app.excel.columns import COMPETITION, SCORES
from competition_app.excel.importer import ImportReport
from competition_app.excel.reader import (
    ImportProblem,
    Row,
    _Cleaner,
    _date_problem,
    _file_problem,
    _formula_cells,
    _read_sheet,
    column_letter,
)
from competition_app.excel.scores_sheet import (
    ANON_HEADER,
    BIB_HEADER,
    COMPETITION_LABEL,
    COMPONENT_LABEL,
    EVENT_LABEL,
    GRID_SHEET,
    INFO_HEADERS,
    PASS_DIGIT,
    PASS_LABEL,
    column_key,
)
from competition_app.i18n import _
from competition_app.rules.sheet import Sheet
from competition_app.services import audit
from competition_app.services.auth import Actor, AuthError, current_actor, event_place, require
from competition_app.services.scores import (
    CellRef,
    CellTarget,
    ScoreError,
    _check_seat,
    ensure_sheet,
    enter_score,
    load_sheet,
)
from competition_app.tasks import NO_PROGRESS, Progress
from db.models import Competition, Component, Entry, Event, Person, Team

__all__ = [
    "ScoreImportCounts",
    "ScoreWrite",
    "ScoresOutcome",
    "ScoresPlan",
    "apply_scores_plan",
    "check_scores_workbook",
    "import_scores",
]

SEARCH_ROWS = 15
"""The identity block and the header of a 成绩录入表 are looked for in its first rows."""
LISTED_LIMIT = 50
"""Same-hand refusals listed one by one per sheet; the rest are counted (a whole pass is typical)."""
REPORT_EVERY = 100

EntryKey = tuple[int | None, int | None]
"""(entry_id, team_id) of one row of a sheet."""


# --- the plan -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScoreWrite:
    """One cell the import keys: where it goes, what it was, and where it is in the workbook."""

    ref: CellRef
    text: str
    value: Decimal
    old: Decimal | None
    """The value in the database now (None: the cell is empty)."""
    expected_version: int | None
    event_id: int
    component: str
    code: str
    """The row as the workbook names it (检录号, 参赛编号 or 证件号码)."""
    column: str
    """The sheet column's label, e.g. "1号裁判 李四" or "A1.2 J1"."""
    sheet: str
    row: int
    cell: str
    """The workbook column, e.g. "D列“1号裁判”"."""

    @property
    def is_change(self) -> bool:
        return self.old is not None


@dataclass(frozen=True, slots=True)
class ScoreImportCounts:
    """What an import keys (or, for a check or a dry run, would)."""

    created: int = 0
    changed: int = 0
    unchanged: int = 0
    """Cells whose value equals what the database holds: nothing to do."""
    sheets: int = 0
    """Component sheets (× pass) that receive at least one mark."""

    @property
    def changes(self) -> int:
        return self.created + self.changed

    def as_dict(self) -> dict[str, int]:
        return {"created": self.created, "changed": self.changed, "unchanged": self.unchanged, "sheets": self.sheets}

    def describe(self) -> str:
        """One Chinese line, e.g. 新增成绩 120 个、修改 2 个（2 张评分表）；与数据库一致 10 个。"""
        if not self.changes:
            if self.unchanged:
                return _("没有需要写入的成绩：{count} 个成绩与数据库中已有的一致").format(count=self.unchanged)
            return _("表中没有要导入的成绩")
        parts = [_("新增成绩 {count} 个").format(count=self.created)]
        if self.changed:
            parts.append(_("修改 {count} 个（每处修改记入审计日志）").format(count=self.changed))
        text = "、".join(parts) + _("（{count} 张评分表）").format(count=self.sheets)
        if self.unchanged:
            text += _("；与数据库一致 {count} 个").format(count=self.unchanged)
        return text


@dataclass(frozen=True, slots=True)
class ScoresPlan:
    """The checked workbook: its report and, when there are no problems, every cell to key."""

    path: Path
    report: ImportReport
    writes: tuple[ScoreWrite, ...] = ()
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return self.report.ok

    @property
    def counts(self) -> ScoreImportCounts:
        changed = sum(1 for write in self.writes if write.is_change)
        sheets = {(write.ref.component_id, write.ref.pass_no) for write in self.writes}
        return ScoreImportCounts(len(self.writes) - changed, changed, self.unchanged, len(sheets))


@dataclass(frozen=True, slots=True)
class ScoresOutcome:
    """What ``import_scores`` did: ``written`` is False after a dry run or when there were problems."""

    report: ImportReport
    counts: ScoreImportCounts
    written: bool
    writes: tuple[ScoreWrite, ...] = ()


# --- checking -----------------------------------------------------------------------------


@dataclass(slots=True)
class _Target:
    """One component × pass the workbook writes to, loaded once."""

    event: Event
    component: Component
    pass_no: int
    sheet: Sheet
    other: Sheet | None
    """The other pass of a double-entry sheet (whose keyer may not key this one)."""
    row_of: dict[EntryKey, int]
    column_of: dict[tuple[int | None, int], int]
    sees_link: bool
    """The actor may identify rows by bib or ID number (not anonymous, revealed, or holds 抽签)."""
    seat_problems: dict[int, str | None] = field(default_factory=dict)
    same_hand: list[ImportProblem] = field(default_factory=list)
    same_hand_count: int = 0


class _CellError(ValueError):
    pass


def _cell_text(raw: Any, clean: _Cleaner) -> str:
    """A score (or code) cell as text: strings cleaned, numbers written exactly as Excel holds them."""
    if raw is None or raw == "":
        return ""
    if isinstance(raw, str):
        return clean(raw)
    if isinstance(raw, bool):
        raise _CellError(_("是逻辑值（{value}），应为分数").format(value="TRUE" if raw else "FALSE"))
    if isinstance(raw, int):
        return str(raw)
    if isinstance(raw, float):
        # repr is the shortest text that reads back as the same double: 86.55, not 86.5499999….
        return plain(Decimal(repr(raw)))
    raise _CellError(_date_problem(raw))


class _Checker:
    """One check of one scores workbook against the database; collects problems, builds the plan."""

    def __init__(
        self,
        session: Session,
        path: Path,
        *,
        event_id: int | None,
        component_id: int | None,
        pass_no: int | None,
        replace: bool,
        progress: Progress,
    ) -> None:
        self.session = session
        self.path = path
        self.event_id = event_id
        self.component_id = component_id
        self.pass_no = pass_no
        self.replace = replace
        self.progress = progress
        self.problems: list[ImportProblem] = []
        self.warnings: list[ImportProblem] = []
        self.writes: list[ScoreWrite] = []
        self.unchanged = 0
        self.targets: dict[tuple[int, int], _Target | None] = {}
        self.clean = _Cleaner()
        self._actor: Actor | None = None

    def problem(self, sheet: str, row: int, column: str, message: str) -> None:
        self.problems.append(ImportProblem(sheet, row, column, message))

    def warn(self, sheet: str, row: int, column: str, message: str) -> None:
        self.warnings.append(ImportProblem(sheet, row, column, message))

    @property
    def actor(self) -> Actor:
        if self._actor is None:
            self._actor = current_actor(self.session)
        return self._actor

    def finish(self) -> ScoresPlan:
        for target in self.targets.values():
            if target is None or not target.same_hand:
                continue
            self.problems.extend(target.same_hand)
            hidden = target.same_hand_count - len(target.same_hand)
            if hidden:
                self.problem(
                    target.same_hand[0].sheet, 0, "", _("另有 {count} 个成绩同样不能由您录入").format(count=hidden)
                )
        report = ImportReport.of(self.problems, self.warnings)
        if not report.ok:
            return ScoresPlan(self.path, report)
        if not self.writes and not self.unchanged:
            report = ImportReport.of((), [*self.warnings, ImportProblem("", 0, "", _("工作簿中没有填写任何成绩"))])
        return ScoresPlan(self.path, report, tuple(self.writes), self.unchanged)

    # --- the workbook ---------------------------------------------------------------------

    def run(self) -> ScoresPlan:  # noqa: PLR0911
        from python_calamine import CalamineError, CalamineWorkbook

        if self.component_id is not None and self.event_id is None:
            self.event_id = self.session.scalar(select(Component.event_id).where(Component.id == self.component_id))
            if self.event_id is None:
                self.problem("", 0, "", _("评分项不存在：{id}").format(id=self.component_id))
                return self.finish()
        message = _file_problem(self.path)
        if message is not None:
            self.problem("", 0, "", message)
            return self.finish()
        try:
            workbook = CalamineWorkbook.from_path(str(self.path))
        except PermissionError:
            self.problem("", 0, "", _("没有权限读取文件；如果文件在 Excel 中打开着，请先关闭"))
            return self.finish()
        except (CalamineError, OSError, ValueError) as error:
            self.problem("", 0, "", _("无法读取工作簿：文件已损坏或不是 Excel 工作簿（{error}）").format(error=error))
            return self.finish()
        with workbook:
            names = {clean_text(name): name for name in workbook.sheet_names}
            name = names.get(GRID_SHEET) or names.get(SCORES.name)
            if name is None:
                self.problem(
                    "",
                    0,
                    "",
                    _(
                        "找不到成绩表：工作簿中应有“{grid}”工作表（由“导出成绩录入表”生成）或报名工作簿的“{scores}”工作表；"
                        "现有工作表：{present}"
                    ).format(grid=GRID_SHEET, scores=SCORES.name, present="、".join(workbook.sheet_names) or _("无")),
                )
                return self.finish()
            try:
                worksheet = workbook.get_sheet_by_name(name)
                grid = worksheet.to_python(skip_empty_area=False)
                merged = worksheet.merged_cell_ranges or []
            except (CalamineError, OSError, ValueError) as error:
                self.problem(name, 0, "", _("无法读取此工作表：{error}").format(error=error))
                return self.finish()
            formulas = _formula_cells(self.path, [name]).get(name, [])
            if clean_text(name) == GRID_SHEET:
                self.check_grid(name, grid, merged, formulas)
            else:
                competition = self._competition_name(workbook, names.get(COMPETITION.name))
                self.check_rows(name, grid, merged, formulas, competition)
        return self.finish()

    # --- one component and pass: the 成绩录入表 ---------------------------------------------

    def check_grid(  # noqa: PLR0912, PLR0915
        self,
        name: str,
        grid: list[list[Any]],
        merged: list[tuple[tuple[int, int], tuple[int, int]]],
        formulas: list[tuple[int, int]],
    ) -> None:
        identity: dict[str, tuple[int, str]] = {}
        header_index: int | None = None
        code_index = 0
        for index, cells in enumerate(grid[:SEARCH_ROWS]):
            texts = [clean_text(cell) if isinstance(cell, str) else "" for cell in cells]
            found = next((i for i, text in enumerate(texts) if text in (ANON_HEADER, BIB_HEADER)), None)
            if found is not None:
                header_index, code_index = index, found
                break
            if len(texts) > 1 and texts[0] in (COMPETITION_LABEL, EVENT_LABEL, COMPONENT_LABEL, PASS_LABEL):
                identity[texts[0]] = (index + 1, texts[1])
        if header_index is None:
            self.problem(
                name,
                0,
                "",
                _("找不到表头：应有“{anon}”或“{bib}”列；请使用“导出成绩录入表”生成的工作簿").format(
                    anon=ANON_HEADER, bib=BIB_HEADER
                ),
            )
            return
        target = self._grid_target(name, identity)
        if target is None:
            return
        header_row = header_index + 1
        code_header = clean_text(grid[header_index][code_index])
        code_label = _("{letter}列“{header}”").format(letter=column_letter(code_index), header=code_header)
        if code_header == BIB_HEADER and not target.sees_link:
            self.problem(
                name,
                header_row,
                code_label,
                _("“{event}”匿名评分，尚未解密：请按检录号录入（导出的成绩录入表即按检录号排列）").format(
                    event=target.event.name
                ),
            )
            return

        columns = target.sheet.columns
        keys = {column_key(column): index for index, column in enumerate(columns)}
        positions: dict[int, int] = {}  # sheet column → workbook column
        labels: dict[int, str] = {}
        for index, cell in enumerate(grid[header_index]):
            text = clean_text(cell) if cell not in (None, "") else ""
            if not text or index == code_index or text in INFO_HEADERS:
                continue
            label = _("{letter}列“{header}”").format(letter=column_letter(index), header=text)
            column_index = keys.get(text)
            if column_index is None:
                column_index = next((i for key, i in keys.items() if text.startswith(f"{key} ")), None)
            if column_index is None:
                self.warn(
                    name,
                    header_row,
                    label,
                    _("不是“{component}”的评分列，已忽略").format(component=target.component.name),
                )
            elif column_index in positions:
                self.problem(
                    name, header_row, label, _("列名重复：与{other}是同一列").format(other=labels[column_index])
                )
            else:
                positions[column_index], labels[column_index] = index, label
                if text != columns[column_index].label:
                    self.warn(
                        name,
                        header_row,
                        label,
                        _("表头与现在的列名“{now}”不同（裁判席位安排可能已改动），按“{key}”导入").format(
                            now=columns[column_index].label, key=column_key(columns[column_index])
                        ),
                    )
        for index, column in enumerate(columns):
            if index not in positions:
                self.warn(
                    name, header_row, "", _("表中没有“{column}”列：这一列的成绩不导入").format(column=column.label)
                )
        for (top, left), (bottom, right) in merged:
            if bottom >= header_index:
                area = f"{column_letter(left)}{top + 1}:{column_letter(right)}{bottom + 1}"
                self.problem(
                    name,
                    top + 1,
                    _("{letter}列").format(letter=column_letter(left)),
                    _("合并单元格 {area}：每个单元格须各自填写，请取消合并").format(area=area),
                )
        read_columns = {code_index: code_label} | {positions[i]: labels[i] for i in positions}
        bad_cells: set[tuple[int, int]] = set()
        listed = 0
        for row_index, column_index in formulas:
            if row_index <= header_index or column_index not in read_columns:
                continue
            bad_cells.add((row_index, column_index))
            if listed < LISTED_LIMIT:
                listed += 1
                cell = f"{column_letter(column_index)}{row_index + 1}"
                self.problem(
                    name,
                    row_index + 1,
                    read_columns[column_index],
                    _("单元格 {cell} 是公式：导入只接受直接填写的值；请复制后“选择性粘贴为数值”").format(cell=cell),
                )
        if len(bad_cells) > listed:
            self.problem(name, 0, "", _("另有{count}个公式单元格未逐一列出").format(count=len(bad_cells) - listed))

        codes = self._codes(target, anonymous=code_header == ANON_HEADER)
        seen: dict[str, int] = {}
        total = len(grid)
        for row_index in range(header_index + 1, total):
            if row_index % REPORT_EVERY == 0:
                self.progress.report(row_index, total, _("检查第{row}行").format(row=row_index + 1))
            cells = grid[row_index]
            number = row_index + 1
            raw_values: dict[int, Any] = {}
            for column_index, workbook_index in positions.items():
                raw = cells[workbook_index] if workbook_index < len(cells) else None
                if raw not in (None, "") and (row_index, workbook_index) not in bad_cells:
                    raw_values[column_index] = raw
            raw_code = cells[code_index] if code_index < len(cells) else None
            if (row_index, code_index) in bad_cells:
                continue
            try:
                code = _cell_text(raw_code, self.clean)
            except _CellError as error:
                self.problem(name, number, code_label, str(error))
                continue
            if not raw_values:
                continue  # a row nobody filled in (or a blank line)
            if not code or code in ("—", "-"):
                self.problem(
                    name, number, code_label, _("缺少{header}：无法确定这一行是谁的成绩").format(header=code_header)
                )
                continue
            if code in seen:
                self.problem(
                    name,
                    number,
                    code_label,
                    _("{header}“{code}”与第{row}行重复").format(header=code_header, code=code, row=seen[code]),
                )
                continue
            seen[code] = number
            key = codes.get(code)
            row = None if key is None else target.row_of.get(key)
            if row is None:
                self.problem(
                    name,
                    number,
                    code_label,
                    _("“{code}”不是“{event}”的{header}").format(code=code, event=target.event.name, header=code_header),
                )
                continue
            if not target.sheet.rows[row].markable:
                self.problem(name, number, code_label, _("{code} 已退赛，不能录入成绩").format(code=code))
                continue
            for column_index, raw in raw_values.items():
                try:
                    text = _cell_text(raw, self.clean)
                except _CellError as error:
                    self.problem(name, number, labels[column_index], str(error))
                    continue
                if text:
                    self.check_cell(
                        target,
                        row,
                        column_index,
                        text,
                        code=code,
                        sheet=name,
                        number=number,
                        label=labels[column_index],
                    )

    def _grid_target(self, name: str, identity: dict[str, tuple[int, str]]) -> _Target | None:  # noqa: PLR0911
        """The component and pass the 成绩录入表 names (checked against what the caller chose)."""
        named = {label: value for label, (_row, value) in identity.items()}
        where = {label: row for label, (row, _value) in identity.items()}

        def label(key: str) -> str:
            return _("B列“{label}”").format(label=key)

        event_id, component_id = self.event_id, self.component_id
        if event_id is None or component_id is None:
            if not named.get(EVENT_LABEL) or not named.get(COMPONENT_LABEL):
                self.problem(
                    name,
                    0,
                    "",
                    _(
                        "表中没有注明赛项和评分项（前几行的“{event}”“{component}”）：请指定赛项和评分项，"
                        "或使用“导出成绩录入表”生成的工作簿"
                    ).format(event=EVENT_LABEL, component=COMPONENT_LABEL),
                )
                return None
            found = self._find_by_names(
                named.get(COMPETITION_LABEL, ""), named[EVENT_LABEL], named[COMPONENT_LABEL], event_id=event_id
            )
            if isinstance(found, str):
                self.problem(name, where.get(EVENT_LABEL, 0), label(EVENT_LABEL), found)
                return None
            event_id, component_id = found
        else:
            component = self.session.get(Component, component_id)
            if component is None or component.event_id != event_id:
                self.problem(name, 0, "", _("评分项不存在：{id}").format(id=component_id))
                return None
            if named.get(COMPONENT_LABEL) and named[COMPONENT_LABEL] != clean_text(component.name):
                self.problem(
                    name,
                    where[COMPONENT_LABEL],
                    label(COMPONENT_LABEL),
                    _("本表是“{file}”的成绩，不是所选的“{chosen}”").format(
                        file=named[COMPONENT_LABEL], chosen=component.name
                    ),
                )
                return None
            if named.get(EVENT_LABEL) and named[EVENT_LABEL] != clean_text(component.event.name):
                self.problem(
                    name,
                    where[EVENT_LABEL],
                    label(EVENT_LABEL),
                    _("本表是赛项“{file}”的成绩，不是所选的“{chosen}”").format(
                        file=named[EVENT_LABEL], chosen=component.event.name
                    ),
                )
                return None
        file_pass: int | None = None
        if named.get(PASS_LABEL):
            match = PASS_DIGIT.search(named[PASS_LABEL])
            file_pass = int(match.group(1)) if match else None
        pass_no = self.pass_no or file_pass or 1
        if file_pass is not None and self.pass_no is not None and file_pass != self.pass_no:
            self.problem(
                name,
                where[PASS_LABEL],
                label(PASS_LABEL),
                _(
                    "本表是第{file}遍录入表，不能作为第{chosen}遍导入：两遍须各自独立录入，请导出第{chosen}遍录入表"
                ).format(file=file_pass, chosen=self.pass_no),
            )
            return None
        return self._target(name, event_id, component_id, pass_no)

    def _find_by_names(
        self, competition: str, event: str, component: str, *, event_id: int | None
    ) -> tuple[int, int] | str:
        """(event id, component id) named in the workbook, or the Chinese reason there is none."""
        statement = (
            select(Event.id, Competition.name, Component.id, Component.name)
            .join(Competition, Competition.id == Event.competition_id)
            .join(Component, Component.event_id == Event.id)
            .where(Event.name == event)
        )
        if event_id is not None:
            statement = statement.where(Event.id == event_id)
        rows = self.session.execute(statement).all()
        if competition:
            rows = [row for row in rows if clean_text(row[1]) == competition]
        events = {row[0] for row in rows}
        if not events:
            return _("没有赛项“{event}”{where}").format(
                event=event, where=_("（赛事“{name}”）").format(name=competition) if competition else ""
            )
        if len(events) > 1:
            return _("有多个赛事都有赛项“{event}”：请指定赛项").format(event=event)
        matches = [(row[0], row[2]) for row in rows if clean_text(row[3]) == component]
        if not matches:
            known = "、".join(row[3] for row in rows)
            return _("赛项“{event}”没有评分项“{component}”；现有评分项：{known}").format(
                event=event, component=component, known=known
            )
        return matches[0]

    def _codes(self, target: _Target, *, anonymous: bool) -> dict[str, EntryKey]:
        """What a row of the workbook may be named by → (entry_id, team_id)."""
        codes: dict[str, EntryKey] = {}
        event_id = target.event.id
        if target.component.team_scored:
            for team_id, bib, anon_code, team_name in self.session.execute(
                select(Team.id, Team.bib, Team.anon_code, Team.name).where(Team.event_id == event_id)
            ):
                code = anon_code if anonymous else bib or team_name
                if code:
                    codes[clean_text(code)] = (None, team_id)
                codes[f"#T{team_id}"] = (None, team_id)  # the grid's name for a team without a code
            return codes
        for entry_id, bib, anon_code in self.session.execute(
            select(Entry.id, Entry.bib, Entry.anon_code).where(Entry.event_id == event_id)
        ):
            code = anon_code if anonymous else bib
            if code:
                codes[clean_text(code)] = (entry_id, None)
            codes[f"#{entry_id}"] = (entry_id, None)  # the grid's name for an entry without a code
        return codes

    # --- one mark per row: the registration workbook's 成绩 sheet --------------------------------

    def _competition_name(self, workbook: Any, name: str | None) -> str | None:
        """The 赛事名称 of the registration workbook's 赛事 sheet, if it has one."""
        if name is None:
            return None
        try:
            grid = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except Exception:  # the 赛事 sheet only narrows the search; without it event names must be unique
            return None
        header = COMPETITION.column("name").header
        for index, cells in enumerate(grid[:SEARCH_ROWS]):
            for column, cell in enumerate(cells):
                if isinstance(cell, str) and clean_text(cell).rstrip("*").strip() == header:
                    below = grid[index + 1] if index + 1 < len(grid) else []
                    value = clean_text(below[column]) if column < len(below) else ""
                    return value or None
        return None

    def check_rows(  # noqa: PLR0912, PLR0915
        self,
        name: str,
        grid: list[list[Any]],
        merged: list[tuple[tuple[int, int], tuple[int, int]]],
        formulas: list[tuple[int, int]],
        competition: str | None,
    ) -> None:
        sheet = _read_sheet(
            SCORES,
            name,
            grid,
            merged=merged,
            formulas=formulas,
            clean=self.clean,
            problems=self.problems,
            warnings=self.warnings,
        )
        if not sheet.usable:
            return
        competition_id: int | None = None
        if competition is not None:
            competition_id = next(
                (
                    cid
                    for cid, cname in self.session.execute(select(Competition.id, Competition.name))
                    if clean_text(cname) == competition
                ),
                None,
            )
            if competition_id is None:
                self.problem(
                    COMPETITION.name,
                    2,
                    "",
                    _("赛事“{name}”不存在：请先导入报名（赛事、赛项、选手报名）").format(name=competition),
                )
                return
        events = self._events_by_name(competition_id)
        lookups: dict[int, _Lookup] = {}
        seen: dict[tuple[int, EntryKey, int], int] = {}
        skipped = 0
        total = len(sheet.rows)
        for done, row in enumerate(sheet.rows):
            if done % REPORT_EVERY == 0:
                self.progress.report(done, total, _("检查第{row}行").format(row=row.number))
            event_name = row.text("event")
            if not event_name:
                continue  # required: reported by the reader
            candidates = events.get(event_name, [])
            if self.event_id is not None:
                if all(event_id != self.event_id for event_id, _c in candidates):
                    skipped += 1
                    continue
                candidates = [(self.event_id, "")]
            if not candidates:
                self.problem(
                    name,
                    row.number,
                    sheet.label("event"),
                    _("没有赛项“{event}”{where}").format(
                        event=event_name, where=_("（赛事“{name}”）").format(name=competition) if competition else ""
                    ),
                )
                continue
            if len(candidates) > 1:
                self.problem(
                    name,
                    row.number,
                    sheet.label("event"),
                    _("有多个赛事都有赛项“{event}”：请在“赛事”表中填写赛事名称，或指定赛项").format(event=event_name),
                )
                continue
            event_id = candidates[0][0]
            lookup = lookups.get(event_id)
            if lookup is None:
                lookup = lookups[event_id] = _Lookup.load(self.session, event_id)
            component_name = row.text("component")
            component_id = lookup.components.get(component_name)
            if component_id is None:
                if component_name and "component" not in row.invalid:
                    self.problem(
                        name,
                        row.number,
                        sheet.label("component"),
                        _("赛项“{event}”没有评分项“{component}”；现有评分项：{known}").format(
                            event=event_name, component=component_name, known="、".join(lookup.components)
                        ),
                    )
                continue
            if self.component_id is not None and component_id != self.component_id:
                skipped += 1
                continue
            target = self._target(name, event_id, component_id, self.pass_no or 1)
            if target is None:
                continue
            if target.sheet.worldskills:
                self.problem(
                    name,
                    row.number,
                    sheet.label("component"),
                    _("“{component}”按世赛评分细则评分，每个细则一列：请用“导出成绩录入表”生成的工作簿导入").format(
                        component=component_name
                    ),
                )
                continue
            found = self._row_entry(name, target, lookup, row, sheet.label)
            if found is None:
                continue
            key, code = found
            seat = row.integer("seat")
            seat_label = sheet.label("seat")
            if "seat" in row.invalid:
                continue
            if target.component.panel_size == 1:
                if seat not in (None, 1):
                    self.problem(
                        name,
                        row.number,
                        seat_label,
                        _("“{component}”只有一个分数：裁判席位应留空或填1，实际为{seat}").format(
                            component=component_name, seat=seat
                        ),
                    )
                    continue
                seat = 1
            elif seat is None:
                self.problem(
                    name,
                    row.number,
                    seat_label,
                    _("“{component}”由{size}名裁判评分：须填写裁判席位1–{size}").format(
                        component=component_name, size=target.component.panel_size
                    ),
                )
                continue
            elif not 1 <= seat <= target.component.panel_size:
                self.problem(
                    name,
                    row.number,
                    seat_label,
                    _("裁判席位{seat}超出范围：“{component}”的席位为1–{size}").format(
                        seat=seat, component=component_name, size=target.component.panel_size
                    ),
                )
                continue
            column_index = target.column_of.get((None, seat))
            if column_index is None:  # pragma: no cover - seats 1..panel_size are the columns
                continue
            cell_key = (component_id, key, seat)
            if cell_key in seen:
                self.problem(
                    name,
                    row.number,
                    sheet.label("bib"),
                    _("与第{row}行是同一成绩（{code} · {component} · {seat}号席位）").format(
                        row=seen[cell_key], code=code, component=component_name, seat=seat
                    ),
                )
                continue
            seen[cell_key] = row.number
            text = row.text("score")
            if text and "score" not in row.invalid:
                self.check_cell(
                    target,
                    target.row_of[key],
                    column_index,
                    text,
                    code=code,
                    sheet=name,
                    number=row.number,
                    label=sheet.label("score"),
                )
        if skipped:
            self.warn(name, 0, "", _("有{count}行不属于所选的赛项或评分项，已跳过").format(count=skipped))

    def _events_by_name(self, competition_id: int | None) -> dict[str, list[tuple[int, str]]]:
        statement = select(Event.id, Event.name, Competition.name).join(
            Competition, Competition.id == Event.competition_id
        )
        if competition_id is not None:
            statement = statement.where(Event.competition_id == competition_id)
        events: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for event_id, event_name, competition_name in self.session.execute(statement):
            events[clean_text(event_name)].append((event_id, competition_name))
        return events

    def _row_entry(  # noqa: PLR0911
        self, name: str, target: _Target, lookup: _Lookup, row: Row, label: Callable[[str], str]
    ) -> tuple[EntryKey, str] | None:
        """The entry (or team) a 成绩 row names by 参赛编号 or 证件号码, with the code it used."""
        bib, id_number = row.text("bib"), row.text("id_number").upper()
        if not bib and not id_number:
            if "bib" not in row.invalid and "id_number" not in row.invalid:
                self.problem(name, row.number, label("bib"), _("须填写参赛编号或证件号码"))
            return None
        if not target.sees_link:
            self.problem(
                name,
                row.number,
                label("bib"),
                _("“{event}”匿名评分，尚未解密：不能按参赛编号或证件号码导入，请用按检录号的成绩录入表").format(
                    event=target.event.name
                ),
            )
            return None
        if target.component.team_scored:
            team_id = lookup.teams.get(bib)
            if team_id is None:
                self.problem(
                    name,
                    row.number,
                    label("bib"),
                    _("“{code}”不是“{event}”的团队编号或团队名称").format(
                        code=bib or id_number, event=target.event.name
                    ),
                )
                return None
            key: EntryKey = (None, team_id)
        else:
            by_bib = lookup.bibs.get(bib) if bib else None
            by_id = lookup.people.get(id_number) if id_number else None
            if bib and by_bib is None:
                self.problem(
                    name,
                    row.number,
                    label("bib"),
                    _("“{code}”不是“{event}”的参赛编号").format(code=bib, event=target.event.name),
                )
                return None
            if id_number and by_id is None:
                self.problem(
                    name,
                    row.number,
                    label("id_number"),
                    _("证件号码为“{number}”的人没有报名“{event}”").format(number=id_number, event=target.event.name),
                )
                return None
            if by_bib is not None and by_id is not None and by_bib != by_id:
                self.problem(name, row.number, label("id_number"), _("与参赛编号“{code}”不是同一人").format(code=bib))
                return None
            entry_id = by_bib if by_bib is not None else by_id
            assert entry_id is not None
            key = (entry_id, None)
        row_index = target.row_of.get(key)
        if row_index is None:  # pragma: no cover - every entry of the event is a row
            return None
        if not target.sheet.rows[row_index].markable:
            self.problem(name, row.number, label("bib"), _("{code} 已退赛，不能录入成绩").format(code=bib or id_number))
            return None
        return key, bib or id_number

    # --- shared ---------------------------------------------------------------------------

    def _target(self, name: str, event_id: int, component_id: int, pass_no: int) -> _Target | None:
        """The component × pass, loaded once; None (with the problem recorded) when it cannot be keyed."""
        memo = (component_id, pass_no)
        if memo in self.targets:
            return self.targets[memo]
        self.targets[memo] = None
        event = self.session.get(Event, event_id)
        component = self.session.get(Component, component_id)
        if event is None or component is None or component.event_id != event_id:
            self.problem(name, 0, "", _("评分项不存在：{id}").format(id=component_id))
            return None
        try:
            actor = require(self.session, Permission.ENTER_SCORES, event_id=event_id)
            sheet = load_sheet(self.session, event_id, component_id, pass_no)
        except (AuthError, ScoreError) as error:
            self.problem(name, 0, "", str(error))
            return None
        record = ensure_sheet(self.session, event_id, component_id)
        if not sheet.editable:
            self.problem(
                name,
                0,
                "",
                _("“{event} · {component}”评分表{state}，不能导入；如需更正，请裁判长解锁并说明原因").format(
                    event=event.name, component=component.name, state=record.state.label
                ),
            )
        other = load_sheet(self.session, event_id, component_id, 3 - pass_no) if record.double_entry else None
        sees_link = (
            not event.anonymous_marking
            or event.anon_revealed_at is not None
            or actor.can(Permission.DRAW, event_place(self.session, event_id))
        )
        target = _Target(
            event,
            component,
            pass_no,
            sheet,
            other,
            {(row.entry_id, row.team_id): index for index, row in enumerate(sheet.rows)},
            {column.key: index for index, column in enumerate(sheet.columns)},
            sees_link,
        )
        self.targets[memo] = target
        return target

    def check_cell(
        self,
        target: _Target,
        row: int,
        column_index: int,
        text: str,
        *,
        code: str,
        sheet: str,
        number: int,
        label: str,
    ) -> None:
        """One value: parsed as the grid would, compared with the database, queued to be keyed."""
        column = target.sheet.columns[column_index]
        try:
            value = column.parse(text)
        except MarkError as error:
            self.problem(sheet, number, label, str(error))
            return
        seat_problem = self._seat_problem(target, column_index)
        if seat_problem is not None:
            self.problem(sheet, number, label, seat_problem)
            return
        existing = target.sheet.cells.get((row, column_index))
        if existing is not None and existing.value == value:
            self.unchanged += 1
            return
        if existing is not None and not self.replace:
            who = _("（{name}录入）").format(name=existing.entered_by) if existing.entered_by else ""
            self.problem(
                sheet,
                number,
                label,
                _(
                    "数据库中第{n}遍已有成绩 {old}{who}，与表中的 {new} 不同；确需修改请选择“替换已有成绩”"
                    "（命令行 --replace），每处修改记入审计日志"
                ).format(n=target.pass_no, old=plain(existing.value), who=who, new=text),
            )
            return
        actor = self.actor
        if target.other is not None and actor.user_id is not None:
            other = target.other.cells.get((row, column_index))
            if other is not None and other.entered_by_id == actor.user_id:
                target.same_hand_count += 1
                if len(target.same_hand) < LISTED_LIMIT:
                    target.same_hand.append(
                        ImportProblem(
                            sheet,
                            number,
                            label,
                            _("第一遍是您录入的，第二遍必须由另一人录入")
                            if target.pass_no == 2
                            else _("第二遍是您录入的，第一遍必须由另一人录入"),
                        )
                    )
                return
        row_of = target.sheet.rows[row]
        self.writes.append(
            ScoreWrite(
                ref=CellRef(
                    target.component.id, row_of.entry_id, row_of.team_id, column.aspect_id, column.seat, target.pass_no
                ),
                text=text,
                value=value,
                old=None if existing is None else existing.value,
                expected_version=None if existing is None else existing.version,
                event_id=target.event.id,
                component=target.component.name,
                code=code,
                column=column.label,
                sheet=sheet,
                row=number,
                cell=label,
            )
        )

    def _seat_problem(self, target: _Target, column_index: int) -> str | None:
        """A 裁判员 linked to a judge keys only their own seats: checked once per column."""
        if column_index in target.seat_problems:
            return target.seat_problems[column_index]
        column = target.sheet.columns[column_index]
        ref = CellRef(target.component.id, None, None, column.aspect_id, column.seat, target.pass_no)
        problem: str | None = None
        try:
            _check_seat(self.session, self.actor, CellTarget(target.event, target.component, column, None, ""), ref)
        except AuthError as error:
            problem = str(error)
        target.seat_problems[column_index] = problem
        return problem


@dataclass(slots=True)
class _Lookup:
    """How the 成绩 sheet may name an event's entries and components."""

    components: dict[str, int]
    bibs: dict[str, int]
    people: dict[str, int]
    """证件号码 → entry id."""
    teams: dict[str, int]
    """Team bib or name → team id."""

    @classmethod
    def load(cls, session: Session, event_id: int) -> _Lookup:
        components = {
            clean_text(name): component_id
            for component_id, name in session.execute(
                select(Component.id, Component.name)
                .where(Component.event_id == event_id)
                .order_by(Component.sort_order, Component.id)
            )
        }
        bibs: dict[str, int] = {}
        people: dict[str, int] = {}
        for entry_id, bib, number in session.execute(
            select(Entry.id, Entry.bib, Person.id_number)
            .join(Person, Person.id == Entry.person_id)
            .where(Entry.event_id == event_id)
        ):
            if bib:
                bibs[clean_text(bib)] = entry_id
            people[number.upper()] = entry_id
        teams: dict[str, int] = {}
        for team_id, bib, name in session.execute(
            select(Team.id, Team.bib, Team.name).where(Team.event_id == event_id)
        ):
            teams.setdefault(clean_text(name), team_id)
            if bib:
                teams[clean_text(bib)] = team_id
        return cls(components, bibs, people, teams)


# --- the public functions -----------------------------------------------------------------


def check_scores_workbook(
    session: Session,
    path: Path | str,
    *,
    event_id: int | None = None,
    component_id: int | None = None,
    pass_no: int | None = None,
    replace: bool = False,
    progress: Progress | None = None,
) -> ScoresPlan:
    """Read and check a scores workbook without writing anything.

    ``event_id`` / ``component_id`` restrict the import (a 成绩录入表 must then be of that
    component; rows of a 成绩 sheet for others are skipped with a warning). ``pass_no`` None
    takes the pass a 成绩录入表 names (1 for a 成绩 sheet); a 成绩录入表 of the other pass is
    refused, so pass-1 values can never be imported as pass 2. ``replace`` allows changing
    cells that hold a different value. A cancelled ``progress`` raises ``Cancelled``.
    """
    checker = _Checker(
        session,
        Path(path),
        event_id=event_id,
        component_id=component_id,
        pass_no=pass_no,
        replace=replace,
        progress=progress or NO_PROGRESS,
    )
    return checker.run()


def apply_scores_plan(session: Session, plan: ScoresPlan, progress: Progress | None = None) -> ScoreImportCounts:
    """Key every cell of a clean plan through ``enter_score``, in the caller's transaction.

    Each cell gets the grid's audit record (a replaced value is a ``score.change`` with its old
    value); each sheet touched gets one ``score.import`` record naming the file. Raises
    ``ValueError`` for a plan with problems; a cancel (``Cancelled``) or a conflict
    (``ScoreConflict``) propagates and the caller rolls the whole import back.
    """
    if not plan.ok:
        raise ValueError(_("成绩表有问题，不能导入"))
    progress = progress or NO_PROGRESS
    total = len(plan.writes)
    by_sheet: dict[tuple[int, int, int], list[ScoreWrite]] = defaultdict(list)
    for done, write in enumerate(plan.writes):
        if done % 25 == 0:
            progress.report(done, total, _("写入成绩 {done}/{total}").format(done=done, total=total))
        enter_score(session, write.ref, write.text, expected_version=write.expected_version)
        by_sheet[(write.event_id, write.ref.component_id, write.ref.pass_no)].append(write)
    for (event_id, component_id, pass_no), writes in by_sheet.items():
        _audit_import(session, plan.path, event_id=event_id, component_id=component_id, pass_no=pass_no, writes=writes)
    progress.report(total, total, _("完成"))
    return plan.counts


def _audit_import(
    session: Session, path: Path, *, event_id: int, component_id: int, pass_no: int, writes: Iterable[ScoreWrite]
) -> None:
    writes = list(writes)
    record = ensure_sheet(session, event_id, component_id)
    competition_id = session.scalar(select(Event.competition_id).where(Event.id == event_id))
    changed = sum(1 for write in writes if write.is_change)
    audit.append(
        session,
        action="score.import",
        entity_type="score_sheet",
        entity_id=record.id,
        competition_id=competition_id,
        event_id=event_id,
        new_value={
            "file": path.name,
            "component": writes[0].component,
            "pass": pass_no,
            "created": len(writes) - changed,
            "changed": changed,
        },
    )


def import_scores(
    session: Session,
    path: Path | str,
    *,
    event_id: int | None = None,
    component_id: int | None = None,
    pass_no: int | None = None,
    replace: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ScoresOutcome:
    """Check the workbook and, if it has no problems and this is not a dry run, key it.

    All or nothing, in the caller's one transaction (see ``check_scores_workbook`` for the
    arguments); ``written`` is False when nothing was keyed.
    """
    plan = check_scores_workbook(
        session, path, event_id=event_id, component_id=component_id, pass_no=pass_no, replace=replace, progress=progress
    )
    if not plan.ok or dry_run or not plan.writes:
        return ScoresOutcome(plan.report, plan.counts, False, plan.writes)
    counts = apply_scores_plan(session, plan, progress)
    return ScoresOutcome(plan.report, counts, True, plan.writes)
