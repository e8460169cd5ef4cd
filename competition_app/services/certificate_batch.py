"""From official results to printable certificates: templates, printer offsets, issuing, rendering.

- **Templates** are kept per competition and certificate kind (``CertificateTemplate``); without
  one, the kind's built-in layout is used (:func:`builtin_template`).
- **Printer calibration** (``PrinterCalibration``): the offsets, in mm, that make a printer put
  the variable fields on the boxes of pre-printed stock.
- **Issuing** (:func:`prepare`) takes the results of every event whose scores are signed and
  locked (``EventView.official``); an event still in draft, stale or with an undecided tie gets
  no certificate, and the reason is reported. A certificate already issued to the same entry
  for the same award is reused, so generating again never spends new numbers; one whose award
  changed since is voided (with the reason) and replaced.
- **Rendering** (:func:`generate`) writes one PDF or one file per certificate.

Every change is audited in the caller's transaction; **the caller commits** (and a cancelled
run is rolled back whole, so no number is spent on a certificate that was never written).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from competition_app.certificates.numbering import chinese_date
from competition_app.certificates.render import (
    CertificateItem,
    FixedText,
    Template,
    default_template,
    render_certificates,
    render_each,
    safe_stem,
)
from competition_app.certificates.selection import KINDS, Candidate, check_kind, group_candidates
from competition_app.certificates.signing import make_payload
from competition_app.domain.enums import CertificateStatus
from competition_app.domain.permissions import Permission
from competition_app.i18n import _
from competition_app.pdf.system_fonts import resolve_font
from competition_app.results.view import CompetitionView, EventView
from competition_app.services import audit
from competition_app.services.auth import current_actor, require
from competition_app.services.certificates import CertificateError, IssueRequest, issue, void
from competition_app.services.results import competition_header, compute_results, load_results, visible_events
from competition_app.tasks import NO_PROGRESS, Progress
from db.models import Certificate, CertificateTemplate, Competition, Entry, Event, PrinterCalibration

# --- templates --------------------------------------------------------------------------------

_TITLES = {"award": "获 奖 证 书", "rank": "获 奖 证 书", "honour": "荣 誉 证 书"}


def builtin_template(kind: str) -> Template:
    """The layout a kind uses until the organisers store their own: 获奖证书 or 荣誉证书 on A4."""
    check_kind(kind)
    base = default_template()
    title = _TITLES[kind]
    texts = tuple(replace(text, text=title) if index == 0 else text for index, text in enumerate(base.texts))
    if kind == "honour":
        texts = tuple(FixedText("荣获称号：", text.box) if text.text == "获得奖项：" else text for text in texts)
    return replace(base, name=KINDS[kind], texts=texts)


def _stored(session: Session, competition_id: int, kind: str) -> CertificateTemplate | None:
    return session.scalars(
        select(CertificateTemplate)
        .where(CertificateTemplate.competition_id == competition_id, CertificateTemplate.kind == kind)
        .order_by(CertificateTemplate.id.desc())
        .limit(1)
    ).one_or_none()


def template_for(session: Session, competition_id: int, kind: str) -> Template:
    """The competition's template for ``kind`` (its background included), or the built-in one."""
    check_kind(kind)
    stored = _stored(session, competition_id, kind)
    if stored is None:
        return builtin_template(kind)
    return Template.from_dict(stored.layout, stored.background)


def is_customised(session: Session, competition_id: int, kind: str) -> bool:
    return _stored(session, competition_id, kind) is not None


def save_template(session: Session, competition_id: int, kind: str, template: Template) -> None:
    """Store the competition's template for ``kind`` (replacing the last one); audited.

    Needs 管理赛事与规则 for the competition. The caller commits.
    """
    check_kind(kind)
    require(session, Permission.MANAGE_COMPETITIONS, competition_id=competition_id)
    Template.from_dict(template.to_dict(), template.background)  # the stored form must read back
    stored = _stored(session, competition_id, kind)
    old = None if stored is None else stored.layout
    if stored is None:
        stored = CertificateTemplate(competition_id=competition_id, kind=kind, name=template.name, layout={})
        session.add(stored)
    stored.name = template.name
    stored.layout = template.to_dict()
    stored.background = template.background
    session.flush()
    audit.append(
        session,
        action="certificate.template",
        entity_type="certificate_template",
        entity_id=stored.id,
        competition_id=competition_id,
        old_value=old,
        new_value={**stored.layout, "background": template.background is not None},
    )


