"""A rule set as typed, immutable data: what scoring, ranking, awards, titles, promotion and
designations a competition applies. Presets live in ``resources/rules``; each competition
keeps its own editable copy (``db.models.RuleSet.settings``). Nothing here is hard-coded
policy: every number comes from a rule file, and every rule carries where it comes from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from competition_app.domain.enums import (
    ComponentKind,
    Level,
    PanelMethod,
    PersonStatus,
    SkillLevel,
    TierClass,
)


class TieBreak(StrEnum):
    """One link of the tie-break chain, applied after the rounded total."""

    PRACTICAL = "practical"  # higher practical (技能操作) component first
    PRACTICAL_TIME = "practical_time"  # shorter practical time first
    THEORY = "theory"  # higher theory component first
    DEFENCE = "defence"  # higher 答辩 first


class TeamScoring(StrEnum):
    SUM = "sum"  # team score = sum of the members' totals
    MEAN = "mean"
    TEAM_COMPONENT = "team_component"  # components marked team_scored give the team its score


class AwardModel(StrEnum):
    NONE = "none"
    PERCENTAGE = "percentage"  # 一等 10% / 二等 20% / 三等 30% of the group
    FIXED_COUNTS = "fixed_counts"  # 1/2/3, 2/4/6 …
    MEDALS = "medals"  # gold/silver/bronze to ranks 1–3, 优胜奖 to the top half outside them
    WORLDSKILLS = "worldskills"  # medals with a tie margin, Medallion for Excellence at a threshold


class QuotaRounding(StrEnum):
    """How a percentage quota of a field becomes a whole number of people."""

    FLOOR = "floor"
    CEIL = "ceil"
    HALF_UP = "half_up"


class CutoffTiePolicy(StrEnum):
    """Two people share the last qualifying place of a top-N rule."""

    ALL_QUALIFY = "all_qualify"
    DECIDE = "decide"  # flag for a recorded decision


class Rule:
    """Base of every rule: each knows where it comes from (``source``, a provenance note)."""

    __slots__ = ()
    source: str


@dataclass(frozen=True, slots=True)
class ComponentRule(Rule):
    """A scored component: 理论知识, 技能操作, 答辩 … normalised to its maximum, then weighted."""

    name: str
    kind: ComponentKind
    weight: Decimal
    max_score: Decimal = Decimal(100)
    panel: PanelMethod = PanelMethod.SINGLE
    panel_size: int = 1
    pass_mark: Decimal | None = None  # on the component's 100-point scale, for promotion rules
    # Flag a panel whose highest and lowest marks differ by more (component's own scale); the
    # marks still count: the flag asks the chief judge to check them (复核), it decides nothing.
    spread_threshold: Decimal | None = None
    team_scored: bool = False  # marked once per team (TeamScoring.TEAM_COMPONENT), not per member
    source: str = ""


@dataclass(frozen=True, slots=True)
class Standardisation(Rule):
    """WorldSkills-scale standardisation: ``centre + (raw − median) × spread / sd``.

    WSI does not publish its exact formula; this default maps the median to 700 and one
    standard deviation (population) to 100 points, clamped to [min, max].
    """

    centre: Decimal = Decimal(700)
    spread: Decimal = Decimal(100)
    minimum: Decimal = Decimal(0)
    maximum: Decimal = Decimal(1000)
    source: str = ""


@dataclass(frozen=True, slots=True)
class ScoringRules(Rule):
    components: tuple[ComponentRule, ...]
    decimals: int = 2  # totals rounded half-up to this many places; ranking uses the rounded total
    judgement_scale: int = 3  # WorldSkills J aspects are scored 0..scale
    judgement_max_spread: Decimal = Decimal(1)  # a larger spread between judges is flagged for re-marking
    judgement_min_judges: int = 3
    standardisation: Standardisation | None = None
    source: str = ""


@dataclass(frozen=True, slots=True)
class RankingRules(Rule):
    tie_breaks: tuple[TieBreak, ...] = (TieBreak.PRACTICAL, TieBreak.PRACTICAL_TIME, TieBreak.THEORY)
    shared_places: bool = True  # False: unresolved ties are flagged for a recorded decision (全国技能大赛)
    team_scoring: TeamScoring = TeamScoring.SUM
    source: str = ""


@dataclass(frozen=True, slots=True)
class AwardTier(Rule):
    """One award level: by share of the group (percentage model) or by count (fixed counts)."""

    name: str  # 一等奖 / 金牌 …
    share: Decimal | None = None
    count: int | None = None
    source: str = ""


@dataclass(frozen=True, slots=True)
class AwardRules(Rule):
    model: AwardModel = AwardModel.NONE
    tiers: tuple[AwardTier, ...] = ()
    quota_rounding: QuotaRounding = QuotaRounding.FLOOR
    pass_mark: Decimal | None = None  # no award below this total
    merit_award: str | None = None  # e.g. 优秀奖 for everyone else who passes
    half_field_award: str | None = None  # medals model: 优胜奖 for the top half outside the medals
    half_field_inclusive: bool = True  # "排名在参赛人数1/2以上（含）"
    medallion: str | None = None  # WorldSkills: Medallion for Excellence (优胜奖)
    medallion_threshold: Decimal = Decimal(700)
    medal_tie_margin: Decimal = Decimal(0)  # WorldSkills: medals tie within this many points
    source: str = ""


@dataclass(frozen=True, slots=True)
class TitleRule(Rule):
    """Eligibility to apply for a title (可申报): 市技术能手, 全国技术能手 …"""

    title: str
    top: int | None = None  # ranks 1..top of the group
    team_top: tuple[tuple[int, int], ...] = ()  # (team size, top) overrides: 双人 top 3, 三人 top 2
    requires_award: tuple[str, ...] = ()  # or: holds one of these awards (WorldSkills medal/medallion)
    tier_class: TierClass | None = None  # applies only to events of this class (运河之星 一类/二类)
    statuses: frozenset[PersonStatus] = frozenset()  # empty = any status
    groups: frozenset[str] = frozenset()  # empty = any group
    min_age: int | None = None
    max_age: int | None = None
    pass_mark: Decimal | None = None
    exclude_holders: bool = False  # a person who already holds the title does not qualify again
    source: str = ""


@dataclass(frozen=True, slots=True)
class PromotionBand(Rule):
    """Ranks ``from_rank``..``to_rank`` (or holders of ``requires_award``) are promoted to ``target``.

    ``holder_target`` applies to someone who already holds ``target`` or higher (技师 → 高级技师);
    ``student_target`` replaces ``target`` for students (天津: 学生 → 高级工).
    ``steps`` makes the band relative ("晋升一级"): current level + steps, with ``target`` used
    only when the current level is unknown. ``team_to_rank`` overrides ``to_rank`` for team
    events of a given size (四川工匠杯: 双人 top 2 teams, 三人 first team).
    """

    target: SkillLevel
    from_rank: int = 1
    to_rank: int | None = None
    team_to_rank: tuple[tuple[int, int], ...] = ()
    steps: int | None = None
    requires_award: tuple[str, ...] = ()
    holder_target: SkillLevel | None = None
    student_target: SkillLevel | None = None
    tier_class: TierClass | None = None
    statuses: frozenset[PersonStatus] = frozenset()
    source: str = ""


@dataclass(frozen=True, slots=True)
class PromotionRules(Rule):
    bands: tuple[PromotionBand, ...] = ()
    one_per_year: bool = True  # at most one promotion per person per calendar year, across competitions
    requires_component_pass: bool = False  # a pass in every component with a pass mark
    ladder_top: SkillLevel = SkillLevel.LEVEL_1  # competitions promote up to 高级技师 at most
    source: str = ""


@dataclass(frozen=True, slots=True)
class DesignationRule(Rule):
    """A designation reported beside titles, e.g. 优秀选手 (seed 003 item 7)."""

    name: str
    top: int | None = None
    awards: tuple[str, ...] = ()  # or: holds one of these awards (职业院校技能大赛 一等奖/二等奖)
    tier_class: TierClass | None = None
    source: str = ""


@dataclass(frozen=True, slots=True)
class RuleSet(Rule):
    key: str
    name: str
    level: Level
    tier_class: TierClass
    scoring: ScoringRules
    ranking: RankingRules = field(default_factory=RankingRules)
    awards: AwardRules = field(default_factory=AwardRules)
    titles: tuple[TitleRule, ...] = ()
    promotion: PromotionRules = field(default_factory=PromotionRules)
    designations: tuple[DesignationRule, ...] = ()
    cutoff_ties: CutoffTiePolicy = CutoffTiePolicy.ALL_QUALIFY
    minimum_field: int | None = None  # warn (never block) when a group is smaller
    source: str = ""
