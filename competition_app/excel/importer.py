"""Importing a competition workbook: check everything, then write everything, or nothing.

``check_workbook`` reads the workbook (``reader``) and validates every row against the rules
of its fields (``person_fields``), against the other rows and against what the database holds
now, without writing; it returns an ``ImportPlan``: the report (problems and warnings, each
with sheet, Excel row and column, in Chinese) and, when there are no problems, exactly what
would be added and updated. ``apply_plan`` writes a clean plan in the caller's transaction
with bulk statements (one INSERT … RETURNING per table, one executemany UPDATE by primary
key), and appends one summary record to the audit log. ``import_workbook`` does both.

Matching, so that importing the same workbook again adds nothing and changes nothing:

* the competition by name (reused as it is), events by name within it (updated when a value
  in the sheet differs; groups only ever added, never removed);
* units by name, people by (证件类型, 证件号码), entries by (赛项, person), teams by (赛项, 团队名称),
  judges by 证件号码 within the competition (by 姓名 when the judge has no number);
* an empty cell never clears a stored value; a person's stored name is never overwritten (a
  different name for the same number is an error).

When nothing changes no audit record is written. Competitions and events created or updated
by the import are recorded by the competitions service itself, as when they are edited in the app.

Permissions: importing into an existing competition needs 报名与裁判管理 (REGISTER) for the whole
competition, plus 管理赛事与规则 there when the workbook adds or changes events; a workbook that
creates its competition needs 管理赛事与规则 everywhere. ``check_workbook`` reports a missing
permission as a problem of the 赛事 sheet and stops there, before it has read anything else of
the database, so a check reveals nothing the user may not see; ``apply_plan`` checks again.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import Insert, insert, select, update
from sqlalchemy.orm import Session

from competition_app.domain.enums import (
    EntryStatus,
    EventKind,
    Gender,
    IdType,
    Level,
    PersonStatus,
    Role,
    SkillLevel,
    TierClass,
)
from competition_app.domain.permissions import Permission
from competition_app.domain.person_fields import (
    CheckedDocument,
    FieldError,
    age_problem,
    check_document,
    clean_text,
    document_mismatches,
    normalise_phone,
    parse_choice,
    parse_entry_status,
    parse_gender,
    parse_id_type,
    parse_skill_level,
    parse_status,
    parse_yes_no,
)
from competition_app.domain.pinyin import name_search_key
from competition_app.excel.columns import SHEETS
from competition_app.excel.reader import ImportProblem, Row, SheetData, WorkbookData, read_workbook
from competition_app.i18n import _
from competition_app.rules.presets import list_presets
from competition_app.services import audit
from competition_app.services.auth import PermissionDenied, audit_who, require
from competition_app.services.competitions import (
    CompetitionSpec,
    EventSpec,
    GroupSpec,
    add_event,
    create_competition,
    event_spec,
    update_event,
)
from competition_app.tasks import NO_PROGRESS, Progress
from competition_app.text import display_width
from db.base import Base
from db.models import Competition, Entry, Event, EventGroup, Judge, JudgeAssignment, Person, Team, Unit
from db.types import utcnow

__all__ = [
    "ImportCounts",
    "ImportOutcome",
    "ImportPlan",
    "ImportProblem",
    "ImportReport",
    "apply_plan",
    "check_workbook",
    "import_workbook",
]

_CHUNK = 900  # IN (…) lists stay well under every engine's parameter limit


# --- the report ---------------------------------------------------------------------------------


def _sort_key(problem: ImportProblem) -> tuple[int, str, int, int, str]:
    order = next((index for index, sheet in enumerate(SHEETS) if sheet.name == problem.sheet), len(SHEETS))
    letters = ""
    for char in problem.column:
        if not ("A" <= char <= "Z"):
            break
        letters += char
    column = 0
    for char in letters:
        column = column * 26 + ord(char) - 64
    return (order, problem.sheet, problem.row, column, problem.message)


@dataclass(frozen=True, slots=True)
class ImportReport:
    """Every problem (the import is refused) and warning (shown, not blocking), sorted by
    sheet (in workbook order), row and column."""

    problems: tuple[ImportProblem, ...]
    warnings: tuple[ImportProblem, ...]

    @classmethod
    def of(cls, problems: Iterable[ImportProblem], warnings: Iterable[ImportProblem]) -> ImportReport:
        return cls(tuple(sorted(set(problems), key=_sort_key)), tuple(sorted(set(warnings), key=_sort_key)))

    @property
    def ok(self) -> bool:
        return not self.problems

    def format(self) -> str:
        """A readable Chinese table for the command line: problems first, then warnings."""
        parts: list[str] = []
        if self.problems:
            parts.append(_("发现{count}个问题，未导入任何数据：").format(count=len(self.problems)))
            parts.append(self._table(self.problems))
        if self.warnings:
            parts.append(_("提醒（{count}条，不影响导入）：").format(count=len(self.warnings)))
            parts.append(self._table(self.warnings))
        return "\n".join(parts)

    @staticmethod
    def _table(items: Sequence[ImportProblem]) -> str:
        rows = [(_("工作表"), _("行"), _("列"), _("说明"))]
        rows += [
            (item.sheet or "—", str(item.row) if item.row else "—", item.column or "—", item.message) for item in items
        ]
        widths = [max(display_width(row[index]) for row in rows) for index in range(3)]
        lines = []
        for row in rows:
            cells = [cell + " " * (widths[index] - display_width(cell)) for index, cell in enumerate(row[:3])]
            lines.append("  ".join([*cells, row[3]]))
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class ImportCounts:
    """What an import adds and updates (or, for a check or a dry run, would)."""

    competitions_created: int = 0
    events_created: int = 0
    events_updated: int = 0
    units_created: int = 0
    people_created: int = 0
    people_updated: int = 0
    entries_created: int = 0
    entries_updated: int = 0
    teams_created: int = 0
    judges_created: int = 0
    judges_updated: int = 0
    assignments_created: int = 0
    assignments_updated: int = 0

    @property
    def changes(self) -> int:
        return sum(getattr(self, item.name) for item in fields(self))

    def as_dict(self) -> dict[str, int]:
        return {item.name: getattr(self, item.name) for item in fields(self)}

    def describe(self) -> str:
        """One Chinese line, e.g. 新增：选手 120、报名 130；更新：选手 3。"""
        labels = {
            "competitions": _("赛事"),
            "events": _("赛项"),
            "units": _("单位"),
            "people": _("人员"),
            "entries": _("报名"),
            "teams": _("团队"),
            "judges": _("裁判"),
            "assignments": _("执裁安排"),
        }
        created = [f"{label} {getattr(self, f'{key}_created')}" for key, label in labels.items()
                   if getattr(self, f"{key}_created", 0)]  # fmt: skip
        updated = [f"{label} {getattr(self, f'{key}_updated')}" for key, label in labels.items()
                   if getattr(self, f"{key}_updated", 0)]  # fmt: skip
        if not created and not updated:
            return _("没有需要新增或更新的数据（与数据库中已有的一致）")
        parts = []
        if created:
            parts.append(_("新增：{items}").format(items="、".join(created)))
        if updated:
            parts.append(_("更新：{items}").format(items="、".join(updated)))
        return "；".join(parts)


# --- the plan -----------------------------------------------------------------------------------


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    KEEP = "keep"


@dataclass(slots=True)
class EventPlan:
    name: str
    id: int | None
    spec: EventSpec
    action: Action
    date: date | None  # the day ages are reckoned on


PersonKey = tuple[IdType, str]
_EntryRow = tuple[Row, PersonKey, str, str, EntryStatus | None]  # row, person, event, group, status


@dataclass(slots=True)
class ImportPlan:
    """The checked workbook: its report and, when the report has no problems, what to write."""

    path: Path
    report: ImportReport
    competition_id: int | None = None
    competition_spec: CompetitionSpec | None = None
    events: list[EventPlan] = field(default_factory=list)
    new_units: dict[str, str | None] = field(default_factory=dict)  # name → region
    new_people: list[dict[str, Any]] = field(default_factory=list)  # unit as "unit_name"
    person_updates: list[dict[str, Any]] = field(default_factory=list)  # by "id"; unit as "unit_name"
    new_teams: list[dict[str, Any]] = field(default_factory=list)  # event, group, name, unit_name
    new_entries: list[dict[str, Any]] = field(default_factory=list)  # person key, event, group, team …
    entry_updates: list[dict[str, Any]] = field(default_factory=list)  # by "id"
    new_judges: list[dict[str, Any]] = field(default_factory=list)
    judge_updates: list[dict[str, Any]] = field(default_factory=list)
    new_assignments: list[dict[str, Any]] = field(default_factory=list)  # judge key, event, role
    assignment_updates: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.report.ok

    @property
    def is_empty(self) -> bool:
        """Nothing to import: the workbook holds no competition (e.g. the bare template)."""
        return self.competition_id is None and self.competition_spec is None

    @property
    def counts(self) -> ImportCounts:
        return ImportCounts(
            competitions_created=int(self.competition_spec is not None),
            events_created=sum(1 for event in self.events if event.action is Action.CREATE),
            events_updated=sum(1 for event in self.events if event.action is Action.UPDATE),
            units_created=len(self.new_units),
            people_created=len(self.new_people),
            people_updated=len(self.person_updates),
            entries_created=len(self.new_entries),
            entries_updated=len(self.entry_updates),
            teams_created=len(self.new_teams),
            judges_created=len(self.new_judges),
            judges_updated=len(self.judge_updates),
            assignments_created=len(self.new_assignments),
            assignments_updated=len(self.assignment_updates),
        )


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    """What ``import_workbook`` did: ``written`` is False after a dry run or when there were problems."""

    report: ImportReport
    counts: ImportCounts
    written: bool
    competition_id: int | None


# --- checking -----------------------------------------------------------------------------------


def _chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


_LEVEL_ALIASES = {"世界": Level.WORLD, "世赛": Level.WORLD, "国家": Level.NATIONAL, "省": Level.PROVINCIAL,
                  "市": Level.MUNICIPAL, "地市级": Level.MUNICIPAL}  # fmt: skip
_KIND_ALIASES = {"个人": EventKind.INDIVIDUAL, "团体": EventKind.TEAM, "团队": EventKind.TEAM,
                 "团队赛": EventKind.TEAM}  # fmt: skip
_ROLES = {Role.CHIEF_JUDGE.label: Role.CHIEF_JUDGE, Role.JUDGE.label: Role.JUDGE, "裁判": Role.JUDGE,
          Role.CHIEF_JUDGE.value: Role.CHIEF_JUDGE, Role.JUDGE.value: Role.JUDGE}  # fmt: skip


def _parse_tier_class(raw: str) -> TierClass:
    if raw in ("", "无", "—", "-"):
        return TierClass.NONE
    return parse_choice(TierClass, raw, _("竞赛类别"))


def _parse_presets(raw: str) -> list[str]:
    """Preset keys named by ``raw``: names or keys separated by 、 (a name may itself contain 、)."""
    known = {info.key: info.key for info in list_presets()}
    known.update({clean_text(info.name): info.key for info in list_presets()})
    keys: list[str] = []
    pending = ""
    for token in raw.split("、"):
        pending = f"{pending}、{token}" if pending else token.strip()
        if pending in known:
            keys.append(known[pending])
            pending = ""
    if pending or not keys:
        names = "、".join(info.name for info in list_presets())
        raise FieldError(_("规则预设“{value}”不存在；可填：{names}").format(value=pending or raw, names=names))
    return list(dict.fromkeys(keys))


_UNPARSED = object()


class _Checker:
    """One check of one workbook against the database; collects problems, builds the plan."""

    def __init__(self, session: Session, data: WorkbookData) -> None:
        self.session = session
        self.data = data
        self.problems: list[ImportProblem] = list(data.problems)
        self.warnings: list[ImportProblem] = list(data.warnings)
        self.plan = ImportPlan(data.path, ImportReport((), ()))
        self.competition_date: date | None = None
        self.events: dict[str, EventPlan] = {}
        self.broken_events: set[str] = set()  # named in a 赛项 row with problems: no follow-on errors
        self.event_groups: dict[str, dict[str, frozenset[str]]] = {}  # event → group → allowed statuses
        self.units: dict[str, int] = {}
        self.entry_units: dict[str, Counter[str]] = defaultdict(Counter)  # event → unit → contestants
        self.closed_events: set[str] = set()  # registration closed: the sheet may not change them
        self.parsed: dict[tuple[str, str, str], Any] = {}

    def problem(self, sheet: SheetData, row: int, key: str | None, message: str) -> None:
        self.problems.append(ImportProblem(sheet.name, row, sheet.label(key) if key else "", message))

    def warn(self, sheet: SheetData, row: int, key: str | None, message: str) -> None:
        self.warnings.append(ImportProblem(sheet.name, row, sheet.label(key) if key else "", message))

    def run(self, progress: Progress) -> ImportPlan:
        competition = self.data.sheet("competition")
        if competition is not None and competition.usable:
            self.check_competition(competition)
        if self.plan.is_empty:
            if not self.problems and self._has_rows():
                sheet = competition
                name = sheet.name if sheet else "赛事"
                self.problems.append(ImportProblem(name, 2, "", _("请在第2行填写本工作簿所属的赛事")))
            elif not self.problems:
                self.warnings.append(ImportProblem("", 0, "", _("工作簿中没有要导入的数据（示例行不导入）")))
            return self.finish()
        if not self.permitted(competition, Permission.REGISTER):
            return self.finish()
        progress.check()
        events = self.data.sheet("events")
        self.load_events()
        if events is not None and events.usable:
            self.check_events(events)
        changes_events = any(event.action is not Action.KEEP for event in self.events.values())
        if changes_events and not self.permitted(events, Permission.MANAGE_COMPETITIONS):
            return self.finish()
        progress.check()
        self.units = _by_clean_name(self.session.execute(select(Unit.name, Unit.id)))
        entries = self.data.sheet("entries")
        if entries is not None and entries.usable:
            self.check_entries(entries)
        progress.check()
        judges = self.data.sheet("judges")
        if judges is not None and judges.usable:
            self.check_judges(judges)
        scores = self.data.sheet("scores")
        if scores is not None and scores.unread_rows:
            self.warnings.append(
                ImportProblem(
                    scores.name,
                    0,
                    "",
                    _(
                        "成绩表有{count}行未导入：请用“评分 → 导入纸质成绩表”或 competition-app scores import 导入"
                    ).format(count=scores.unread_rows),
                )
            )
        return self.finish()

    def _has_rows(self) -> bool:
        return any(sheet.rows for sheet in self.data.sheets.values())

    def permitted(self, sheet: SheetData | None, permission: Permission) -> bool:
        """Whether the user holds ``permission`` for the whole competition; a problem if not.

        A competition the workbook creates needs 管理赛事与规则 everywhere instead.
        """
        try:
            if self.plan.competition_id is None:
                require(self.session, Permission.MANAGE_COMPETITIONS)
            else:
                require(self.session, permission, competition_id=self.plan.competition_id)
        except PermissionDenied as error:
            row = sheet.rows[0].number if sheet is not None and sheet.rows else 0
            self.problems.append(ImportProblem(sheet.name if sheet is not None else "", row, "", str(error)))
            return False
        return True

    def finish(self) -> ImportPlan:
        self.plan.report = ImportReport.of(self.problems, self.warnings)
        if self.problems:
            plan = ImportPlan(self.plan.path, self.plan.report)
            plan.competition_id, plan.competition_spec = self.plan.competition_id, self.plan.competition_spec
            return plan
        return self.plan

    # 赛事 ---------------------------------------------------------------------------------------

    def check_competition(self, sheet: SheetData) -> None:
        if not sheet.rows:
            return
        for extra in sheet.rows[1:]:
            self.problem(sheet, extra.number, None, _("一个工作簿只能填写一个赛事（第{row}行已填写）").format(
                row=sheet.rows[0].number))  # fmt: skip
        row = sheet.rows[0]
        if "name" in row.invalid:
            return
        name = row.text("name")
        existing = next(
            (
                found
                for found in self.session.execute(select(Competition.id, Competition.name, Competition.start_date))
                if clean_text(found.name) == name
            ),
            None,
        )
        if existing is not None:
            self.plan.competition_id = existing.id
            self.competition_date = existing.start_date
            return
        problems_before = len(self.problems)
        level = self._parse(sheet, row, "level", lambda text: parse_choice(Level, text, _("竞赛层级"),
                                                                             aliases=_LEVEL_ALIASES))  # fmt: skip
        tier_class = self._parse(sheet, row, "tier_class", _parse_tier_class)
        presets = self._parse(sheet, row, "preset", _parse_presets)
        year = row.integer("year")
        if year is not None and not 2000 <= year <= 2100:
            self.problem(sheet, row.number, "year", _("应在2000到2100之间，实际为{year}").format(year=year))
        start, end = row.day("start_date"), row.day("end_date")
        if start and end and end < start:
            self.problem(sheet, row.number, "end_date", _("早于开始日期{start}").format(start=start))
        if len(self.problems) > problems_before or row.invalid or year is None or not presets:
            return
        assert level is not None and tier_class is not None
        self.competition_date = start
        self.plan.competition_spec = CompetitionSpec(
            name=name,
            year=year,
            level=level,
            tier_class=tier_class,
            preset_key=presets[0],
            extra_preset_keys=tuple(presets[1:]),
            short_name=row.optional_text("short_name"),
            edition=row.integer("edition"),
            region=row.optional_text("region"),
            organiser=row.optional_text("organiser"),
            host=row.optional_text("host"),
            start_date=start,
            end_date=end,
            certificate_number_format=row.optional_text("certificate_number_format"),
        )

    def _parse(self, sheet: SheetData, row: Row, key: str, parse: Any) -> Any:
        """``parse(text)`` of the cell, or None (empty or invalid: the problem is recorded)."""
        if key in row.invalid:
            return None
        text = row.text(key)
        memo_key = (sheet.name, key, text)  # a column's parser is the same on every row; values repeat
        parsed = self.parsed.get(memo_key, _UNPARSED)
        if parsed is _UNPARSED:
            try:
                parsed = parse(text)
            except FieldError as error:
                parsed = error
            self.parsed[memo_key] = parsed
        if isinstance(parsed, FieldError):
            self.problem(sheet, row.number, key, str(parsed))
            row.invalid.add(key)
            return None
        return parsed

    # 赛项 ---------------------------------------------------------------------------------------

    def load_events(self) -> None:
        """The competition's events as they are now: each a KEEP plan until the sheet changes it."""
        if self.plan.competition_id is None:
            return
        rows = self.session.execute(
            select(Event.id, Event.name, Event.start_date, Event.registration_open).where(
                Event.competition_id == self.plan.competition_id
            )
        ).all()
        for event_id, name, start_date, _open in rows:
            spec = event_spec(self.session, event_id)
            key = clean_text(name)
            self.events[key] = EventPlan(name, event_id, spec, Action.KEEP, start_date or self.competition_date)
            self.event_groups[key] = {
                clean_text(group.name): frozenset(status.value for status in group.allowed_statuses)
                for group in spec.groups
            }
        self.closed_events = {clean_text(name) for _id, name, _start, is_open in rows if not is_open}

    def check_events(self, sheet: SheetData) -> None:  # noqa: PLR0912, PLR0915
        seen: dict[str, int] = {}
        for row in sheet.rows:
            name = row.text("name")
            if not name:
                continue
            if name in seen:
                self.problem(sheet, row.number, "name", _("赛项名称重复：与第{row}行相同").format(row=seen[name]))
                self.broken_events.add(name)
                continue
            seen[name] = row.number
            before = len(self.problems)
            kind = self._parse(sheet, row, "kind", lambda text: parse_choice(EventKind, text, _("个人/团体"),
                                                                             aliases=_KIND_ALIASES))  # fmt: skip
            tier_class = self._parse(sheet, row, "tier_class", _parse_tier_class)
            anonymous = self._parse(sheet, row, "anonymous_marking", lambda text: parse_yes_no(text, _("匿名评分")))
            team_size = row.integer("team_size")
            if kind is EventKind.TEAM and team_size is None and "team_size" not in row.invalid:
                existing = self.events.get(name)
                if existing is None or existing.spec.kind is not EventKind.TEAM:
                    self.problem(sheet, row.number, "team_size", _("团体赛项须填写团队人数（每队至少2人）"))
            elif kind is EventKind.TEAM and team_size is not None and team_size < 2:
                self.problem(sheet, row.number, "team_size", _("团体赛项每队至少2人，实际为{size}").format(
                    size=team_size))  # fmt: skip
            elif kind is EventKind.INDIVIDUAL and team_size not in (None, 1):
                self.problem(sheet, row.number, "team_size", _("个人赛项的团队人数应为1或留空"))
            min_age, max_age = row.integer("min_age"), row.integer("max_age")
            for key, age in (("min_age", min_age), ("max_age", max_age)):
                if age is not None and not 0 < age < 100:
                    self.problem(sheet, row.number, key, _("年龄应在1到99之间，实际为{age}").format(age=age))
            group_names = list(dict.fromkeys(row.items("groups")))
            existing = self.events.get(name)
            if existing is not None:
                spec = existing.spec
                min_age = min_age if min_age is not None else spec.min_age
                max_age = max_age if max_age is not None else spec.max_age
            if min_age is not None and max_age is not None and min_age > max_age:
                self.problem(sheet, row.number, "max_age", _("{high}岁小于最低年龄{low}岁").format(
                    high=max_age, low=min_age))  # fmt: skip
            if len(self.problems) > before or row.invalid:
                self.broken_events.add(name)
                continue
            assert kind is not None
            size = team_size if team_size is not None else (1 if kind is EventKind.INDIVIDUAL else 0)
            if existing is None:
                spec = EventSpec(
                    name=name,
                    occupation=row.text("occupation"),
                    groups=tuple(GroupSpec(group) for group in group_names),
                    occupation_code=row.optional_text("occupation_code"),
                    code=row.optional_text("code"),
                    tier_class=tier_class if tier_class not in (None, TierClass.NONE) else None,
                    kind=kind,
                    team_size=size,
                    min_age=min_age,
                    max_age=max_age,
                    start_date=row.day("start_date"),
                    anonymous_marking=bool(anonymous),
                )
                plan = EventPlan(name, None, spec, Action.CREATE, spec.start_date or self.competition_date)
                self.events[name] = plan
                self.event_groups[name] = {group: frozenset() for group in group_names}
                continue
            old = existing.spec
            known_groups = {clean_text(group.name) for group in old.groups}
            spec = replace(
                old,
                occupation=row.text("occupation") or old.occupation,
                groups=(*old.groups, *(GroupSpec(group) for group in group_names if group not in known_groups)),
                occupation_code=row.optional_text("occupation_code") or old.occupation_code,
                code=row.optional_text("code") or old.code,
                tier_class=tier_class if tier_class not in (None, TierClass.NONE) else old.tier_class,
                kind=kind,
                team_size=team_size
                if team_size is not None
                else (1 if kind is EventKind.INDIVIDUAL else old.team_size),
                min_age=min_age,
                max_age=max_age,
                start_date=row.day("start_date") or old.start_date,
                anonymous_marking=bool(anonymous) if "anonymous_marking" in row.values else old.anonymous_marking,
                components=(),
            )
            if replace(old, components=()) == spec:
                continue
            if name in self.closed_events:
                message = _("赛项“{name}”已截止报名，不能修改；请先在程序中重新开放报名").format(name=name)
                self.problem(sheet, row.number, "name", message)
                self.broken_events.add(name)
                continue
            existing.spec = spec
            existing.action = Action.UPDATE
            existing.date = spec.start_date or self.competition_date
            for group in group_names:
                self.event_groups[name].setdefault(group, frozenset())
        self.plan.events = list(self.events.values())

    # 选手报名 ------------------------------------------------------------------------------------

    def _document(self, sheet: SheetData, row: Row) -> CheckedDocument | None:
        id_type = self._parse(sheet, row, "id_type", parse_id_type)
        if id_type is None or "id_number" in row.invalid or not row.text("id_number"):
            return None
        try:
            return check_document(id_type, row.text("id_number"))
        except FieldError as error:
            self.problem(sheet, row.number, "id_number", str(error))
            return None

    def check_entries(self, sheet: SheetData) -> None:
        people: dict[PersonKey, dict[str, Any]] = {}  # merged fields from the file, by person
        first_row: dict[PersonKey, int] = {}
        entries: list[_EntryRow] = []
        for row in sheet.rows:
            document = self._document(sheet, row)
            gender = self._parse(sheet, row, "gender", lambda t: parse_gender(t) if t else None)
            status = self._parse(sheet, row, "status", parse_status)
            skill = self._parse(sheet, row, "skill_level", parse_skill_level)
            entry_status = self._parse(sheet, row, "status_entry", lambda t: parse_entry_status(t) if t else None)
            phone = self._parse(sheet, row, "phone", lambda t: normalise_phone(t) if t else None)
            birth = row.day("birth_date")
            event_name, group = row.text("event"), row.text("group")
            event_ok = self._event_and_group(sheet, row, event_name, group)
            if document is None:
                continue
            for label_key, message in document_mismatches(document, gender, birth):
                column_key = "gender" if label_key == _("性别") else "birth_date"
                self.problem(sheet, row.number, column_key, message)
            key: PersonKey = (document.id_type, document.number)
            values: dict[str, Any] = {
                "name": row.text("name"),
                "gender": document.gender or gender,  # the number wins (a mismatch is reported above)
                "birth_date": document.birth_date or birth,
                "phone": phone,
                "unit_name": row.optional_text("unit"),
                "region": row.optional_text("region"),
                "status": status,
                "skill_level": skill,
                "skill_certificate_no": row.optional_text("skill_certificate_no"),
            }
            merged = people.get(key)
            if merged is None:
                people[key] = values
                first_row[key] = row.number
            else:
                for field_key, value in values.items():
                    if value is None:
                        continue
                    if merged.get(field_key) is None:
                        merged[field_key] = value
                    elif merged[field_key] != value:
                        self.problem(sheet, row.number, _PERSON_COLUMNS[field_key], _(
                            "同一证件号码在第{row}行填写为“{other}”，两处不一致").format(
                            row=first_row[key], other=_shown(merged[field_key])))  # fmt: skip
            if event_ok:
                entries.append((row, key, event_name, group, entry_status))
        stored = self._load_people(list(people))
        for key, values in people.items():
            self._plan_person(sheet, key, values, stored.get(key), first_row[key])
        self._check_entry_rows(sheet, entries, people, stored)

    def _event_and_group(self, sheet: SheetData, row: Row, event_name: str, group: str) -> bool:
        """Whether the row's event and group exist (in the sheet or the database); reports them if not."""
        if "event" in row.invalid or "group" in row.invalid:
            return False
        if event_name not in self.events:
            if event_name not in self.broken_events:
                self.problem(sheet, row.number, "event", _(
                    "赛项“{name}”不在“赛项”表中，本赛事也没有此赛项").format(name=event_name))  # fmt: skip
            return False
        groups = self.event_groups[event_name]
        if group not in groups:
            self.problem(sheet, row.number, "group", _("“{group}”不是赛项“{event}”的组别（可填：{groups}）").format(
                group=group, event=event_name, groups="、".join(groups)))  # fmt: skip
            return False
        return True

    def _load_people(self, keys: list[PersonKey]) -> dict[PersonKey, dict[str, Any]]:
        stored: dict[PersonKey, dict[str, Any]] = {}
        by_type: dict[IdType, set[str]] = defaultdict(set)
        for id_type, number in keys:
            by_type[id_type].add(number)
        chunks = [(id_type, chunk) for id_type, numbers in by_type.items() for chunk in _chunks(sorted(numbers))]
        for id_type, chunk in chunks:
            rows = self.session.execute(
                select(
                    Person.id, Person.id_type, Person.id_number, Person.name, Person.gender, Person.birth_date,
                    Person.phone, Unit.name.label("unit_name"), Person.region, Person.status, Person.skill_level,
                    Person.skill_certificate_no,
                )
                .outerjoin(Unit, Unit.id == Person.unit_id)
                .where(Person.id_type == id_type, Person.id_number.in_(chunk))
            ).mappings()  # fmt: skip
            for row in rows:
                stored[(row["id_type"], row["id_number"])] = _cleaned(row, "unit_name")
        return stored

    def _plan_person(
        self, sheet: SheetData, key: PersonKey, values: dict[str, Any], old: dict[str, Any] | None, row: int
    ) -> None:
        unit = values["unit_name"]
        if unit and unit not in self.units and unit not in self.plan.new_units:
            self.plan.new_units[unit] = values["region"]
        if old is None:
            self.plan.new_people.append({"id_type": key[0], "id_number": key[1], **values})
            return
        if clean_text(old["name"]) != values["name"]:
            self.problem(sheet, row, "name", _(
                "证件号码{number}在数据库中登记的姓名是“{stored}”，与本行“{name}”不同；请核对证件，"
                "如确需改名请在程序中修改").format(number=key[1], stored=old["name"], name=values["name"]))  # fmt: skip
            return
        changes = {k: v for k, v in values.items() if v is not None and k != "name" and old.get(k) != v}
        if changes:
            self.plan.person_updates.append({"id": old["id"], **changes})

    def _check_entry_rows(  # noqa: PLR0912, PLR0915
        self,
        sheet: SheetData,
        entries: list[_EntryRow],
        people: dict[PersonKey, dict[str, Any]],
        stored: dict[PersonKey, dict[str, Any]],
    ) -> None:
        existing = self._load_entries()  # (event, person id) → entry values
        bibs_in_db = {(event, values["bib"]): (person_id, values) for (event, person_id), values in existing.items()
                      if values["bib"]}  # fmt: skip
        teams_in_db = self._load_teams()  # (event, team) → (group, members)
        seen: dict[tuple[str, PersonKey], int] = {}
        bibs: dict[tuple[str, str], int] = {}
        final_bib: dict[tuple[str, int], str | None] = {}  # what the file gives stored people, per event
        team_members: dict[tuple[str, str], set[PersonKey | int]] = defaultdict(set)
        team_group: dict[tuple[str, str], tuple[str, int]] = {}
        team_rows: dict[tuple[str, str], list[int]] = defaultdict(list)
        for row, key, event_name, _group, _status in entries:
            person_id = stored[key]["id"] if key in stored else None
            if person_id is not None:
                final_bib[(event_name, person_id)] = row.optional_text("bib")
        for row, key, event_name, group, entry_status in entries:
            plan = self.events[event_name]
            values = people[key]
            allowed = self.event_groups[event_name][group]
            if allowed and values["status"] is not None and values["status"].value not in allowed:
                labels = "、".join(PersonStatus(code).label for code in sorted(allowed))
                self.problem(sheet, row.number, "status", _("组别“{group}”只接受身份为{labels}的选手").format(
                    group=group, labels=labels))  # fmt: skip
            if plan.date is not None and values["birth_date"] is not None:
                message = age_problem(values["birth_date"], plan.date, plan.spec.min_age, plan.spec.max_age)
                if message:
                    self.problem(sheet, row.number, "birth_date" if key[0] is IdType.PASSPORT else "id_number",
                                 message)  # fmt: skip
            duplicate = seen.get((event_name, key))
            if duplicate is not None:
                message = _("同一选手在赛项“{event}”中重复报名（第{a}行与第{b}行证件号码相同）")
                for number in (duplicate, row.number):
                    self.problem(
                        sheet, number, "id_number", message.format(event=event_name, a=duplicate, b=row.number)
                    )
                continue
            seen[(event_name, key)] = row.number
            person_id = stored[key]["id"] if key in stored else None
            bib = row.optional_text("bib")
            if bib:
                other_row = bibs.get((event_name, bib))
                if other_row is not None:
                    message = _("参赛编号“{bib}”在赛项“{event}”中重复（第{a}行与第{b}行）")
                    for number in (other_row, row.number):
                        self.problem(sheet, number, "bib", message.format(bib=bib, event=event_name, a=other_row,
                                                                          b=row.number))  # fmt: skip
                else:
                    bibs[(event_name, bib)] = row.number
                holder = bibs_in_db.get((event_name, bib))
                if holder is not None and holder[0] != person_id and final_bib.get((event_name, holder[0]), bib) == bib:
                    self.problem(sheet, row.number, "bib", _("参赛编号“{bib}”已被本赛项的“{name}”使用").format(
                        bib=bib, name=holder[1]["person_name"]))  # fmt: skip
            team = row.optional_text("team")
            if plan.spec.kind is EventKind.TEAM:
                if not team:
                    self.problem(
                        sheet, row.number, "team", _("团体赛项“{event}”须填写团队名称").format(event=event_name)
                    )
                else:
                    team_key = (event_name, team)
                    stored_team = teams_in_db.get(team_key)
                    first = team_group.setdefault(team_key, (stored_team[0] if stored_team else group, row.number))
                    if first[0] != group:
                        message = _("同一团队的选手须在同一组别：团队“{team}”是{group}").format(
                            team=team, group=first[0]
                        )
                        self.problem(sheet, row.number, "group", message)
                    if stored_team is not None:
                        team_members[team_key].update(stored_team[1])
                    team_members[team_key].add(person_id if person_id is not None else key)
                    team_rows[team_key].append(row.number)
            elif team:
                self.warn(sheet, row.number, "team", _("个人赛项不需要团队名称，已忽略"))
                team = None
            unit = people[key]["unit_name"]
            if unit:
                self.entry_units[event_name][unit] += 1
            entry = {
                "event": event_name,
                "group": group,
                "team": team,
                "bib": bib,
                "status": entry_status,
                "unit_name": unit,
            }
            old = existing.get((event_name, person_id)) if person_id is not None else None
            if old is None:
                self.plan.new_entries.append(
                    {**entry, "person": key, "status": entry["status"] or EntryStatus.REGISTERED,
                     "skill_level_at_entry": values["skill_level"]}
                )  # fmt: skip
                continue
            changes = {k: v for k, v in entry.items() if v is not None and k != "event" and old[k] != v}
            if changes:
                self.plan.entry_updates.append({"id": old["id"], "event": event_name, "group": group, **changes})
        for team_key, members in team_members.items():
            event_plan = self.events[team_key[0]]
            if len(members) > event_plan.spec.team_size:
                for number in team_rows[team_key]:
                    self.problem(sheet, number, "team", _("团队“{team}”有{count}人，超过本赛项每队{size}人").format(
                        team=team_key[1], count=len(members), size=event_plan.spec.team_size))  # fmt: skip
            if team_key not in teams_in_db:
                group = team_group[team_key][0]
                self.plan.new_teams.append({"event": team_key[0], "group": group, "name": team_key[1]})
        self._count_stored_units(existing, seen, stored)

    def _count_stored_units(
        self,
        existing: dict[tuple[str, int], dict[str, Any]],
        seen: dict[tuple[str, PersonKey], int],
        stored: dict[PersonKey, dict[str, Any]],
    ) -> None:
        in_file = {(event, stored[key]["id"]) for event, key in seen if key in stored}
        for (event_name, person_id), values in existing.items():
            if (event_name, person_id) not in in_file and values["unit_name"]:
                self.entry_units[event_name][values["unit_name"]] += 1

    def _load_entries(self) -> dict[tuple[str, int], dict[str, Any]]:
        if self.plan.competition_id is None:
            return {}
        entry_unit = Unit.__table__.alias("entry_unit")
        rows = self.session.execute(
            select(
                Entry.id, Event.name.label("event"), Entry.person_id, Person.name.label("person_name"),
                EventGroup.name.label("group"), Team.name.label("team"), Entry.bib, Entry.status,
                entry_unit.c.name.label("unit_name"),
            )
            .join(Event, Event.id == Entry.event_id)
            .join(Person, Person.id == Entry.person_id)
            .join(EventGroup, EventGroup.id == Entry.group_id)
            .outerjoin(Team, Team.id == Entry.team_id)
            .outerjoin(entry_unit, entry_unit.c.id == Entry.unit_id)
            .where(Event.competition_id == self.plan.competition_id)
        ).mappings()  # fmt: skip
        cleaned = (_cleaned(row, "event", "group", "team", "unit_name") for row in rows)
        return {(row["event"], row["person_id"]): row for row in cleaned}

    def _load_teams(self) -> dict[tuple[str, str], tuple[str, set[PersonKey | int]]]:
        if self.plan.competition_id is None:
            return {}
        teams: dict[tuple[str, str], tuple[str, set[PersonKey | int]]] = {}
        rows = self.session.execute(
            select(Event.name, Team.name, EventGroup.name, Entry.person_id)
            .join(Event, Event.id == Team.event_id)
            .join(EventGroup, EventGroup.id == Team.group_id)
            .outerjoin(Entry, Entry.team_id == Team.id)
            .where(Event.competition_id == self.plan.competition_id)
        )
        for event_name, team_name, group_name, person_id in rows:
            key = (clean_text(event_name), clean_text(team_name))
            members = teams.setdefault(key, (clean_text(group_name), set()))[1]
            if person_id is not None:
                members.add(person_id)
        return teams

    # 裁判 ---------------------------------------------------------------------------------------

    def check_judges(self, sheet: SheetData) -> None:  # noqa: PLR0912, PLR0915
        stored_by_number: dict[str, dict[str, Any]] = {}
        stored_by_name: dict[str, dict[str, Any]] = {}
        assignments: dict[tuple[int, str], tuple[int, Role]] = {}
        if self.plan.competition_id is not None:
            rows = self.session.execute(
                select(Judge.id, Judge.name, Judge.id_number, Unit.name.label("unit_name"), Judge.phone, Judge.title)
                .outerjoin(Unit, Unit.id == Judge.unit_id)
                .where(Judge.competition_id == self.plan.competition_id)
            ).mappings()
            for judge in (_cleaned(row, "name", "unit_name") for row in rows):
                if judge["id_number"]:
                    stored_by_number[judge["id_number"]] = judge
                stored_by_name.setdefault(judge["name"], judge)
            for assignment_id, judge_id, event_name, stored_role in self.session.execute(
                select(JudgeAssignment.id, JudgeAssignment.judge_id, Event.name, JudgeAssignment.role)
                .join(Event, Event.id == JudgeAssignment.event_id)
                .join(Judge, Judge.id == JudgeAssignment.judge_id)
                .where(Judge.competition_id == self.plan.competition_id, JudgeAssignment.component_id.is_(None))
            ):
                assignments[(judge_id, clean_text(event_name))] = (assignment_id, stored_role)
        seen: dict[str, int] = {}
        for row in sheet.rows:
            name = row.text("name")
            number: str | None = None
            if row.text("id_number") and "id_number" not in row.invalid:
                try:
                    number = check_document(_judge_id_type(row.text("id_number")), row.text("id_number")).number
                except FieldError as error:
                    self.problem(sheet, row.number, "id_number", str(error))
            phone = self._parse(sheet, row, "phone", lambda t: normalise_phone(t) if t else None)
            role_text = row.text("role")
            role: Role | None = _ROLES.get(role_text, Role.JUDGE if not role_text else None)
            if role is None:
                self.problem(
                    sheet, row.number, "role", _("角色“{value}”无效，可填：裁判长、裁判员").format(value=role_text)
                )
            identity = number or f"name:{name}"
            if identity in seen:
                self.problem(sheet, row.number, "id_number" if number else "name", _(
                    "裁判重复：与第{row}行是同一人").format(row=seen[identity]))  # fmt: skip
                continue
            seen[identity] = row.number
            events = row.items("events")
            for event_name in events:
                if event_name not in self.events and event_name not in self.broken_events:
                    self.problem(sheet, row.number, "events", _(
                        "赛项“{name}”不在“赛项”表中，本赛事也没有此赛项").format(name=event_name))  # fmt: skip
            unit = row.optional_text("unit")
            if unit:
                if unit not in self.units and unit not in self.plan.new_units:
                    self.plan.new_units[unit] = None
                for event_name in events:
                    count = self.entry_units.get(event_name, Counter()).get(unit, 0)
                    if count:
                        self.warn(sheet, row.number, "unit", _(
                            "回避提醒：裁判“{name}”与赛项“{event}”的{count}名选手同属“{unit}”").format(
                            name=name, event=event_name, count=count, unit=unit))  # fmt: skip
            if row.invalid or role is None:
                continue
            old = stored_by_number.get(number) if number else stored_by_name.get(name)
            values = {"name": name, "id_number": number, "unit_name": unit, "phone": phone,
                      "title": row.optional_text("title")}  # fmt: skip
            judge_key = identity
            if old is None:
                self.plan.new_judges.append({"key": judge_key, **values})
                for event_name in events:
                    self.plan.new_assignments.append({"judge": judge_key, "event": event_name, "role": role})
                continue
            changes = {k: v for k, v in values.items() if v is not None and old.get(k) != v}
            if changes:
                self.plan.judge_updates.append({"id": old["id"], **changes})
            for event_name in events:
                stored_assignment = assignments.get((old["id"], event_name))
                if stored_assignment is None:
                    self.plan.new_assignments.append({"judge_id": old["id"], "event": event_name, "role": role})
                elif stored_assignment[1] is not role:
                    self.plan.assignment_updates.append({"id": stored_assignment[0], "role": role})