def reset_template(session: Session, competition_id: int, kind: str) -> None:
    """Go back to the built-in template for ``kind`` (the stored ones are deleted); audited."""
    check_kind(kind)
    require(session, Permission.MANAGE_COMPETITIONS, competition_id=competition_id)
    stored = session.scalars(
        select(CertificateTemplate).where(
            CertificateTemplate.competition_id == competition_id, CertificateTemplate.kind == kind
        )
    ).all()
    for row in stored:
        session.delete(row)
    if stored:
        audit.append(
            session,
            action="certificate.template_reset",
            entity_type="certificate_template",
            competition_id=competition_id,
            new_value={"kind": kind},
        )
    session.flush()


# --- printer calibration ----------------------------------------------------------------------


def calibration(session: Session, printer: str) -> tuple[float, float]:
    """The printer's (x, y) offsets in mm for pre-printed stock; (0, 0) when never calibrated."""
    row = session.scalars(select(PrinterCalibration).where(PrinterCalibration.printer_name == printer)).one_or_none()
    if row is None:
        return (0.0, 0.0)
    return (float(row.offset_x_mm), float(row.offset_y_mm))


def calibrations(session: Session) -> dict[str, tuple[float, float]]:
    """Every calibrated printer's offsets."""
    return {
        row.printer_name: (float(row.offset_x_mm), float(row.offset_y_mm))
        for row in session.scalars(select(PrinterCalibration).order_by(PrinterCalibration.printer_name))
    }


MAX_OFFSET_MM = 50.0


def save_calibration(session: Session, printer: str, x_mm: float, y_mm: float) -> None:
    """Store a printer's offsets (mm, x to the right, y upwards; at most ±50 mm); audited.

    Any logged-in user may calibrate a printer: it is a property of the machine, not of a
    competition's data. The caller commits.
    """
    name = printer.strip()
    if not name:
        raise CertificateError(_("请填写打印机名称"))
    for label, value in ((_("水平偏移"), x_mm), (_("垂直偏移"), y_mm)):
        if not -MAX_OFFSET_MM <= value <= MAX_OFFSET_MM:
            raise CertificateError(
                _("打印机“{printer}”的{what}为 {value} 毫米，超出 ±{limit} 毫米").format(
                    printer=name, what=label, value=value, limit=int(MAX_OFFSET_MM)
                )
            )
    current_actor(session)
    row = session.scalars(select(PrinterCalibration).where(PrinterCalibration.printer_name == name)).one_or_none()
    old = None if row is None else {"x": str(row.offset_x_mm), "y": str(row.offset_y_mm)}
    if row is None:
        row = PrinterCalibration(printer_name=name)
        session.add(row)
    row.offset_x_mm = Decimal(str(round(x_mm, 2)))
    row.offset_y_mm = Decimal(str(round(y_mm, 2)))
    session.flush()
    audit.append(
        session,
        action="certificate.calibrate",
        entity_type="printer_calibration",
        entity_id=row.id,
        old_value=old,
        new_value={"printer": name, "x": str(row.offset_x_mm), "y": str(row.offset_y_mm)},
    )


# --- issuing from results ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BatchOptions:
    """What to issue and print."""

    kind: str = "award"
    event_ids: tuple[int, ...] | None = None
    """Only these events (None: every event the user may publish)."""
    top: int | None = None
    """For ``rank`` certificates: places 1..top (None: every ranked entry)."""
    issuer: str | None = None
    """发证单位 (None: the competition's 主办单位)."""
    issue_date: date | None = None
    """发证日期 (None: the competition's last day, else today)."""


@dataclass(frozen=True, slots=True)
class Prepared:
    """Certificates ready to render, and why some events gave none."""

    competition_id: int
    kind: str
    items: tuple[CertificateItem, ...]
    skipped: tuple[str, ...] = ()
    issued: int = 0
    """How many numbers were newly issued (the rest were already in the register)."""
    reused: int = 0
    voided: int = 0


def _event_view(session: Session, event_id: int) -> EventView:
    """The stored results when still current, otherwise computed now."""
    view = load_results(session, event_id)
    if view is None or view.stale:
        view = compute_results(session, event_id)
    return view


