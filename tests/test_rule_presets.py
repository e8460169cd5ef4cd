"""Rule presets (resources/rules), the rule-file reader and writer, stored copies, and the CLI."""

from __future__ import annotations

import argparse
import copy
import dataclasses
import io
import json
from collections.abc import Callable, Iterator
from decimal import Decimal
from importlib.resources import files
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from competition_app.domain.enums import Level, PersonStatus, SkillLevel, TierClass
from competition_app.rules.cli import add_rules_command, run_rules_command
from competition_app.rules.model import AwardModel, CutoffTiePolicy, RuleSet, TieBreak
from competition_app.rules.presets import UnknownPresetError, describe_rule_set, list_presets, load_preset
from competition_app.rules.serialise import (
    _SPECS,
    RuleFileError,
    rule_set_from_dict,
    rule_set_from_json,
    rule_set_to_dict,
)
from competition_app.services.audit import first_broken_link
from competition_app.services.rule_sets import (
    RuleSetError,
    copy_preset_to_competition,
    load_rule_set,
    update_rule_set,
)
from db.models import AuditRecord, Competition
from db.models import RuleSet as RuleSetRow

PRESET_KEYS = (
    "worldskills",
    "national_comprehensive",
    "national_class_1",
    "national_class_2",
    "provincial_class_1",
    "provincial_class_2",
    "provincial_class_1_sichuan",
    "provincial_shandong",
    "municipal_class_1",
    "municipal_class_2",
    "municipal_class_1_jining",
    "municipal_class_2_jining",
    "municipal_tianjin",
    "enterprise",
    "school",
)