_PERSON_COLUMNS = {
    "name": "name",
    "gender": "gender",
    "birth_date": "birth_date",
    "phone": "phone",
    "unit_name": "unit",
    "region": "region",
    "status": "status",
    "skill_level": "skill_level",
    "skill_certificate_no": "skill_certificate_no",
}


def _by_clean_name(rows: Iterable[tuple[str, int]]) -> dict[str, int]:
    """Ids by name as the workbook spells it: cells are NFKC-folded (clean_text), stored names may not be."""
    return {clean_text(name): row_id for name, row_id in rows}


def _cleaned(row: Any, *keys: str) -> dict[str, Any]:
    values = dict(row)
    for key in keys:
        if isinstance(values[key], str):
            values[key] = clean_text(values[key])
    return values


def _shown(value: object) -> str:
    if isinstance(value, (Gender, PersonStatus, SkillLevel)):
        return value.label
    return str(value)


def _judge_id_type(raw: str) -> IdType:
    text = raw.strip()
    if len(text) == 18 and text[:2] in ("81", "82", "83"):
        return IdType.HMT_RESIDENCE
    if len(text) == 18 and text[:17].isdigit():
        return IdType.RESIDENT_ID
    return IdType.PASSPORT


def check_workbook(session: Session, path: Path | str, progress: Progress | None = None) -> ImportPlan:
    """Read and validate the workbook at ``path`` against the database; writes nothing.

    The plan's report lists every problem and warning; when it has no problems the plan says
    what ``apply_plan`` would add and update (``plan.counts``). Apply it in the same
    transaction (``import_workbook`` does): the database must not change in between.
    """
    progress = progress or NO_PROGRESS
    progress.report(0, 3, _("读取工作簿"))
    data = read_workbook(path)
    progress.report(1, 3, _("检查数据"))
    return _Checker(session, data).run(progress)