def _not_ready(event: EventView) -> str | None:
    if event.warnings and not event.groups:
        return _("赛项“{event}”没有成绩：{why}").format(event=event.name, why="；".join(event.warnings))
    if not event.official:
        return _("赛项“{event}”的成绩尚未全部由裁判长签字锁定，不能发证").format(event=event.name)
    if event.unresolved_ties:
        return _("赛项“{event}”还有待决定的并列（{tie}），决定后才能发证").format(
            event=event.name, tie=event.unresolved_ties[0].message
        )
    return None


def _results(session: Session, competition_id: int, options: BatchOptions, progress: Progress) -> CompetitionView:
    header = competition_header(session, competition_id)
    if options.event_ids is None:
        event_ids = [event.id for event in visible_events(session, competition_id)]
    else:
        statement = select(Event.id).where(Event.competition_id == competition_id)
        in_order = list(session.scalars(statement.order_by(Event.sort_order, Event.id)))
        strangers = sorted(set(options.event_ids) - set(in_order))
        if strangers:
            raise CertificateError(
                _("赛项（编号 {ids}）不属于赛事“{competition}”").format(
                    ids="、".join(map(str, strangers)), competition=header.name
                )
            )
        for event_id in options.event_ids:
            require(session, Permission.VIEW_SCORES, event_id=event_id)
        event_ids = [event_id for event_id in in_order if event_id in set(options.event_ids)]
    events = []
    for number, event_id in enumerate(event_ids):
        progress.report(number, len(event_ids), _("读取成绩"))
        events.append(_event_view(session, event_id))
    return replace(header, events=tuple(events))


def _existing(session: Session, competition_id: int, kind: str) -> dict[tuple[int, int], list[Certificate]]:
    found: dict[tuple[int, int], list[Certificate]] = {}
    statement = select(Certificate).where(
        Certificate.competition_id == competition_id,
        Certificate.kind == kind,
        Certificate.status == CertificateStatus.ISSUED,
    )
    for certificate in session.scalars(statement.order_by(Certificate.id)):
        if certificate.event_id is not None and certificate.entry_id is not None:
            found.setdefault((certificate.event_id, certificate.entry_id), []).append(certificate)
    return found


def _issue_date(competition: Competition, options: BatchOptions) -> date:
    return options.issue_date or competition.end_date or competition.start_date or date.today()


@dataclass
class _Plan:
    keep: list[tuple[Candidate, Certificate]] = field(default_factory=list)
    new: list[Candidate] = field(default_factory=list)
    stale: list[tuple[Certificate, str]] = field(default_factory=list)


def _plan(candidates: Sequence[Candidate], existing: dict[tuple[int, int], list[Certificate]]) -> _Plan:
    """Which certificates stand, which are new, and which no longer hold.

    A certificate stands while the same entry still earns the same award under the same name
    (the signature covers both); one whose award or holder's name changed is replaced.
    """
    plan = _Plan()
    wanted: dict[tuple[int, int], set[tuple[str, str]]] = {}
    for candidate in candidates:
        wanted.setdefault((candidate.event_id, candidate.entry_id), set()).add((candidate.award_text, candidate.name))
    for candidate in candidates:
        held = [
            c
            for c in existing.get((candidate.event_id, candidate.entry_id), [])
            if (c.award_text, c.holder_name) == (candidate.award_text, candidate.name)
        ]
        if held:
            plan.keep.append((candidate, held[0]))
        else:
            plan.new.append(candidate)
    events = {candidate.event_id for candidate in candidates}
    for (event_id, entry_id), held in existing.items():
        if event_id not in events:
            continue  # an event not in this run is left as it is
        for certificate in held:
            if (certificate.award_text, certificate.holder_name) not in wanted.get((event_id, entry_id), set()):
                plan.stale.append((certificate, f"{certificate.holder_name}，{certificate.award_text}"))
    return plan


