"""Standardise raw marks (out of 100) onto the WorldSkills scale (DOMAIN §7).

WorldSkills International does not publish the exact formula its Competition Information
System uses; it says only that the median of each skill competition lands at 700 and most
results fall between 600 and 800. The formula is therefore a rule setting
(``rules.model.Standardisation``), and the default documented there is::

    standardised = centre + (raw − median) × spread / sd

with ``centre`` 700, ``spread`` 100, ``median`` the median of the field (the mean of the two
middle marks for an even field) and ``sd`` the population standard deviation of the field
(divide by n, not n − 1: the field is everyone, not a sample). The result is clamped to
[``minimum``, ``maximum``] and rounded half-up at ``decimals`` places.

Degenerate fields, defined here: no entrants give an empty result; one entrant, or a field
whose marks are all identical (sd = 0), puts everyone at ``centre`` — nobody is above or below
anyone else, and dividing by zero would say nothing.

Arithmetic is exact ``Decimal`` in a fixed 50-digit context; the square root uses
``Decimal.sqrt()`` there, far beyond the two places a result keeps.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, localcontext

from competition_app.i18n import _
from competition_app.rules.model import Standardisation
from competition_app.rules.scoring import ARITHMETIC, round_half_up
from competition_app.worldskills.marking import MarkingError


def standardise(raw: Mapping[int, Decimal], rule: Standardisation, decimals: int = 2) -> dict[int, Decimal]:
    """Map each entrant's raw mark onto the WorldSkills scale (see the module docstring).

    ``raw`` maps entrant ids to raw marks. Order is preserved (a higher raw mark never gets a
    lower result); the median entrant of an odd field gets exactly ``centre``. Raises
    ``MarkingError`` (a ``ValueError``) for a non-finite mark, ``minimum > maximum`` or a negative ``decimals``.
    """
    if rule.minimum > rule.maximum:
        raise MarkingError(
            _("标准化规则的下限 {minimum} 大于上限 {maximum}").format(minimum=rule.minimum, maximum=rule.maximum)
        )
    if decimals < 0:
        raise MarkingError(_("小数位数不能为负数：{decimals}").format(decimals=decimals))
    for entrant, value in raw.items():
        if not value.is_finite():
            raise MarkingError(_("选手 {entrant} 的原始分 {value} 不是有效数字").format(entrant=entrant, value=value))
    if not raw:
        return {}
    with localcontext(ARITHMETIC):
        values = sorted(raw.values())
        count = len(values)
        middle = count // 2
        median = values[middle] if count % 2 else (values[middle - 1] + values[middle]) / 2
        mean = sum(values, Decimal(0)) / count
        variance = sum(((value - mean) ** 2 for value in values), Decimal(0)) / count
        sd = variance.sqrt()
        result: dict[int, Decimal] = {}
        for entrant, value in raw.items():
            scaled = rule.centre if sd == 0 else rule.centre + (value - median) * rule.spread / sd
            clamped = min(max(scaled, rule.minimum), rule.maximum)
            result[entrant] = round_half_up(clamped, decimals)
    return result