# --- writing ------------------------------------------------------------------------------------


def apply_plan(
    session: Session, plan: ImportPlan, *, username: str | None = None, progress: Progress | None = None
) -> ImportCounts:
    """Write a checked plan in the caller's transaction; returns what was added and updated.

    Raises ``ValueError`` for a plan with problems. Bulk statements throughout; one summary
    record in the audit log (none when nothing changed).
    """
    if not plan.ok:
        raise ValueError(_("导入检查发现问题，不能写入"))
    if plan.competition_id is None:
        require(session, Permission.MANAGE_COMPETITIONS)
    else:
        require(session, Permission.REGISTER, competition_id=plan.competition_id)
    progress = progress or NO_PROGRESS
    counts = plan.counts
    if plan.is_empty or not counts.changes:
        return counts
    progress.report(2, 3, _("写入数据库"))
    competition_id = plan.competition_id
    if competition_id is None:
        assert plan.competition_spec is not None
        competition_id = create_competition(session, plan.competition_spec, username=username)
    for event in plan.events:
        if event.action is Action.CREATE:
            add_event(session, competition_id, event.spec, username=username)
        elif event.action is Action.UPDATE:
            assert event.id is not None
            update_event(session, event.id, event.spec, username=username, reason=_("Excel 导入"))
    progress.check()
    event_ids = _by_clean_name(
        session.execute(select(Event.name, Event.id).where(Event.competition_id == competition_id))
    )
    group_ids = {
        (clean_text(event_name), clean_text(group_name)): group_id
        for event_name, group_name, group_id in session.execute(
            select(Event.name, EventGroup.name, EventGroup.id)
            .join(Event, Event.id == EventGroup.event_id)
            .where(Event.competition_id == competition_id)
        )
    }
    unit_ids = _write_units(session, plan.new_units)
    person_ids = _write_people(session, plan, unit_ids)
    progress.check()
    team_ids = _write_teams(
        session, plan, competition_id=competition_id, event_ids=event_ids, group_ids=group_ids, unit_ids=unit_ids
    )
    _write_entries(
        session, plan, event_ids=event_ids, group_ids=group_ids, team_ids=team_ids, unit_ids=unit_ids,
        person_ids=person_ids,
    )  # fmt: skip
    _write_judges(session, plan, competition_id, event_ids, unit_ids)
    session.expire_all()  # bulk statements bypass the identity map
    audit.append(
        session,
        action="import",
        entity_type="workbook",
        competition_id=competition_id,
        new_value={"file": plan.path.name, **counts.as_dict()},
        **audit_who(session, username),
    )
    return counts