def preset_file(key: str) -> dict[str, Any]:
    text = (files("resources") / "rules" / f"{key}.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def objects(node: object) -> Iterator[dict[str, Any]]:
    """Every JSON object in a rule file (each is one rule of the model)."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from objects(value)
    elif isinstance(node, list):
        for value in node:
            yield from objects(value)


# --- the presets -----------------------------------------------------------------------------


def test_the_shipped_presets_are_exactly_the_tiers() -> None:
    assert {info.key for info in list_presets()} == set(PRESET_KEYS)
    assert list_presets()[0].key == "worldskills"
    assert [info.key for info in list_presets()][-2:] == ["enterprise", "school"]


@pytest.mark.parametrize("key", PRESET_KEYS)
def test_preset_loads_validates_and_cites_a_source_for_every_rule(key: str) -> None:
    rule_set = load_preset(key)
    assert rule_set.key == key
    assert rule_set.name
    for node in objects(preset_file(key)):
        assert isinstance(node.get("source"), str) and node["source"].strip(), node
        assert any(tag in node["source"] for tag in ("DOMAIN", "seed", "cited", "assumed")), node["source"]


@pytest.mark.parametrize("key", PRESET_KEYS)
def test_round_trip_dict_to_rule_set_to_dict_is_identity(key: str) -> None:
    data = preset_file(key)
    rule_set = rule_set_from_dict(data)
    assert rule_set_to_dict(rule_set) == data
    assert rule_set_from_dict(rule_set_to_dict(rule_set)) == rule_set


@pytest.mark.parametrize("key", PRESET_KEYS)
def test_presets_follow_the_common_defaults_unless_stated(key: str) -> None:
    rule_set = load_preset(key)
    assert rule_set.scoring.decimals == 2
    if key == "worldskills":
        assert rule_set.ranking.tie_breaks == ()  # places outside the medals are shared by identical marks only
        return
    theory, practical = rule_set.scoring.components
    assert (theory.name, theory.weight, theory.panel.value) == ("理论知识", Decimal("0.30"), "single")
    assert (practical.name, practical.weight, practical.panel.value) == ("技能操作", Decimal("0.70"), "trimmed_mean")
    assert practical.panel_size == 5
    assert theory.pass_mark == practical.pass_mark == Decimal(60)
    assert rule_set.ranking.tie_breaks == (TieBreak.PRACTICAL, TieBreak.PRACTICAL_TIME, TieBreak.THEORY)


def test_decimals_keep_their_written_precision() -> None:
    rule_set = load_preset("national_class_1")
    assert rule_set.scoring.components[0].weight == Decimal("0.30")
    assert str(rule_set.scoring.components[0].weight) == "0.30"
    assert preset_file("national_class_1")["awards"]["tiers"][0]["share"] == "0.10"


@pytest.mark.parametrize(("key", "tier_class", "top"), [
    ("municipal_class_1_jining", TierClass.CLASS_1, 3),
    ("municipal_class_2_jining", TierClass.CLASS_2, 1),
])  # fmt: skip
def test_jining_presets_encode_seed_003_item_21(key: str, tier_class: TierClass, top: int) -> None:
    """市级一类竞赛前三名和市级二类竞赛第一名可申报济宁市技术能手，按照相关规定晋升."""
    rule_set = load_preset(key)
    assert (rule_set.level, rule_set.tier_class) == (Level.MUNICIPAL, tier_class)
    (title,) = rule_set.titles
    assert (title.title, title.top, title.tier_class) == ("济宁市技术能手", top, tier_class)
    # Exactly what the seed says: no status, group, age, pass-mark or award condition.
    assert not (title.statuses or title.groups or title.team_top or title.requires_award)
    assert title.min_age is title.max_age is title.pass_mark is None
    assert "seed 003 第21条" in title.source
    (band,) = rule_set.promotion.bands
    assert (band.from_rank, band.to_rank, band.tier_class) == (1, top, tier_class)
    assert "assumed" in band.source
    assert rule_set.promotion.one_per_year
    assert [(tier.name, tier.count) for tier in rule_set.awards.tiers] == [("一等奖", 1), ("二等奖", 2), ("三等奖", 3)]


def test_national_comprehensive_has_no_shared_places_and_medals() -> None:
    rule_set = load_preset("national_comprehensive")
    assert rule_set.ranking.shared_places is False
    assert rule_set.cutoff_ties is CutoffTiePolicy.DECIDE
    assert rule_set.awards.model is AwardModel.MEDALS
    assert (rule_set.awards.half_field_award, rule_set.awards.half_field_inclusive) == ("优胜奖", True)
    (title,) = rule_set.titles
    assert (title.title, title.top, title.team_top) == ("全国技术能手", 5, ((2, 3), (3, 2)))
    (band,) = rule_set.promotion.bands
    assert (band.target, band.holder_target) == (SkillLevel.LEVEL_2, SkillLevel.LEVEL_1)
    assert set(band.requires_award) == {"金牌", "银牌", "铜牌", "优胜奖"}


def test_worldskills_preset() -> None:
    rule_set = load_preset("worldskills")
    awards = rule_set.awards
    assert awards.model is AwardModel.WORLDSKILLS
    assert (awards.medallion, awards.medallion_threshold, awards.medal_tie_margin) == ("优胜奖", 700, 2)
    assert rule_set.scoring.standardisation is not None
    assert rule_set.scoring.standardisation.centre == 700
    (title,) = rule_set.titles
    assert title.exclude_holders and set(title.requires_award) == {"金牌", "银牌", "铜牌", "优胜奖"}
    (band,) = rule_set.promotion.bands
    assert (band.target, band.requires_award) == (SkillLevel.LEVEL_1, ("金牌",))


def test_national_and_provincial_titles_and_designations() -> None:
    class_1 = load_preset("national_class_1")
    assert [(t.title, t.top, t.statuses) for t in class_1.titles] == [
        ("全国技术能手", 5, frozenset({PersonStatus.WORKER}))
    ]
    assert [(b.from_rank, b.to_rank, b.target, b.holder_target) for b in class_1.promotion.bands] == [
        (1, 5, SkillLevel.LEVEL_2, SkillLevel.LEVEL_1),
        (6, 20, SkillLevel.LEVEL_3, SkillLevel.LEVEL_2),
    ]
    expected_designations = {
        "national_class_1": 20, "national_class_2": 15, "provincial_class_1": 5, "provincial_class_2": 3,
    }  # fmt: skip
    for key, top in expected_designations.items():
        assert [(d.name, d.top) for d in load_preset(key).designations] == [("优秀选手", top)]
    assert load_preset("national_class_2").titles[0].top == 3
    assert "assumed" in load_preset("national_class_2").titles[0].source
    assert load_preset("provincial_class_1").minimum_field == load_preset("provincial_class_2").minimum_field == 30
    assert "山西" in load_preset("provincial_class_1").titles[0].source
    shandong = load_preset("provincial_shandong").titles[0]
    assert (shandong.top, shandong.groups) == (3, frozenset({"职工组"}))


def test_sichuan_tianjin_and_basic_presets() -> None:
    sichuan = load_preset("provincial_class_1_sichuan")
    assert [tier.count for tier in sichuan.awards.tiers] == [1, 2, 5]
    assert "答辩" in sichuan.scoring.source and "25%" in sichuan.scoring.source
    (band,) = sichuan.promotion.bands
    assert (band.to_rank, band.target, band.holder_target) == (3, SkillLevel.LEVEL_2, SkillLevel.LEVEL_1)
    tianjin = load_preset("municipal_tianjin")
    assert [(b.tier_class, b.to_rank, b.target, b.student_target) for b in tianjin.promotion.bands] == [
        (TierClass.CLASS_1, 10, SkillLevel.LEVEL_2, SkillLevel.LEVEL_3),
        (TierClass.CLASS_2, 6, SkillLevel.LEVEL_3, SkillLevel.LEVEL_4),
    ]
    for key in ("enterprise", "school"):
        rule_set = load_preset(key)
        assert rule_set.awards.model is AwardModel.FIXED_COUNTS
        assert rule_set.titles == () and rule_set.promotion.bands == ()


def test_unknown_preset_lists_the_known_keys() -> None:
    with pytest.raises(UnknownPresetError) as caught:
        load_preset("municipal_class_3")
    message = str(caught.value)
    assert "municipal_class_3" in message and "没有名为" in message
    assert all(key in message for key in PRESET_KEYS)
    with pytest.raises(UnknownPresetError):
        load_preset("../rules/worldskills")


@pytest.mark.parametrize("key", PRESET_KEYS)
def test_describe_rule_set_gives_every_line_its_source(key: str) -> None:
    text = describe_rule_set(load_preset(key))
    lines = text.splitlines()
    assert all(line.endswith("〕") and " 〔" in line for line in lines)
    assert "未注明来源" not in text
    for heading in ("规则：", "评分部分：", "总分：", "排名：", "奖项：", "称号：", "晋升", "最低参赛人数："):
        assert any(line.startswith(heading) for line in lines), heading


def test_describe_rule_set_reads_as_the_rules() -> None:
    jining = describe_rule_set(load_preset("municipal_class_1_jining"))
    assert "理论知识占 30%" in jining and "技能操作占 70%" in jining
    assert "5 名裁判评分，去掉一个最高分和一个最低分后取平均" in jining
    assert "保留 2 位小数" in jining
    assert "技能操作成绩高者在前 → 技能操作用时短者在前 → 理论知识成绩高者在前；仍相同则并列名次" in jining
    assert "  一等奖：1 名" in jining
    assert "称号：前 3 名可申报“济宁市技术能手”（仅一类赛项） 〔济宁：市级一类竞赛前三名" in jining
    assert "晋升：第 1–3 名在现等级上晋升1级（现等级不详者晋升高级工（三级））" in jining
    national = describe_rule_set(load_preset("national_comprehensive"))
    assert "名次不并列" in national
    assert "双人赛项前 3 名、三人赛项前 2 名" in national
    assert "认定：前 20 名认定为“优秀选手”" in describe_rule_set(load_preset("national_class_1"))
    assert "每组不少于 30 人" in describe_rule_set(load_preset("provincial_class_1"))
    checked = load_preset("municipal_class_1")
    practical = dataclasses.replace(checked.scoring.components[1], spread_threshold=Decimal("12.5"))
    checked = dataclasses.replace(
        checked, scoring=dataclasses.replace(checked.scoring, components=(checked.scoring.components[0], practical))
    )
    assert "裁判最高分与最低分相差超过 12.5 分时提示复核" in describe_rule_set(checked)


# --- the reader: every problem, with its path and its Chinese field name ---------------------


def test_the_tables_cover_every_field_of_the_model() -> None:
    """A field added to the model fails here until the reader and writer know it."""
    for spec in _SPECS:
        assert [field.key for field in spec.fields] == [field.name for field in dataclasses.fields(spec.cls)]


Mutation = Callable[[dict[str, Any]], None]


def base() -> dict[str, Any]:
    return copy.deepcopy(preset_file("national_class_1"))


def _set(path: str, value: object) -> Mutation:
    """A mutation that sets ``a.b[1].c`` to ``value``."""

    def mutate(data: dict[str, Any]) -> None:
        *parents, last = _steps(path)
        node: Any = data
        for step in parents:
            node = node[step]
        node[last] = value

    return mutate


def _delete(path: str) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        *parents, last = _steps(path)
        node: Any = data
        for step in parents:
            node = node[step]
        del node[last]

    return mutate


def _both(*mutations: Mutation) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        for mutation in mutations:
            mutation(data)

    return mutate


def _steps(path: str) -> list[str | int]:
    steps: list[str | int] = []
    for part in path.split("."):
        name, *indices = part.replace("]", "").split("[")
        steps.append(name)
        steps.extend(int(index) for index in indices)
    return steps


BAD_FILES: list[tuple[str, Mutation, str, str, str]] = [
    # (case, mutation, path, Chinese field name, what the message says)
    ("unknown key", _set("awards.tiers[0].sharee", "0.1"), "awards.tiers[0].sharee", "未知字段", '是否应为 "share"'),
    ("missing key", _delete("scoring.components[0].weight"), "scoring.components[0].weight", "权重", "缺少必填字段"),
    ("wrong type", _set("titles[0].top", "5"), "titles[0].top", "可申报名次", '应为整数，实际为文本 "5"'),
    ("bool is no integer", _set("scoring.components[1].panel_size", True), "scoring.components[1].panel_size",
     "裁判人数", "应为整数，实际为布尔值 true"),
    ("object expected", _set("ranking", ["practical"]), "ranking", "排名规则", "应为对象"),
    ("enum code", _set("level", "city"), "level", "竞赛层级", "无效代码 \"city\"；可选：world（世界技能大赛）"),
    ("enum in a set", _set("titles[0].statuses", ["worker", "farmer"]), "titles[0].statuses[1]", "适用身份",
     "worker（职工）、teacher（教师）、student（学生）、other（其他）"),
    ("float refused", _set("scoring.components[0].weight", 0.3), "scoring.components[0].weight", "权重",
     "浮点数是二进制近似值"),
    ("not a decimal", _set("awards.pass_mark", "六十"), "awards.pass_mark", "获奖合格分", "不是有效的小数"),
    ("not finite", _set("awards.medal_tie_margin", "NaN"), "awards.medal_tie_margin", "奖牌同分差值", "有限"),
    ("weights sum", _set("scoring.components[1].weight", "0.60"), "scoring.components", "评分部分",
     "各部分权重之和应为 1，实际为 0.90"),
    ("share above 1", _set("awards.tiers[1].share", "1.5"), "awards.tiers[1].share", "奖项比例",
     '应为大于 0 且不大于 1 的小数，实际为 "1.5"'),
    ("share zero", _set("awards.tiers[0].share", "0"), "awards.tiers[0].share", "奖项比例", "大于 0"),
    ("cumulative shares", _set("awards.tiers[2].share", "0.80"), "awards.tiers[2].share", "奖项比例",
     "累计比例为 1.10，超过 1"),
    ("count below 0", _set("awards.tiers[0].count", -1), "awards.tiers[0].count", "奖项名额", "不小于 0"),
    ("top below 1", _set("titles[0].top", 0), "titles[0].top", "可申报名次", "应为不小于 1 的整数，实际为 0"),
    ("age insane", _set("titles[0].max_age", 350), "titles[0].max_age", "最高年龄", "10 到 100 之间的整数"),
    ("ages reversed", _both(_set("titles[0].min_age", 50), _set("titles[0].max_age", 18)),
     "titles[0].max_age", "最高年龄", "最高年龄 18 小于最低年龄 50"),
    ("ranks reversed", _set("promotion.bands[1].from_rank", 30), "promotion.bands[1].from_rank", "起始名次",
     "起始名次 30 大于截止名次 20"),
    ("trimmed panel too small", _set("scoring.components[1].panel_size", 2), "scoring.components[1].panel_size",
     "裁判人数", "至少需要 3 名裁判"),
    ("pass mark above 100", _set("scoring.components[0].pass_mark", "120"), "scoring.components[0].pass_mark",
     "合格分", "0 到 100 之间的小数"),
    ("duplicate component", _set("scoring.components[1].name", "理论知识"), "scoring.components[1].name", "部分名称",
     "重复"),
    ("tie-breaks unique", _set("ranking.tie_breaks", ["practical", "theory", "practical"]), "ranking.tie_breaks[2]",
     "同分比较顺序", "重复出现（与 ranking.tie_breaks[0] 相同）"),
    ("tie-break without its component", _set("ranking.tie_breaks", ["defence"]), "ranking.tie_breaks[0]",
     "同分比较顺序", "答辩"),
    ("share and count", _set("awards.tiers[0].count", 2), "awards.tiers[0].count", "奖项名额", "只能填写一个"),
    ("unknown award", _set("titles[0].requires_award", ["特等奖"]), "titles[0].requires_award[0]", "须获奖项",
     "可用：一等奖、二等奖、三等奖、优秀奖"),
    ("holder below target", _set("promotion.bands[0].holder_target", "level_3"), "promotion.bands[0].holder_target",
     "已达晋升等级者晋升至", "应高于晋升等级 技师（二级）"),
    ("title without condition", _set("titles[0].top", None), "titles[0].top", "可申报名次", "否则人人都可申报"),
    ("bad key", _set("key", "National-1"), "key", "规则键", "只能包含小写字母、数字和下划线"),
    ("empty name", _set("name", " "), "name", "规则名称", "不能为空"),
    ("team_top shape", _set("titles[0].team_top", [[2, 3, 4]]), "titles[0].team_top[0]", "团体赛可申报名次",
     "应为 2 个数的列表 [团队人数、可申报名次]"),
    ("no components", _set("scoring.components", []), "scoring.components", "评分部分", "至少需要 1 项"),
    ("spread on one mark", _set("scoring.components[0].spread_threshold", "5"),
     "scoring.components[0].spread_threshold", "裁判分差阈值", "只有多名裁判评分时才能检查分差"),
    ("spread above max", _set("scoring.components[1].spread_threshold", "150"),
     "scoring.components[1].spread_threshold", "裁判分差阈值", "不应超过满分 100，实际为 150"),
    ("spread zero", _set("scoring.components[1].spread_threshold", "0"),
     "scoring.components[1].spread_threshold", "裁判分差阈值", "大于 0"),
]  # fmt: skip


@pytest.mark.parametrize(("mutation", "path", "label", "detail"), [case[1:] for case in BAD_FILES],
                         ids=[case[0] for case in BAD_FILES])  # fmt: skip
def test_each_kind_of_error_names_the_path_and_the_chinese_field(
    mutation: Mutation, path: str, label: str, detail: str
) -> None:
    data = base()
    mutation(data)
    with pytest.raises(RuleFileError) as caught:
        rule_set_from_dict(data, source_name="bad.json")
    problems = caught.value.problems
    assert [problem.path for problem in problems] == [path], problems
    (problem,) = problems
    assert problem.message.startswith(f"{path}（{label}）：") if path else problem.message.startswith(label)
    assert detail in problem.message, problem.message
    assert str(caught.value) == f"bad.json: {problem.message}"


def test_the_examples_message_reads_as_documented() -> None:
    data = base()
    data["awards"]["tiers"][1]["share"] = "1.5"
    with pytest.raises(RuleFileError) as caught:
        rule_set_from_dict(data)
    assert str(caught.value) == 'awards.tiers[1].share（奖项比例）：应为大于 0 且不大于 1 的小数，实际为 "1.5"'


def test_several_errors_are_all_reported_at_once() -> None:
    data = base()
    data["levell"] = "national"
    data["tier_class"] = "class_9"
    data["scoring"]["components"][0]["weight"] = 0.3
    data["scoring"]["components"][1]["panel_size"] = 2
    data["awards"]["tiers"][0]["count"] = -2
    data["titles"][0]["max_age"] = 5
    data["promotion"]["bands"][1]["to_rank"] = 0
    del data["designations"][0]["name"]
    with pytest.raises(RuleFileError) as caught:
        rule_set_from_dict(data, source_name="national_class_1.json")
    paths = [problem.path for problem in caught.value.problems]
    assert paths == [
        "levell",
        "tier_class",
        "scoring.components[0].weight",
        "scoring.components[1].panel_size",
        "awards.tiers[0].count",
        "titles[0].max_age",
        "promotion.bands[1].to_rank",
        "designations[0].name",
    ]
    lines = str(caught.value).splitlines()
    assert len(lines) == len(paths)
    assert all(line.startswith("national_class_1.json: ") for line in lines)


def test_optional_keys_take_the_model_defaults() -> None:
    minimal = {
        "key": "tiny",
        "name": "最简规则",
        "level": "enterprise",
        "tier_class": "none",
        "scoring": {
            "components": [
                {"name": "理论", "kind": "theory", "weight": "0.4"},
                {"name": "实操", "kind": "practical", "weight": "0.6"},
            ]
        },
    }
    rule_set = rule_set_from_dict(minimal)
    assert rule_set == RuleSet(
        key="tiny",
        name="最简规则",
        level=Level.ENTERPRISE,
        tier_class=TierClass.NONE,
        scoring=rule_set.scoring,
    )
    assert rule_set.scoring.components[1].weight == Decimal("0.6")
    assert rule_set.scoring.components[1].panel_size == 1
    written = rule_set_to_dict(rule_set)
    assert written["ranking"] == {
        "tie_breaks": ["practical", "practical_time", "theory"],
        "shared_places": True,
        "team_scoring": "sum",
        "source": "",
    }  # every field written out, so a stored copy never depends on code defaults
    assert rule_set_from_dict(written) == rule_set


def test_sets_are_written_sorted() -> None:
    data = base()
    data["titles"][0]["statuses"] = ["worker", "teacher"]
    written = rule_set_to_dict(rule_set_from_dict(data))
    titles: Any = written["titles"]
    assert titles[0]["statuses"] == ["teacher", "worker"]


def test_json_text_problems() -> None:
    with pytest.raises(RuleFileError) as broken:
        rule_set_from_json('{"key": "x",', source_name="x.json")
    assert str(broken.value).startswith("x.json: 规则文件：不是有效的 JSON（第 1 行")
    with pytest.raises(RuleFileError) as duplicated:
        rule_set_from_json('{"key": "x", "key": "y"}')
    assert '字段 "key" 在同一对象中出现了多次' in str(duplicated.value)
    with pytest.raises(RuleFileError) as not_object:
        rule_set_from_json("[]")
    assert "顶层应为对象" in str(not_object.value)
    text = json.dumps(base(), ensure_ascii=False).replace('"weight": "0.30"', '"weight": 0.30')
    with pytest.raises(RuleFileError) as floats:
        rule_set_from_json(text)
    assert "scoring.components[0].weight（权重）" in str(floats.value)


# --- stored copies on both engines -----------------------------------------------------------


def _competition(session: Session, name: str = "2026年济宁市“运河之星”职业技能大赛") -> int:
    competition = Competition(name=name, year=2026, level=Level.MUNICIPAL, tier_class=TierClass.CLASS_1)
    session.add(competition)
    session.flush()
    return competition.id


def _audit(session: Session, rule_set_id: int) -> list[AuditRecord]:
    return list(
        session.scalars(
            select(AuditRecord)
            .where(AuditRecord.entity_type == "rule_set", AuditRecord.entity_id == rule_set_id)
            .order_by(AuditRecord.id)
        )
    )


def test_copy_preset_then_load(session: Session) -> None:
    competition_id = _competition(session)
    rule_set_id = copy_preset_to_competition(session, competition_id, "municipal_class_1_jining")
    row = session.get(RuleSetRow, rule_set_id)
    assert row is not None
    preset = load_preset("municipal_class_1_jining")
    assert (row.competition_id, row.preset_key, row.name, row.version) == (
        competition_id,
        "municipal_class_1_jining",
        preset.name,
        1,
    )
    assert row.provenance == preset.source
    assert row.settings == rule_set_to_dict(preset)
    session.expire_all()
    assert load_rule_set(session, rule_set_id) == preset
    (created,) = _audit(session, rule_set_id)
    assert created.action == "rule_set.create"
    assert created.new_value is not None and created.new_value["preset_key"] == "municipal_class_1_jining"
    other = copy_preset_to_competition(session, competition_id, "municipal_class_2_jining", name="二类赛项规则")
    assert load_rule_set(session, other).titles[0].top == 1


def test_copy_refuses_unknown_preset_competition_and_duplicate_name(session: Session) -> None:
    competition_id = _competition(session)
    with pytest.raises(UnknownPresetError):
        copy_preset_to_competition(session, competition_id, "municipal_class_9")
    with pytest.raises(RuleSetError, match=r"没有编号为 \d+ 的赛事"):
        copy_preset_to_competition(session, 10**9, "school")
    copy_preset_to_competition(session, competition_id, "school", name="院校规则")
    with pytest.raises(RuleSetError, match="已有名为“院校规则”的规则集"):
        copy_preset_to_competition(session, competition_id, "enterprise", name="院校规则")
    with pytest.raises(RuleSetError, match=r"没有编号为 \d+ 的规则集"):
        load_rule_set(session, 10**9)


def test_update_validates_bumps_version_and_audits(session: Session) -> None:
    competition_id = _competition(session)
    rule_set_id = copy_preset_to_competition(session, competition_id, "municipal_class_1_jining")
    old = rule_set_to_dict(load_rule_set(session, rule_set_id))
    new = copy.deepcopy(old)
    tiers: Any = new["awards"]
    for tier, count in zip(tiers["tiers"], (2, 4, 6), strict=True):
        tier["count"] = count
    updated = update_rule_set(session, rule_set_id, new, reason="按赛事通知调整名额", username="organiser")
    assert [tier.count for tier in updated.awards.tiers] == [2, 4, 6]
    session.expire_all()
    row = session.get(RuleSetRow, rule_set_id)
    assert row is not None and row.version == 2
    assert row.settings == new
    assert load_rule_set(session, rule_set_id) == updated
    record = _audit(session, rule_set_id)[-1]
    assert (record.action, record.competition_id, record.reason, record.username) == (
        "rule_set.update",
        competition_id,
        "按赛事通知调整名额",
        "organiser",
    )
    assert record.old_value is not None and record.new_value is not None
    assert (record.old_value["version"], record.new_value["version"]) == (1, 2)
    assert record.old_value["settings"] == old
    assert record.new_value["settings"] == new
    assert first_broken_link(session) is None


def test_a_failed_update_writes_nothing(session: Session) -> None:
    competition_id = _competition(session)
    rule_set_id = copy_preset_to_competition(session, competition_id, "provincial_class_1", name="省赛规则")
    before = rule_set_to_dict(load_rule_set(session, rule_set_id))
    records_before = session.scalar(select(func.count()).select_from(AuditRecord))
    bad = copy.deepcopy(before)
    bad_scoring: Any = bad["scoring"]
    bad_scoring["components"][0]["weight"] = "0.5"
    bad["tier_class"] = "class_3"
    with pytest.raises(RuleFileError) as caught:
        update_rule_set(session, rule_set_id, bad)
    assert len(caught.value.problems) == 2
    assert str(caught.value).startswith(f"规则集 #{rule_set_id}“省赛规则”（第 1 版）: ")
    session.expire_all()
    row = session.get(RuleSetRow, rule_set_id)
    assert row is not None and row.version == 1
    assert row.settings == before
    assert session.scalar(select(func.count()).select_from(AuditRecord)) == records_before


def test_a_broken_stored_copy_names_the_rule_set(session: Session) -> None:
    competition_id = _competition(session)
    rule_set_id = copy_preset_to_competition(session, competition_id, "enterprise", name="企业规则")
    row = session.get(RuleSetRow, rule_set_id)
    assert row is not None
    broken = copy.deepcopy(row.settings)
    broken["awards"]["tiers"][0]["count"] = "一名"
    row.settings = broken
    session.flush()
    session.expire_all()
    with pytest.raises(RuleFileError) as caught:
        load_rule_set(session, rule_set_id)
    assert str(caught.value) == (
        f'规则集 #{rule_set_id}“企业规则”（第 1 版）: awards.tiers[0].count（奖项名额）：应为整数，实际为文本 "一名"'
    )


# --- the command line ------------------------------------------------------------------------


def _run(*argv: str) -> tuple[int, str, str]:
    """Parse as ``competition-app`` will once ``rules`` is registered, then run the handler."""
    parser = argparse.ArgumentParser(prog="competition-app")
    add_rules_command(parser.add_subparsers(dest="command", metavar="COMMAND"))
    out, err = io.StringIO(), io.StringIO()
    code = run_rules_command(parser.parse_args(list(argv)), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_cli_rules_list() -> None:
    code, out, err = _run("rules", "list")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].split() == ["键", "名称", "层级"]
    assert len(lines) == 1 + len(PRESET_KEYS)
    jining = next(line for line in lines if line.startswith("municipal_class_1_jining "))
    assert "济宁市“运河之星”职业技能大赛（市级一类）" in jining and jining.endswith("市级一类")


def test_cli_rules_show() -> None:
    code, out, _err = _run("rules", "show", "national_comprehensive")
    assert code == 0
    assert out == describe_rule_set(load_preset("national_comprehensive")) + "\n"


def test_cli_rules_show_unknown_preset_exits_2_in_chinese() -> None:
    code, out, err = _run("rules", "show", "nope")
    assert (code, out) == (2, "")
    assert "没有名为 “nope” 的规则预设" in err and "worldskills" in err


def test_cli_rules_needs_an_action() -> None:
    with pytest.raises(SystemExit) as caught:
        _run("rules")
    assert caught.value.code == 2
