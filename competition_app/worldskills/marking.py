"""From judges' scores to aspect, criterion and scheme marks (DOMAIN §7).

* Measurement (M) aspects take one agreed mark in 0..max: the judges agree it, the software
  records it.
* Judgement (J) aspects take one integer score 0..``judgement_scale`` from each of at least
  ``judgement_min_judges`` judges; the mark is ``max × mean(scores) / scale`` [assumed, DOMAIN §7].
  Scores that differ by more than ``judgement_max_spread`` are flagged "需重新评分" (the judges
  discuss and re-mark); the mark is still computed so the chief judge can see it.

Arithmetic is exact ``Decimal`` in a fixed 50-digit context (``ARITHMETIC``), never the
caller's: an aspect mark is multiplied first and divided once, so 2 × 8 / 9 keeps 50
significant digits and is never rounded to display places. Only criterion marks and the scheme total are rounded,
half-up at ``ScoringRules.decimals``, each from its unrounded sum (so rounded criterion marks
may differ from the rounded total by a unit in the last place). A missing aspect is None,
never zero, and makes its criterion and the total None.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from types import MappingProxyType

from competition_app.domain.enums import AspectType
from competition_app.i18n import _
from competition_app.rules.model import ScoringRules
from competition_app.rules.scoring import ARITHMETIC, round_half_up
from competition_app.worldskills.scheme import Aspect, MarkingScheme, format_decimal

RE_MARK_FLAG = "需重新评分"


class MarkingError(ValueError):
    """Scores that cannot be marked; the message is Chinese and names the aspect and the score."""


@dataclass(frozen=True, slots=True)
class AspectResult:
    """One aspect's mark (None: not yet marked) and what the chief judge should look at."""

    mark: Decimal | None
    flags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SchemeResult:
    """A competitor's marks on a whole scheme.

    ``total`` and ``criterion_marks`` are rounded half-up at ``ScoringRules.decimals``; None
    when an aspect is missing. ``raw_total`` is the unrounded sum. ``missing`` lists the ids of
    unmarked aspects in scheme order; ``flags`` collects every aspect's flags.
    """

    total: Decimal | None
    raw_total: Decimal | None
    criterion_marks: Mapping[str, Decimal | None] = field(hash=False)
    missing: tuple[str, ...]
    flags: tuple[str, ...]
    aspects: Mapping[str, AspectResult] = field(hash=False)


def aspect_mark(aspect: Aspect, scores: Sequence[Decimal], rules: ScoringRules) -> AspectResult:
    """Mark one aspect from its scores.

    M: ``scores`` is empty (not marked) or the one agreed mark in 0..max. J: one integer
    score 0..scale per judge; fewer than ``judgement_min_judges`` scores leave the mark None.
    Raises ``MarkingError`` (a ``ValueError``, Chinese) for a mark out of range, a non-integer judge score or more
    than one M mark.
    """
    if aspect.type is AspectType.MEASUREMENT:
        return _measurement(aspect, scores)
    return _judgement(aspect, scores, rules)