def _bulk(model: type[Base]) -> Insert:
    """A Core INSERT of ``model``'s table, for one executemany of plain rows.

    Not the ORM's bulk insert: that groups the rows by which values are None (a batch per group)
    and, with RETURNING in parameter order, inserts row by row on SQLite. Ids are selected back
    by key instead, and every column default is given in the rows.
    """
    return insert(model.__table__)  # type: ignore[arg-type]


def _write_units(session: Session, new_units: dict[str, str | None]) -> dict[str, int]:
    if new_units:
        session.execute(_bulk(Unit), [{"name": name, "region": region} for name, region in new_units.items()])
    return _by_clean_name(session.execute(select(Unit.name, Unit.id)))


_PERSON_DEFAULTS = ("gender", "birth_date", "phone", "unit_id", "region", "skill_level", "skill_certificate_no")


def _person_row(values: dict[str, Any], unit_ids: dict[str, int]) -> dict[str, Any]:
    row = {k: v for k, v in values.items() if k != "unit_name"}
    if "unit_name" in values:
        row["unit_id"] = unit_ids[values["unit_name"]] if values["unit_name"] else None
    return row


def _write_people(session: Session, plan: ImportPlan, unit_ids: dict[str, int]) -> dict[PersonKey, int]:
    ids: dict[PersonKey, int] = {}
    if plan.new_people:
        now = utcnow()
        rows = [_person_row(values, unit_ids) for values in plan.new_people]
        for row in rows:
            # Given here rather than by the column defaults: a default computed from the row's
            # own parameters makes SQLAlchemy insert row by row instead of in batches.
            row["name_pinyin"] = name_search_key(row["name"])
            row["created_at"] = row["updated_at"] = now
            if row.get("status") is None:
                row["status"] = PersonStatus.WORKER
        for key in _PERSON_DEFAULTS:
            for row in rows:
                row.setdefault(key, None)
        session.execute(_bulk(Person), rows)
    if plan.person_updates:
        session.execute(update(Person), [_person_row(values, unit_ids) for values in plan.person_updates])
    for id_type, number, person_id in _people_ids(session, [entry["person"] for entry in plan.new_entries]):
        ids[(id_type, number)] = person_id
    return ids


