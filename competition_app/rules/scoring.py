"""From judges' marks to component results and a rounded total (DOMAIN §2).

Exact arithmetic throughout: ``Decimal`` only, never float. Panel values and normalised
component scores keep full precision (50 significant digits: a third has no exact decimal);
only the total is rounded, half-up, at ``ScoringRules.decimals``, and ranking uses that
rounded total. A total whose 50-digit sum lies within a hair of a half-way point is worked
out again in exact fractions, so no rounding of a third can tip it across the boundary.

WorldSkills components (``PanelMethod.WORLDSKILLS``) are not marked here: their value comes
from the WorldSkills marking module and is handed in through ``precomputed``.

Speed: a results run scores thousands of entries under one rules object, so each is validated
and turned into a ``_Plan`` once. An entry whose marks are all there and in range is scored
along the plan (``_score_complete``): cheap checks, the kept marks summed, and the rest looked
up by that sum, as marks on a grid of tenths or halves repeat. Anything else (missing marks, a
bad mark, supplied values, WorldSkills) takes the careful path, which does the same arithmetic
step by step and says exactly what is wrong. Both give the same values, written the same way.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import (
    ROUND_FLOOR,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
)
from fractions import Fraction
from functools import lru_cache, reduce
from typing import NamedTuple, TypeVar

from competition_app.domain.enums import PanelMethod
from competition_app.i18n import _
from competition_app.rules.io import ComponentResult, EntryInput
from competition_app.rules.model import ComponentRule, ScoringRules

# Arithmetic runs in this context, not the caller's thread context, so a result never depends
# on someone else's ``getcontext().prec``.
ARITHMETIC = Context(prec=50, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow])
# The same context rounding half-up: the rounded total (positional calls are the cheap ones).
_HALF_UP = Context(prec=50, rounding=ROUND_HALF_UP, traps=[InvalidOperation, DivisionByZero, Overflow])
# Closer than this to a half-way point, a 50-digit total is re-done in exact fractions.
_NEAR = Decimal("1E-40")

HUNDRED = Decimal(100)
HALF = Decimal("0.5")
MINIMUM_TRIMMED_PANEL = 3

_Mark = TypeVar("_Mark", Decimal, Fraction, int)  # int: positions, for the plan


class ScoringError(ValueError):
    """Marks or scoring rules that cannot be scored; the message is Chinese and names the culprit."""


@dataclass(frozen=True, slots=True)
class PanelResult:
    """One component's panel combined into one mark.

    ``value`` is None when marks are missing (``missing`` says how many); it keeps full
    precision. ``spread`` is the highest minus the lowest mark present, None without marks.
    """

    value: Decimal | None
    missing: int
    spread: Decimal | None


def round_half_up(value: Decimal, decimals: int) -> Decimal:
    """Round ``value`` to ``decimals`` places, halves away from zero (85.125 → 85.13 at 2).

    The result always carries exactly ``decimals`` places (85.1 → 85.10), so its text is
    what people see on a results sheet.
    """
    if decimals < 0:
        raise ScoringError(_("小数位数不能为负数：{decimals}").format(decimals=decimals))
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP, context=ARITHMETIC)


def combine_panel(marks: Sequence[Decimal], method: PanelMethod, panel_size: int) -> PanelResult:
    """Combine a judge panel's marks into one mark, at full precision.

    SINGLE takes the one mark; MEAN averages; TRIMMED_MEAN drops exactly one highest and one
    lowest mark and averages the rest (needs a panel of at least 3); MEDIAN takes the middle
    mark, or the mean of the two middle marks for an even panel. Fewer marks than
    ``panel_size``: no value, and ``missing`` counts the absent marks (never read as zero).
    More marks than ``panel_size`` is an error.
    """
    _check_panel(method, panel_size)
    for mark in marks:
        if not isinstance(mark, Decimal) or not mark.is_finite():
            raise ScoringError(_("评分{mark}不是有效的精确小数（Decimal）").format(mark=mark))
    return _combine(marks, method, panel_size)


def validate_scoring_rules(rules: ScoringRules) -> None:
    """Raise ``ScoringError`` unless the rules can score: unique component names, weights in
    0..1 summing exactly to 1 (0.3 + 0.7, 0.25 + 0.55 + 0.20), positive maxima, workable panels
    and a non-negative number of decimals."""
    _component_names(rules)


@lru_cache(maxsize=128)
def _component_names(rules: ScoringRules) -> frozenset[str]:
    """Validate the rules, once per rules value; return their component names.

    Rules are frozen and hashable, and scoring a batch checks the same rules thousands of times.
    """
    if rules.decimals < 0:
        raise ScoringError(_("总分小数位数不能为负数：{decimals}").format(decimals=rules.decimals))
    names = [component.name for component in rules.components]
    duplicated = sorted({name for name in names if names.count(name) > 1})
    if duplicated:
        raise ScoringError(_("评分项名称重复：{names}").format(names="、".join(duplicated)))
    for component in rules.components:
        if not Decimal(0) <= component.weight <= Decimal(1):
            raise ScoringError(
                _("评分项“{name}”的权重应在0到1之间，实际为{weight}").format(
                    name=component.name, weight=_plain(component.weight)
                )
            )
        if component.max_score <= 0:
            raise ScoringError(
                _("评分项“{name}”的满分应大于0，实际为{max}").format(
                    name=component.name, max=_plain(component.max_score)
                )
            )
        if component.panel is not PanelMethod.WORLDSKILLS:
            try:
                _check_panel(component.panel, component.panel_size)
            except ScoringError as error:
                raise ScoringError(_("评分项“{name}”：{problem}").format(name=component.name, problem=error)) from None
    weight_sum = sum((component.weight for component in rules.components), Decimal(0))
    if weight_sum != 1:
        raise ScoringError(
            _("各评分项权重之和应为1，实际为{sum}（{parts}）").format(
                sum=_plain(weight_sum),
                parts="、".join(f"{component.name}{_plain(component.weight)}" for component in rules.components),
            )
        )
    return frozenset(names)


def score_entry(
    entry: EntryInput,
    rules: ScoringRules,
    precomputed: Mapping[str, Decimal] | None = None,
) -> tuple[tuple[ComponentResult, ...], Decimal | None]:
    """Score one entry: its component results (in the rules' order) and its rounded total.

    Each component's panel is combined (``combine_panel``) and normalised to a 100-point
    scale (value × 100 / max_score); the total is Σ weight × normalised, rounded half-up at
    ``rules.decimals``. The total is None when any component is missing; that component's
    result says how many marks are missing.

    ``precomputed`` maps a component name to its value on the component's own scale (0 ..
    max_score) and takes the place of the judges' marks for that component. A WorldSkills
    component (``PanelMethod.WORLDSKILLS``) is only ever scored this way: the caller supplies
    its value from the WorldSkills marking module; without one it is missing.

    Raises ``ScoringError`` (a ``ValueError``, Chinese message naming the entry and the
    component) for invalid rules, a mark outside 0..max_score, more marks than judges,
    marks for a component the rules do not have, or marks keyed for a WorldSkills component.
    """
    plan = _plan_for(rules)
    parts = plan.parts
    if parts is not None and not precomputed:
        scored = _score_complete(entry, plan, parts)
        if scored is not None:
            return scored
    return _score_carefully(entry, rules, precomputed or {})


# --- the plan and the fast path ---------------------------------------------------------------


class _Part(NamedTuple):
    """One judge-marked component as the fast path reads it.

    A full panel's marks, sorted, keep ``ordered[start:stop]`` (what ``_kept`` keeps for
    ``panel_size`` marks); their sum, divided by ``stop - start``, is the component's value.
    Everything after that sum depends on the sum alone, so ``shares`` remembers the component's
    result and its weighted share of the total by the sum's exact text ("264" and "264.0" differ
    on a results sheet), or for one judge by the mark's: marks in tenths or halves give only a
    few thousand sums (up to ``_SHARES_LIMIT`` are kept). Results are immutable, so entries with
    the same sum share one.
    """

    name: str
    panel_size: int
    start: int
    stop: int
    max_score: Decimal
    weight: Decimal
    spread_threshold: Decimal | None  # a wider panel is flagged: the careful path scores it
    shares: dict[str, tuple[ComponentResult, Decimal]]  # text → (result, weight × normalised)


@dataclass(frozen=True, slots=True)
class _Plan:
    """What scoring needs from one (validated) rules object, worked out once.

    ``parts`` is None when the fast path does not apply to these rules at all (a WorldSkills
    component). ``quantum`` is one unit of the total's last place. A total rounded half-up to
    ``quantum`` moves by at most half a unit; it moves by more than ``nearly_half`` (half a unit
    less ``_NEAR`` of one) exactly when it lies within ``_NEAR`` units of a half-way point: the
    totals ``_weighted_total`` works out again in exact fractions.
    """

    rules: ScoringRules
    parts: tuple[_Part, ...] | None
    quantum: Decimal
    nearly_half: Decimal


_IS_FINITE_DECIMAL = Decimal.is_finite  # raises TypeError for anything but a Decimal
_DECIMAL_TEXT = Decimal.__str__
_ZERO = Decimal(0)
_SHARES_LIMIT = 4096  # sums remembered per component of a plan (0–300 by 0.1: 3001), ~2 MB at most
_PLANS_LIMIT = 8
_plans: dict[int, tuple[ScoringRules, _Plan]] = {}  # id(rules) → (rules, its plan)


def _plan_for(rules: ScoringRules) -> _Plan:
    """The plan of this very ``rules`` object; raises ``ScoringError`` for rules that cannot score.

    Plans are kept per object, not per value: equal rules may write a maximum differently
    (100 against 1E+2), which shows in the normalised scores (87 against 87.00). A batch scores
    every entry under the same object, so the lookup is one dictionary probe. Holding the rules
    keeps the id theirs.
    """
    known = _plans.get(id(rules))
    if known is not None and known[0] is rules:
        return known[1]
    plan = _make_plan(rules)
    if len(_plans) >= _PLANS_LIMIT:
        _plans.clear()  # rarely reached, and cheap to rebuild
    _plans[id(rules)] = (rules, plan)
    return plan


def _make_plan(rules: ScoringRules) -> _Plan:
    _component_names(rules)  # validates
    quantum = Decimal(1).scaleb(-rules.decimals, context=ARITHMETIC)
    parts: tuple[_Part, ...] | None = None
    if all(c.panel is not PanelMethod.WORLDSKILLS for c in rules.components):
        parts = tuple(
            _Part(
                c.name,
                c.panel_size,
                *_kept_slice(c.panel, c.panel_size),
                c.max_score,
                c.weight,
                c.spread_threshold,
                shares={},
            )
            for c in rules.components
        )
    return _Plan(
        rules=rules,
        parts=parts,
        quantum=quantum,
        nearly_half=ARITHMETIC.multiply(ARITHMETIC.subtract(HALF, _NEAR), quantum),
    )


def _kept_slice(method: PanelMethod, panel_size: int) -> tuple[int, int]:
    """Where ``_kept`` cuts a full, sorted panel: (start, stop)."""
    kept = _kept(list(range(panel_size)), method)
    return kept[0], kept[-1] + 1


class _LeftToTheCarefulPath(Exception):
    """Raised inside ``_score_complete`` for an entry it does not score."""


def _score_complete(
    entry: EntryInput, plan: _Plan, parts: tuple[_Part, ...]
) -> tuple[tuple[ComponentResult, ...], Decimal] | None:
    """Score an entry whose every component has a full panel of marks in range, or return None.

    The arithmetic is the careful path's, operation for operation (``_combine``, ``_result``,
    ``_weighted_total``), so the values are the same to the last digit and exponent; only the
    checks are cheaper. None means "not such an entry" (a missing, surplus, non-Decimal or
    out-of-range mark, an unknown component …): the careful path then scores it or says why not.
    ``parts`` are the plan's (not None).
    """
    marks = entry.marks
    add = ARITHMETIC.add
    results = []
    total = _ZERO
    try:
        if len(marks) != len(parts):  # with every component found below: no unknown names
            raise _LeftToTheCarefulPath
        for part in parts:
            name, panel_size, start, stop, max_score, _weight, spread_threshold, shares = part
            given = marks.get(name, ())
            if len(given) != panel_size:
                raise _LeftToTheCarefulPath
            if panel_size == 1:  # remembered by the mark itself
                mark = given[0]
                text = _DECIMAL_TEXT(mark)  # TypeError: no Decimal
                share = shares.get(text)
                if share is None:
                    if not (mark.is_finite() and _ZERO <= mark <= max_score):
                        raise _LeftToTheCarefulPath
                    share = _share(part, text, add(_ZERO, mark))
            else:  # remembered by the sum of the marks kept
                ordered = sorted(given) if all(map(_IS_FINITE_DECIMAL, given)) else ()
                if not ordered or ordered[0] < _ZERO or ordered[-1] > max_score:
                    raise _LeftToTheCarefulPath
                if spread_threshold is not None and ARITHMETIC.subtract(ordered[-1], ordered[0]) > spread_threshold:
                    raise _LeftToTheCarefulPath  # flagged, and flags are the careful path's
                kept_sum = reduce(add, ordered[start:stop], _ZERO)  # ((0 + a) + b) + c, like ``_combine``
                text = _DECIMAL_TEXT(kept_sum)
                share = shares.get(text)
                if share is None:
                    share = _share(part, text, kept_sum)
            results.append(share[0])
            total = add(total, share[1])
        # Rounded half-up (``round_half_up``), unless within ``_NEAR`` of a half-way point
        # (``_weighted_total``'s check): the rounding is then off by almost half a unit, up or
        # down. The difference is exact; past ~48 decimals quantize raises: the careful path copes.
        rounded = _HALF_UP.quantize(total, plan.quantum)
        if not -plan.nearly_half <= ARITHMETIC.subtract(total, rounded) <= plan.nearly_half:
            rounded = _exact_total(entry, plan.rules, {})
    except (_LeftToTheCarefulPath, TypeError, ArithmeticError):  # TypeError: a mark that is no Decimal
        return None
    return tuple(results), rounded


def _share(part: _Part, text: str, kept_sum: Decimal) -> tuple[ComponentResult, Decimal]:
    """A component's result from the sum of its kept marks, and its weighted share of the
    total (``_combine``, ``_result`` and ``_weighted_total`` in their order of operations),
    remembered under ``text`` until ``part.shares`` is full."""
    value = ARITHMETIC.divide(kept_sum, part.stop - part.start)
    normalised = ARITHMETIC.divide(ARITHMETIC.multiply(value, HUNDRED), part.max_score)
    share = ComponentResult(part.name, value, normalised), ARITHMETIC.multiply(part.weight, normalised)
    if len(part.shares) < _SHARES_LIMIT:  # past it, marks are too varied for remembering to pay
        part.shares[text] = share
    return share


# --- the careful path -------------------------------------------------------------------------


def _score_carefully(
    entry: EntryInput, rules: ScoringRules, supplied: Mapping[str, Decimal]
) -> tuple[tuple[ComponentResult, ...], Decimal | None]:
    """``score_entry`` step by step, each step checked and explained (rules already valid)."""
    known = _component_names(rules)
    unknown = sorted(name for name in (*entry.marks, *supplied) if name not in known)
    if unknown:
        raise ScoringError(_("{who}：评分规则中没有评分项“{component}”").format(who=_who(entry), component=unknown[0]))

    results = tuple(
        [_score_component(entry, component, supplied.get(component.name)) for component in rules.components]
    )
    if any(result.normalised is None for result in results):
        return results, None
    return results, _weighted_total(entry, rules, results, supplied)


def _score_component(entry: EntryInput, component: ComponentRule, supplied: Decimal | None) -> ComponentResult:
    if supplied is not None:
        _check_marks(entry, component, (supplied,))
        return _result(component, supplied, missing=0)
    if component.panel is PanelMethod.WORLDSKILLS:
        if component.name in entry.marks:
            raise ScoringError(
                _("{who}：世赛评分项“{component}”的成绩由世赛评分模块计算后提供，不能直接录入裁判评分").format(
                    who=_who(entry), component=component.name
                )
            )
        return ComponentResult(
            name=component.name,
            value=None,
            normalised=None,
            missing_marks=1,
            flags=(_("世赛评分项，成绩尚未由世赛评分模块提供"),),
        )
    marks = entry.marks.get(component.name, ())
    _check_marks(entry, component, marks)
    try:
        panel = _combine(marks, component.panel, component.panel_size)
    except ScoringError as error:
        raise ScoringError(
            _("{who}的“{component}”：{problem}").format(who=_who(entry), component=component.name, problem=error)
        ) from None
    result = _result(component, panel.value, missing=panel.missing)
    threshold = component.spread_threshold
    if threshold is not None and panel.spread is not None and panel.spread > threshold:
        flag = _("裁判评分最高与最低相差{spread}分，超过{threshold}分，需复核").format(
            spread=_plain(panel.spread), threshold=_plain(threshold)
        )
        return ComponentResult(result.name, result.value, result.normalised, result.missing_marks, (flag,))
    return result


def _combine(marks: Sequence[Decimal], method: PanelMethod, panel_size: int) -> PanelResult:
    """``combine_panel`` for marks and a panel already checked."""
    count = len(marks)
    if count > panel_size:
        raise ScoringError(_("评分数量（{count}个）超过裁判人数（{size}人）").format(count=count, size=panel_size))
    if not count:
        return PanelResult(value=None, missing=panel_size, spread=None)
    ordered = sorted(marks)
    spread = ARITHMETIC.subtract(ordered[-1], ordered[0])
    if count < panel_size:
        return PanelResult(value=None, missing=panel_size - count, spread=spread)
    kept = _kept(ordered, method)
    kept_sum = Decimal(0)
    for mark in kept:
        kept_sum = ARITHMETIC.add(kept_sum, mark)
    return PanelResult(value=ARITHMETIC.divide(kept_sum, len(kept)), missing=0, spread=spread)


def _kept(ordered: list[_Mark], method: PanelMethod) -> list[_Mark]:
    """The sorted marks a panel averages: SINGLE and MEAN keep all (one mark is its own mean)."""
    if method is PanelMethod.TRIMMED_MEAN:
        return ordered[1:-1]
    if method is PanelMethod.MEDIAN:
        middle = len(ordered) // 2
        return ordered[middle : middle + 1] if len(ordered) % 2 else ordered[middle - 1 : middle + 1]
    return ordered


def _result(component: ComponentRule, value: Decimal | None, *, missing: int) -> ComponentResult:
    # value × 100 / max, multiplied first: 100 / 30 is inexact, value × 100 is not.
    normalised = None if value is None else ARITHMETIC.divide(ARITHMETIC.multiply(value, HUNDRED), component.max_score)
    return ComponentResult(name=component.name, value=value, normalised=normalised, missing_marks=missing)


def _weighted_total(
    entry: EntryInput, rules: ScoringRules, results: Sequence[ComponentResult], supplied: Mapping[str, Decimal]
) -> Decimal:
    """Σ weight × normalised, rounded half-up; exact even where a third meets a half-way point."""
    total = Decimal(0)
    for component, result in zip(rules.components, results, strict=True):
        assert result.normalised is not None  # the caller returns early for a missing component
        total = ARITHMETIC.add(total, ARITHMETIC.multiply(component.weight, result.normalised))
    # At 50 digits the sum is off by a few units in the last place at most, which matters only
    # right at a half-way point (85.125 against 85.12499…): there, work it out exactly.
    scaled = total.scaleb(rules.decimals, context=ARITHMETIC)
    above_half_way = ARITHMETIC.subtract(scaled, scaled.to_integral_value(rounding=ROUND_FLOOR, context=ARITHMETIC))
    if ARITHMETIC.abs(ARITHMETIC.subtract(above_half_way, HALF)) < _NEAR:
        return _exact_total(entry, rules, supplied)
    return round_half_up(total, rules.decimals)


def _exact_total(entry: EntryInput, rules: ScoringRules, supplied: Mapping[str, Decimal]) -> Decimal:
    """The total in exact rational arithmetic, from the marks themselves."""
    total = Fraction(0)
    for component in rules.components:
        if component.name in supplied:
            value = Fraction(supplied[component.name])
        else:
            kept = _kept(sorted(Fraction(mark) for mark in entry.marks[component.name]), component.panel)
            value = sum(kept, Fraction(0)) / len(kept)
        total += Fraction(component.weight) * value * 100 / Fraction(component.max_score)
    units = math.floor(total * 10**rules.decimals + Fraction(1, 2))  # the total is never negative
    return Decimal(units).scaleb(-rules.decimals, context=ARITHMETIC)


def _check_marks(entry: EntryInput, component: ComponentRule, marks: Sequence[Decimal]) -> None:
    maximum = component.max_score
    for mark in marks:
        if isinstance(mark, Decimal) and mark.is_finite() and 0 <= mark <= maximum:
            continue
        if not isinstance(mark, Decimal):
            # A float would carry binary rounding into the total: refuse it at the door.
            raise ScoringError(
                _("{who}的“{component}”：评分必须是精确小数（Decimal），收到{kind}").format(
                    who=_who(entry), component=component.name, kind=type(mark).__name__
                )
            )
        raise ScoringError(
            _("{who}的“{component}”评分{mark}超出范围（0～{max}）").format(
                who=_who(entry), component=component.name, mark=_plain(mark), max=_plain(component.max_score)
            )
        )


def _check_panel(method: PanelMethod, panel_size: int) -> None:
    if method is PanelMethod.WORLDSKILLS:
        raise ScoringError(_("世赛评分项不按裁判组合并，其成绩由世赛评分模块提供"))
    if panel_size < 1:
        raise ScoringError(_("裁判人数至少为1人，实际为{size}").format(size=panel_size))
    if method is PanelMethod.SINGLE and panel_size != 1:
        raise ScoringError(_("单一评分只能有1名裁判，实际为{size}人").format(size=panel_size))
    if method is PanelMethod.TRIMMED_MEAN and panel_size < MINIMUM_TRIMMED_PANEL:
        raise ScoringError(
            _("去掉最高分和最低分后平均至少需要{minimum}名裁判，实际为{size}人").format(
                minimum=MINIMUM_TRIMMED_PANEL, size=panel_size
            )
        )


def _who(entry: EntryInput) -> str:
    return _("{name}（编号{entry_id}）").format(name=entry.name, entry_id=entry.entry_id)


def _plain(value: Decimal) -> str:
    """A Decimal as people write it: never in exponent notation."""
    return format(value, "f")