def prepare(session: Session, competition_id: int, options: BatchOptions, progress: Progress = NO_PROGRESS) -> Prepared:
    """Issue (or reuse) the certificates of ``options.kind`` for the official results; audited.

    Needs 公示成绩 for each event certified. Returns the items to render in result order; events
    that are not ready are listed in ``skipped`` with the reason. The caller commits.
    """
    check_kind(options.kind)
    competition = session.get(Competition, competition_id)
    if competition is None:
        raise CertificateError(_("没有编号为 {id} 的赛事").format(id=competition_id))
    view = _results(session, competition_id, options, progress)
    skipped: list[str] = []
    chosen: list[Candidate] = []
    for event in view.events:
        reason = _not_ready(event)
        if reason is not None:
            skipped.append(reason)
            continue
        require(session, Permission.PUBLISH, event_id=event.event_id)
        for group in event.groups:
            chosen.extend(group_candidates(view, event, group, options.kind, top=options.top))
    plan = _plan(chosen, _existing(session, competition_id, options.kind))
    for certificate, old_text in plan.stale:
        void(
            session,
            certificate.number,
            _("成绩或持证人信息变更，原证书（{old}）不再成立，已重新发证").format(old=old_text),
        )
    people = dict(
        session.execute(
            select(Entry.id, Entry.person_id).where(Entry.id.in_({candidate.entry_id for candidate in plan.new}))
        ).all()
    )
    requests = [
        IssueRequest(
            event_id=candidate.event_id,
            holder_name=candidate.name,
            award_text=candidate.award_text,
            unit_name=candidate.unit,
            entry_id=candidate.entry_id,
            person_id=people.get(candidate.entry_id),
        )
        for candidate in plan.new
    ]
    stored = _stored(session, competition_id, options.kind)
    fresh = issue(session, competition_id, requests, options.kind, template_id=stored.id if stored else None)
    numbers = {
        (candidate.event_id, candidate.entry_id, candidate.award_text): (issued.number, issued.signature)
        for candidate, issued in zip(plan.new, fresh, strict=True)
    }
    for candidate, certificate in plan.keep:
        numbers[(candidate.event_id, candidate.entry_id, candidate.award_text)] = (
            certificate.number, certificate.signature,
        )  # fmt: skip
    issuer = options.issuer or competition.organiser or ""
    when = chinese_date(_issue_date(competition, options))
    items = []
    for candidate in chosen:
        number, signature = numbers[(candidate.event_id, candidate.entry_id, candidate.award_text)]
        items.append(
            CertificateItem(
                number=number,
                name=candidate.name,
                unit=candidate.unit or "",
                competition=candidate.competition,
                event=candidate.event,
                group=candidate.group,
                award=candidate.award_text,
                issuer=issuer,
                date=when,
                payload=make_payload(number, candidate.name, signature),
            )
        )
    return Prepared(
        competition_id, options.kind, tuple(items), tuple(skipped), len(fresh), len(plan.keep), len(plan.stale)
    )


@dataclass(frozen=True, slots=True)
class Generated:
    prepared: Prepared
    paths: tuple[Path, ...]


def generate(
    session: Session,
    competition_id: int,
    target: str | Path,
    options: BatchOptions,
    *,
    one_file: bool = False,
    preprinted: bool = False,
    printer: str | None = None,
    font: str | Path | None = None,
    progress: Progress = NO_PROGRESS,
) -> Generated:
    """Issue (see :func:`prepare`) and render the certificates under ``target``.

    ``one_file``: ``target`` is a directory and the PDF is named after the competition and kind;
    otherwise one PDF per certificate in ``target``. ``preprinted`` prints only the variable
    fields, shifted by ``printer``'s calibration. ``font`` is a TrueType file or the name of a
    system font (see ``pdf.system_fonts``); None is the bundled LXGW WenKai. The caller commits.
    """
    font = resolve_font(font)  # a system font's name (楷体 …) or a file; refused before any number is spent
    prepared = prepare(session, competition_id, options, progress)
    template = template_for(session, competition_id, options.kind)
    offset = calibration(session, printer) if preprinted and printer else (0.0, 0.0)
    folder = Path(target)
    if not prepared.items:
        return Generated(prepared, ())
    if one_file:
        folder.mkdir(parents=True, exist_ok=True)
        competition = session.get(Competition, competition_id)
        assert competition is not None
        stem = f"{competition.short_name or competition.name}_{KINDS[options.kind]}"
        path = render_certificates(
            prepared.items,
            folder / (safe_stem(stem) + ".pdf"),
            template=template,
            preprinted=preprinted,
            offset_mm=offset,
            progress=progress,
            font=font,
        )
        return Generated(prepared, (path,))
    paths = render_each(
        prepared.items, folder, template=template, preprinted=preprinted, offset_mm=offset, progress=progress, font=font
    )
    return Generated(prepared, tuple(paths))