def _people_ids(session: Session, keys: Iterable[PersonKey]) -> Iterable[tuple[IdType, str, int]]:
    """(id_type, id_number, id) of the stored people among ``keys``, a query per type and chunk
    (by type first, so the unique index on (id_type, id_number) is used)."""
    by_type: dict[IdType, set[str]] = defaultdict(set)
    for id_type, number in keys:
        by_type[id_type].add(number)
    for id_type, numbers in by_type.items():
        for chunk in _chunks(sorted(numbers)):
            statement = select(Person.id_number, Person.id).where(
                Person.id_type == id_type, Person.id_number.in_(chunk)
            )
            for number, person_id in session.execute(statement):
                yield id_type, number, person_id


def _write_teams(
    session: Session,
    plan: ImportPlan,
    *,
    competition_id: int,
    event_ids: dict[str, int],
    group_ids: dict[tuple[str, str], int],
    unit_ids: dict[str, int],
) -> dict[tuple[str, str], int]:
    if plan.new_teams:
        first_unit: dict[tuple[str, str], str | None] = {}
        for entry in plan.new_entries:
            if entry["team"]:
                first_unit.setdefault((entry["event"], entry["team"]), entry["unit_name"])
        session.execute(
            _bulk(Team),
            [
                {
                    "event_id": event_ids[team["event"]],
                    "group_id": group_ids[(team["event"], team["group"])],
                    "name": team["name"],
                    "unit_id": unit_ids.get(first_unit.get((team["event"], team["name"])) or ""),
                }
                for team in plan.new_teams
            ],
        )
    names = {event_id: name for name, event_id in event_ids.items()}
    return {
        (names[event_id], clean_text(team_name)): team_id
        for team_id, event_id, team_name in session.execute(
            select(Team.id, Team.event_id, Team.name)
            .join(Event, Event.id == Team.event_id)
            .where(Event.competition_id == competition_id)
        )
    }


