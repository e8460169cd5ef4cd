"""From judges' marks to component results and a rounded total (DOMAIN §2).

Exact arithmetic throughout: ``Decimal`` only, never float. Panel values and normalised
component scores keep full precision (50 significant digits: a third has no exact decimal);
only the total is rounded, half-up, at ``ScoringRules.decimals``, and ranking uses that
rounded total. A total whose 50-digit sum lies within a hair of a half-way point is worked
out again in exact fractions, so no rounding of a third can tip it across the boundary.

WorldSkills components (``PanelMethod.WORLDSKILLS``) are not marked here: their value comes
from the WorldSkills marking module and is handed in through ``precomputed``.
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
from functools import lru_cache
from typing import TypeVar

from competition_app.domain.enums import PanelMethod
from competition_app.i18n import _
from competition_app.rules.io import ComponentResult, EntryInput
from competition_app.rules.model import ComponentRule, ScoringRules

# Arithmetic runs in this context, not the caller's thread context, so a result never depends
# on someone else's ``getcontext().prec``.
ARITHMETIC = Context(prec=50, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow])
# Closer than this to a half-way point, a 50-digit total is re-done in exact fractions.
_NEAR = Decimal("1E-40")

HUNDRED = Decimal(100)
HALF = Decimal("0.5")
MINIMUM_TRIMMED_PANEL = 3

_Mark = TypeVar("_Mark", Decimal, Fraction)


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
    known = _component_names(rules)
    supplied = precomputed or {}
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
    return _result(component, panel.value, missing=panel.missing)


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