def score_scheme(
    scheme: MarkingScheme, aspect_scores: Mapping[str, Sequence[Decimal]], rules: ScoringRules
) -> SchemeResult:
    """Mark every aspect of ``scheme`` and add them up per criterion and in total.

    ``aspect_scores`` maps aspect ids (A1.1 …) to their scores; an aspect that is absent is
    missing. An id that is not in the scheme raises ``MarkingError`` rather than being dropped.
    """
    known = {aspect.id for aspect in scheme.aspects()}
    unknown = [aspect_id for aspect_id in aspect_scores if aspect_id not in known]
    if unknown:
        raise MarkingError(_("评分方案中没有这些评分项：{ids}").format(ids="、".join(unknown)))
    results: dict[str, AspectResult] = {}
    criterion_marks: dict[str, Decimal | None] = {}
    missing: list[str] = []
    raw_total: Decimal | None = Decimal(0)
    with localcontext(ARITHMETIC):
        for criterion in scheme.criteria:
            criterion_sum: Decimal | None = Decimal(0)
            for sub in criterion.sub_criteria:
                for aspect in sub.aspects:
                    result = aspect_mark(aspect, aspect_scores.get(aspect.id, ()), rules)
                    results[aspect.id] = result
                    if result.mark is None:
                        missing.append(aspect.id)
                        criterion_sum = None
                    elif criterion_sum is not None:
                        criterion_sum += result.mark
            criterion_marks[criterion.id] = (
                round_half_up(criterion_sum, rules.decimals) if criterion_sum is not None else None
            )
            raw_total = raw_total + criterion_sum if raw_total is not None and criterion_sum is not None else None
    return SchemeResult(
        total=round_half_up(raw_total, rules.decimals) if raw_total is not None else None,
        raw_total=raw_total,
        criterion_marks=MappingProxyType(criterion_marks),
        missing=tuple(missing),
        flags=tuple(flag for result in results.values() for flag in result.flags),
        aspects=MappingProxyType(results),
    )


def _measurement(aspect: Aspect, scores: Sequence[Decimal]) -> AspectResult:
    if not scores:
        return AspectResult(None)
    if len(scores) > 1:
        raise MarkingError(
            _("测量评分项 {id}“{description}”只接受一个商定的分数，收到 {count} 个：{scores}").format(
                id=aspect.id, description=aspect.description, count=len(scores), scores=_list(scores)
            )
        )
    mark = scores[0]
    if not mark.is_finite() or not Decimal(0) <= mark <= aspect.max_mark:
        raise MarkingError(
            _("测量评分项 {id}“{description}”的分数 {mark} 超出范围 0–{max}").format(
                id=aspect.id, description=aspect.description, mark=mark, max=format_decimal(aspect.max_mark)
            )
        )
    return AspectResult(mark)


def _judgement(aspect: Aspect, scores: Sequence[Decimal], rules: ScoringRules) -> AspectResult:
    scale = rules.judgement_scale
    if scale <= 0:
        raise MarkingError(_("评价评分的分级上限必须大于 0：{scale}").format(scale=scale))
    for score in scores:
        if not score.is_finite() or score != score.to_integral_value() or not 0 <= score <= scale:
            raise MarkingError(
                _("评价评分项 {id}“{description}”的裁判评分 {score} 无效：应为 0–{scale} 的整数").format(
                    id=aspect.id, description=aspect.description, score=score, scale=scale
                )
            )
    if len(scores) < rules.judgement_min_judges:
        flags: tuple[str, ...] = ()
        if scores:
            flags = (
                _(
                    "评价评分项 {id}“{description}”只有 {count} 位裁判评分（{scores}），至少需要 {minimum} 位，暂不计分"
                ).format(
                    id=aspect.id,
                    description=aspect.description,
                    count=len(scores),
                    scores=_list(scores),
                    minimum=rules.judgement_min_judges,
                ),
            )
        return AspectResult(None, flags)
    with localcontext(ARITHMETIC):
        mark = aspect.max_mark * sum(scores, Decimal(0)) / (len(scores) * scale)
        spread = max(scores) - min(scores)
    re_mark: tuple[str, ...] = ()
    if spread > rules.judgement_max_spread:
        re_mark = (
            _(
                "{flag}：评价评分项 {id}“{description}”的裁判评分为 {scores}，"
                "最大差 {spread} 分，超过允许的 {allowed} 分"
            ).format(
                flag=RE_MARK_FLAG,
                id=aspect.id,
                description=aspect.description,
                scores=_list(scores),
                spread=format_decimal(spread),
                allowed=format_decimal(rules.judgement_max_spread),
            ),
        )
    return AspectResult(mark, re_mark)


def _list(scores: Sequence[Decimal]) -> str:
    return "、".join(format_decimal(score) if score.is_finite() else str(score) for score in scores)