def _write_entries(
    session: Session,
    plan: ImportPlan,
    *,
    event_ids: dict[str, int],
    group_ids: dict[tuple[str, str], int],
    team_ids: dict[tuple[str, str], int],
    unit_ids: dict[str, int],
    person_ids: dict[PersonKey, int],
) -> None:
    if plan.entry_updates:
        moved_bibs = [{"id": values["id"], "bib": None} for values in plan.entry_updates if "bib" in values]
        if moved_bibs:  # free the numbers first, so two entries may swap theirs
            session.execute(update(Entry), moved_bibs)
        rows = []
        for values in plan.entry_updates:
            row: dict[str, Any] = {"id": values["id"]}
            if "group" in values:
                row["group_id"] = group_ids[(values["event"], values["group"])]
            if "team" in values:
                row["team_id"] = team_ids[(values["event"], values["team"])]
            if "bib" in values:
                row["bib"] = values["bib"]
            if "status" in values:
                row["status"] = values["status"]
            if "unit_name" in values:
                row["unit_id"] = unit_ids[values["unit_name"]]
            rows.append(row)
        session.execute(update(Entry), rows)
    if plan.new_entries:
        now = utcnow()
        session.execute(
            _bulk(Entry),
            [
                {
                    "event_id": event_ids[entry["event"]],
                    "group_id": group_ids[(entry["event"], entry["group"])],
                    "person_id": person_ids[entry["person"]],
                    "team_id": team_ids[(entry["event"], entry["team"])] if entry["team"] else None,
                    "unit_id": unit_ids[entry["unit_name"]] if entry["unit_name"] else None,
                    "bib": entry["bib"],
                    "status": entry["status"],
                    "skill_level_at_entry": entry["skill_level_at_entry"],
                    "registered_at": now,
                }
                for entry in plan.new_entries
            ],
        )


def _write_judges(
    session: Session, plan: ImportPlan, competition_id: int, event_ids: dict[str, int], unit_ids: dict[str, int]
) -> None:
    judge_ids: dict[str, int] = {}
    if plan.new_judges:
        session.execute(
            _bulk(Judge),
            [
                {
                    "competition_id": competition_id,
                    "name": judge["name"],
                    "id_number": judge["id_number"],
                    "unit_id": unit_ids[judge["unit_name"]] if judge["unit_name"] else None,
                    "phone": judge["phone"],
                    "title": judge["title"],
                }
                for judge in plan.new_judges
            ],
        )
        judge_ids = {
            number or f"name:{name}": judge_id
            for judge_id, name, number in session.execute(
                select(Judge.id, Judge.name, Judge.id_number).where(Judge.competition_id == competition_id)
            )
        }
    if plan.judge_updates:
        session.execute(update(Judge), [_person_row(values, unit_ids) for values in plan.judge_updates])
    if plan.new_assignments:
        session.execute(
            _bulk(JudgeAssignment),
            [
                {
                    "judge_id": assignment.get("judge_id") or judge_ids[assignment["judge"]],
                    "event_id": event_ids[assignment["event"]],
                    "role": assignment["role"],
                }
                for assignment in plan.new_assignments
            ],
        )
    if plan.assignment_updates:
        session.execute(update(JudgeAssignment), plan.assignment_updates)


def import_workbook(
    session: Session,
    path: Path | str,
    *,
    dry_run: bool = False,
    username: str | None = None,
    progress: Progress | None = None,
) -> ImportOutcome:
    """Check the workbook and, if it has no problems and this is not a dry run, write it.

    All or nothing: with any problem nothing is written (``written`` False). Run it inside
    one transaction; a cancelled ``progress`` raises ``Cancelled`` and the caller rolls back.
    """
    plan = check_workbook(session, path, progress)
    if not plan.ok or dry_run:
        return ImportOutcome(plan.report, plan.counts, False, plan.competition_id)
    counts = apply_plan(session, plan, username=username, progress=progress)
    competition_id = plan.competition_id
    if competition_id is None and plan.competition_spec is not None:
        competition_id = session.scalar(select(Competition.id).where(Competition.name == plan.competition_spec.name))
    (progress or NO_PROGRESS).report(3, 3, _("完成"))
    return ImportOutcome(plan.report, counts, bool(counts.changes), competition_id)
