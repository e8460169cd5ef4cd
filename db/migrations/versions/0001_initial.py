"""initial schema for the whole product

Revision ID: 0001_initial
Revises:
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import db.types

revision: str = "0001_initial"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "app_settings",
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column(
            "value", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_app_settings")),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(length=60), nullable=True),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("entity_type", sa.String(length=60), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=True),
        sa.Column("competition_id", sa.Integer(), nullable=True),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column(
            "old_value", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=True
        ),
        sa.Column(
            "new_value", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=True
        ),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
        sa.UniqueConstraint("hash", name=op.f("uq_audit_log_hash")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_competition_id"), ["competition_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_event_id"), ["event_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_person_id"), ["person_id"], unique=False)

    op.create_table(
        "certificate_counters",
        sa.Column("prefix", sa.String(length=60), nullable=False),
        sa.Column("next_value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("prefix", name=op.f("pk_certificate_counters")),
    )
    op.create_table(
        "competitions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("short_name", sa.String(length=60), nullable=True),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("edition", sa.Integer(), nullable=True, comment="届次"),
        sa.Column(
            "level",
            sa.Enum(
                "world",
                "national",
                "provincial",
                "municipal",
                "industry",
                "enterprise",
                "school",
                name="level",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "tier_class",
            sa.Enum("none", "comprehensive", "class_1", "class_2", name="tierclass", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("region", sa.String(length=100), nullable=True, comment="举办地区，如 济宁市"),
        sa.Column("organiser", sa.String(length=200), nullable=True, comment="主办单位"),
        sa.Column("host", sa.String(length=200), nullable=True, comment="承办单位"),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "planning",
                "registration",
                "running",
                "finished",
                name="competitionstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "certificate_number_format",
            sa.String(length=100),
            nullable=True,
            comment="证书编号格式，如 JN{year}-{event_code}-{seq:04d}",
        ),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "end_date IS NULL OR start_date IS NULL OR end_date >= start_date",
            name=op.f("ck_competitions_dates_in_order"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_competitions")),
        sa.UniqueConstraint("name", name=op.f("uq_competitions_name")),
    )
    op.create_table(
        "printer_calibrations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("printer_name", sa.String(length=200), nullable=False),
        sa.Column("offset_x_mm", db.types.ExactDecimal(precision=6, scale=2), nullable=False),
        sa.Column("offset_y_mm", db.types.ExactDecimal(precision=6, scale=2), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_printer_calibrations")),
        sa.UniqueConstraint("printer_name", name=op.f("uq_printer_calibrations_printer_name")),
    )
    op.create_table(
        "units",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("region", sa.String(length=100), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=True, comment="企业 / 院校 / 机关事业单位 …"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_units")),
        sa.UniqueConstraint("name", name=op.f("uq_units_name")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=60), nullable=False),
        sa.Column("display_name", sa.String(length=60), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True, comment="argon2id"),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_login_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "certificate_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("competition_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False, comment="award | title | participation …"),
        sa.Column(
            "layout",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
            comment="texts, positions, fonts",
        ),
        sa.Column("background", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["competition_id"],
            ["competitions.id"],
            name=op.f("fk_certificate_templates_competition_id_competitions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificate_templates")),
    )
    op.create_table(
        "judges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("competition_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("id_number", sa.String(length=40), nullable=True),
        sa.Column("phone", sa.String(length=30), nullable=True),
        sa.Column("title", sa.String(length=60), nullable=True, comment="职称/资格"),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["competition_id"],
            ["competitions.id"],
            name=op.f("fk_judges_competition_id_competitions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_judges_unit_id_units"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_judges_user_id_users"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_judges")),
        sa.UniqueConstraint("competition_id", "id_number", name=op.f("uq_judges_competition_id_id_number")),
    )
    with op.batch_alter_table("judges", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_judges_competition_id"), ["competition_id"], unique=False)

    op.create_table(
        "people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "id_type",
            sa.Enum("resident_id", "hmt_residence", "passport", name="idtype", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("id_number", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("gender", sa.Enum("male", "female", name="gender", native_enum=False, length=32), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("phone", sa.String(length=30), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("region", sa.String(length=100), nullable=True),
        sa.Column(
            "status",
            sa.Enum("worker", "teacher", "student", "other", name="personstatus", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column(
            "skill_level",
            sa.Enum(
                "apprentice",
                "level_5",
                "level_4",
                "level_3",
                "level_2",
                "level_1",
                "special",
                "chief",
                name="skilllevel",
                native_enum=False,
                length=32,
            ),
            nullable=True,
            comment="current 职业技能等级",
        ),
        sa.Column("skill_certificate_no", sa.String(length=40), nullable=True),
        sa.Column("created_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_people_unit_id_units"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
        sa.UniqueConstraint("id_type", "id_number", name=op.f("uq_people_id_type_id_number")),
    )
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_people_name"), ["name"], unique=False)
        batch_op.create_index(batch_op.f("ix_people_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "rule_sets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("competition_id", sa.Integer(), nullable=False),
        sa.Column("preset_key", sa.String(length=80), nullable=False, comment="copied from this preset"),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False, comment="bumped on every edit; snapshots record it"),
        sa.Column(
            "settings", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column("provenance", sa.Text(), nullable=True),
        sa.Column("created_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["competition_id"],
            ["competitions.id"],
            name=op.f("fk_rule_sets_competition_id_competitions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rule_sets")),
        sa.UniqueConstraint("competition_id", "name", name=op.f("uq_rule_sets_competition_id_name")),
    )
    with op.batch_alter_table("rule_sets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rule_sets_competition_id"), ["competition_id"], unique=False)

    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("competition_id", sa.Integer(), nullable=False),
        sa.Column("rule_set_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("occupation", sa.String(length=120), nullable=False, comment="职业（工种）"),
        sa.Column("occupation_code", sa.String(length=20), nullable=True, comment="职业编码，如 6-18-02-04"),
        sa.Column("code", sa.String(length=20), nullable=True, comment="short code for numbers, e.g. HG"),
        sa.Column(
            "tier_class",
            sa.Enum("none", "comprehensive", "class_1", "class_2", name="tierclass", native_enum=False, length=32),
            nullable=True,
            comment="overrides the competition's class",
        ),
        sa.Column(
            "kind", sa.Enum("individual", "team", name="eventkind", native_enum=False, length=32), nullable=False
        ),
        sa.Column("team_size", sa.Integer(), nullable=False),
        sa.Column("anonymous_marking", sa.Boolean(), nullable=False),
        sa.Column("anon_revealed_at", db.types.UTCDateTime(timezone=True), nullable=True, comment="裁判长解密 time"),
        sa.Column("min_age", sa.Integer(), nullable=True),
        sa.Column("max_age", sa.Integer(), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("registration_open", sa.Boolean(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "min_age IS NULL OR max_age IS NULL OR max_age >= min_age", name=op.f("ck_events_ages_in_order")
        ),
        sa.CheckConstraint("team_size >= 1", name=op.f("ck_events_team_size_positive")),
        sa.ForeignKeyConstraint(
            ["competition_id"],
            ["competitions.id"],
            name=op.f("fk_events_competition_id_competitions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["rule_set_id"], ["rule_sets.id"], name=op.f("fk_events_rule_set_id_rule_sets"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
        sa.UniqueConstraint("competition_id", "name", name=op.f("uq_events_competition_id_name")),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_events_competition_id"), ["competition_id"], unique=False)

    op.create_table(
        "components",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("theory", "practical", "defence", "other", name="componentkind", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("weight", db.types.ExactDecimal(precision=7, scale=4), nullable=False),
        sa.Column("max_score", db.types.ExactDecimal(precision=9, scale=3), nullable=False),
        sa.Column(
            "panel_method",
            sa.Enum(
                "single",
                "mean",
                "trimmed_mean",
                "median",
                "worldskills",
                name="panelmethod",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("panel_size", sa.Integer(), nullable=False),
        sa.Column("decimals", sa.Integer(), nullable=False, comment="decimal places a judge may key"),
        sa.Column(
            "spread_threshold",
            db.types.ExactDecimal(precision=9, scale=3),
            nullable=True,
            comment="flag panels differing by more",
        ),
        sa.Column("time_limit_minutes", sa.Integer(), nullable=True),
        sa.Column("team_scored", sa.Boolean(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.CheckConstraint("CAST(max_score AS REAL) > 0", name=op.f("ck_components_max_positive")),
        sa.CheckConstraint("CAST(weight AS REAL) BETWEEN 0 AND 1", name=op.f("ck_components_weight_fraction")),
        sa.CheckConstraint("panel_size >= 1", name=op.f("ck_components_panel_positive")),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_components_event_id_events"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_components")),
        sa.UniqueConstraint("event_id", "name", name=op.f("uq_components_event_id_name")),
    )
    with op.batch_alter_table("components", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_components_event_id"), ["event_id"], unique=False)

    op.create_table(
        "draws",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind", sa.Enum("station", "anon_code", name="drawkind", native_enum=False, length=32), nullable=False
        ),
        sa.Column("seed", sa.String(length=64), nullable=False),
        sa.Column(
            "result",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
            comment="entry id → drawn value",
        ),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True, comment="required for a redraw"),
        sa.Column("drawn_by_id", sa.Integer(), nullable=True),
        sa.Column("drawn_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["drawn_by_id"], ["users.id"], name=op.f("fk_draws_drawn_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], name=op.f("fk_draws_event_id_events"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_draws")),
    )
    with op.batch_alter_table("draws", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_draws_event_id"), ["event_id"], unique=False)

    op.create_table(
        "event_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column(
            "allowed_statuses",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
            comment="PersonStatus codes; [] = any",
        ),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_event_groups_event_id_events"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_groups")),
        sa.UniqueConstraint("event_id", "name", name=op.f("uq_event_groups_event_id_name")),
        sa.UniqueConstraint("id", "event_id", name=op.f("uq_event_groups_id_event_id")),
    )
    op.create_table(
        "user_roles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum("admin", "organiser", "chief_judge", "judge", "clerk", name="role", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("competition_id", sa.Integer(), nullable=True),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["competition_id"],
            ["competitions.id"],
            name=op.f("fk_user_roles_competition_id_competitions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_user_roles_event_id_events"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_roles_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_roles")),
    )
    with op.batch_alter_table("user_roles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_roles_user_id"), ["user_id"], unique=False)

    op.create_table(
        "judge_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("judge_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("component_id", sa.Integer(), nullable=True),
        sa.Column(
            "role",
            sa.Enum("admin", "organiser", "chief_judge", "judge", "clerk", name="role", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("seat", sa.Integer(), nullable=True, comment="panel position 1..n"),
        sa.ForeignKeyConstraint(
            ["component_id"],
            ["components.id"],
            name=op.f("fk_judge_assignments_component_id_components"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_judge_assignments_event_id_events"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["judge_id"], ["judges.id"], name=op.f("fk_judge_assignments_judge_id_judges"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_judge_assignments")),
    )
    with op.batch_alter_table("judge_assignments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_judge_assignments_event_id"), ["event_id"], unique=False)

    op.create_table(
        "marking_aspects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("component_id", sa.Integer(), nullable=False),
        sa.Column("criterion_code", sa.String(length=10), nullable=False),
        sa.Column("criterion_name", sa.String(length=200), nullable=False),
        sa.Column("sub_criterion_code", sa.String(length=20), nullable=False),
        sa.Column("sub_criterion_name", sa.String(length=300), nullable=False),
        sa.Column("aspect_type", sa.Enum("M", "J", name="aspecttype", native_enum=False, length=32), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("requirement", sa.Text(), nullable=True),
        sa.Column("max_mark", db.types.ExactDecimal(precision=9, scale=3), nullable=False),
        sa.Column("wsos_section", sa.Integer(), nullable=True),
        sa.Column("calculation", sa.String(length=60), nullable=True, comment="deduction type for M aspects"),
        sa.Column(
            "descriptors",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
            comment="J: descriptors for 0..3",
        ),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["component_id"],
            ["components.id"],
            name=op.f("fk_marking_aspects_component_id_components"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_marking_aspects")),
    )
    with op.batch_alter_table("marking_aspects", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_marking_aspects_component_id"), ["component_id"], unique=False)

    op.create_table(
        "result_snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("computed_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("computed_by_id", sa.Integer(), nullable=True),
        sa.Column("rule_set_version", sa.Integer(), nullable=False),
        sa.Column("scores_fingerprint", sa.String(length=64), nullable=False),
        sa.Column("is_stale", sa.Boolean(), nullable=False),
        sa.Column(
            "summary", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["computed_by_id"], ["users.id"], name=op.f("fk_result_snapshots_computed_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_result_snapshots_event_id_events"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["event_groups.id"],
            name=op.f("fk_result_snapshots_group_id_event_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_result_snapshots")),
    )
    with op.batch_alter_table("result_snapshots", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_result_snapshots_event_id"), ["event_id"], unique=False)

    op.create_table(
        "score_sheets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("component_id", sa.Integer(), nullable=False),
        sa.Column(
            "state",
            sa.Enum("entering", "verified", "locked", "published", name="sheetstate", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("double_entry", sa.Boolean(), nullable=False, comment="else single entry + read-back"),
        sa.Column("verified_by_id", sa.Integer(), nullable=True),
        sa.Column("verified_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("locked_by_id", sa.Integer(), nullable=True),
        sa.Column("locked_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("fingerprint", sa.String(length=64), nullable=True, comment="SHA-256 of the locked marks"),
        sa.Column("published_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["component_id"],
            ["components.id"],
            name=op.f("fk_score_sheets_component_id_components"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_score_sheets_event_id_events"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["locked_by_id"], ["users.id"], name=op.f("fk_score_sheets_locked_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["verified_by_id"], ["users.id"], name=op.f("fk_score_sheets_verified_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_score_sheets")),
        sa.UniqueConstraint("component_id", name=op.f("uq_score_sheets_component_id")),
    )
    with op.batch_alter_table("score_sheets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_score_sheets_event_id"), ["event_id"], unique=False)

    op.create_table(
        "teams",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("bib", sa.String(length=20), nullable=True),
        sa.Column("station", sa.String(length=20), nullable=True),
        sa.Column("anon_code", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"], name=op.f("fk_teams_event_id_events"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["group_id", "event_id"],
            ["event_groups.id", "event_groups.event_id"],
            name=op.f("fk_teams_group_id_event_id_event_groups"),
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_teams_unit_id_units"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_teams")),
        sa.UniqueConstraint("event_id", "name", name=op.f("uq_teams_event_id_name")),
        sa.UniqueConstraint("id", "event_id", name=op.f("uq_teams_id_event_id")),
    )
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_teams_event_id"), ["event_id"], unique=False)

    op.create_table(
        "tie_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("context", sa.String(length=40), nullable=False, comment="rank | cutoff:<rule>"),
        sa.Column(
            "entry_ids", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column(
            "decided_order",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_tie_decisions_decided_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_tie_decisions_event_id_events"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["group_id"], ["event_groups.id"], name=op.f("fk_tie_decisions_group_id_event_groups"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tie_decisions")),
    )
    with op.batch_alter_table("tie_decisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tie_decisions_event_id"), ["event_id"], unique=False)

    op.create_table(
        "entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=True, comment="the unit at registration time"),
        sa.Column(
            "status",
            sa.Enum(
                "registered",
                "checked_in",
                "withdrawn",
                "disqualified",
                name="entrystatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("bib", sa.String(length=20), nullable=True),
        sa.Column("station", sa.String(length=20), nullable=True),
        sa.Column("anon_code", sa.String(length=20), nullable=True),
        sa.Column(
            "skill_level_at_entry",
            sa.Enum(
                "apprentice",
                "level_5",
                "level_4",
                "level_3",
                "level_2",
                "level_1",
                "special",
                "chief",
                name="skilllevel",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column(
            "practical_seconds",
            db.types.ExactDecimal(precision=9, scale=3),
            nullable=True,
            comment="实操用时, a tie-breaker",
        ),
        sa.Column("registered_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("checked_in_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_entries_event_id_events"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["group_id", "event_id"],
            ["event_groups.id", "event_groups.event_id"],
            name=op.f("fk_entries_group_id_event_id_event_groups"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_entries_person_id_people"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["team_id", "event_id"], ["teams.id", "teams.event_id"], name=op.f("fk_entries_team_id_event_id_teams")
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_entries_unit_id_units"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entries")),
        sa.UniqueConstraint("event_id", "anon_code", name=op.f("uq_entries_event_id_anon_code")),
        sa.UniqueConstraint("event_id", "bib", name=op.f("uq_entries_event_id_bib")),
        sa.UniqueConstraint("event_id", "person_id", name=op.f("uq_entries_event_id_person_id")),
        sa.UniqueConstraint("event_id", "station", name=op.f("uq_entries_event_id_station")),
    )
    with op.batch_alter_table("entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_entries_event_id"), ["event_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_entries_group_id"), ["group_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_entries_person_id"), ["person_id"], unique=False)

    op.create_table(
        "certificates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=60), nullable=False),
        sa.Column("competition_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("entry_id", sa.Integer(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("template_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("holder_name", sa.String(length=60), nullable=False),
        sa.Column("unit_name", sa.String(length=200), nullable=True),
        sa.Column("award_text", sa.String(length=200), nullable=False),
        sa.Column("signature", sa.String(length=128), nullable=False, comment="HMAC for offline QR verification"),
        sa.Column(
            "status",
            sa.Enum("issued", "voided", name="certificatestatus", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("issued_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.Column("voided_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("voided_by_id", sa.Integer(), nullable=True),
        sa.Column("void_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["competition_id"],
            ["competitions.id"],
            name=op.f("fk_certificates_competition_id_competitions"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["entries.id"], name=op.f("fk_certificates_entry_id_entries"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_certificates_event_id_events"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["issued_by_id"], ["users.id"], name=op.f("fk_certificates_issued_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_certificates_person_id_people"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["certificate_templates.id"],
            name=op.f("fk_certificates_template_id_certificate_templates"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["voided_by_id"], ["users.id"], name=op.f("fk_certificates_voided_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificates")),
        sa.UniqueConstraint("number", name=op.f("uq_certificates_number")),
    )
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_certificates_competition_id"), ["competition_id"], unique=False)

    op.create_table(
        "person_achievements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("title", "promotion", "award", name="achievementkind", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column(
            "skill_level",
            sa.Enum(
                "apprentice",
                "level_5",
                "level_4",
                "level_3",
                "level_2",
                "level_1",
                "special",
                "chief",
                name="skilllevel",
                native_enum=False,
                length=32,
            ),
            nullable=True,
            comment="for promotions: the level reached",
        ),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("achieved_on", sa.Date(), nullable=True),
        sa.Column("competition_id", sa.Integer(), nullable=True),
        sa.Column("entry_id", sa.Integer(), nullable=True),
        sa.Column("issuer", sa.String(length=200), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["competition_id"],
            ["competitions.id"],
            name=op.f("fk_person_achievements_competition_id_competitions"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["entries.id"], name=op.f("fk_person_achievements_entry_id_entries"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_person_achievements_person_id_people"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_achievements")),
    )
    with op.batch_alter_table("person_achievements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_person_achievements_person_id"), ["person_id"], unique=False)

    op.create_table(
        "result_rows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=True),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.Column("shared_rank", sa.Boolean(), nullable=False),
        sa.Column("total", db.types.ExactDecimal(precision=9, scale=3), nullable=True),
        sa.Column(
            "components",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
            comment="name → decimal string",
        ),
        sa.Column("award", sa.String(length=40), nullable=True),
        sa.Column(
            "titles", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column(
            "promotion",
            sa.Enum(
                "apprentice",
                "level_5",
                "level_4",
                "level_3",
                "level_2",
                "level_1",
                "special",
                "chief",
                name="skilllevel",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column(
            "designations",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "explanation", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["entries.id"], name=op.f("fk_result_rows_entry_id_entries"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["snapshot_id"],
            ["result_snapshots.id"],
            name=op.f("fk_result_rows_snapshot_id_result_snapshots"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_result_rows_team_id_teams"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_result_rows")),
    )
    with op.batch_alter_table("result_rows", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_result_rows_snapshot_id"), ["snapshot_id"], unique=False)

    op.create_table(
        "scores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=True),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("component_id", sa.Integer(), nullable=False),
        sa.Column("judge_id", sa.Integer(), nullable=True),
        sa.Column("aspect_id", sa.Integer(), nullable=True),
        sa.Column("pass_no", sa.Integer(), nullable=False),
        sa.Column("value", db.types.ExactDecimal(precision=9, scale=3), nullable=False),
        sa.Column(
            "state",
            sa.Enum("entered", "verified", "locked", name="scorestate", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("entered_by_id", sa.Integer(), nullable=True),
        sa.Column("entered_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("verified_by_id", sa.Integer(), nullable=True),
        sa.Column("verified_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.CheckConstraint("(entry_id IS NULL) <> (team_id IS NULL)", name=op.f("ck_scores_entry_or_team")),
        sa.CheckConstraint("CAST(value AS REAL) >= 0", name=op.f("ck_scores_value_not_negative")),
        sa.CheckConstraint("pass_no IN (1, 2)", name=op.f("ck_scores_pass_one_or_two")),
        sa.ForeignKeyConstraint(
            ["aspect_id"], ["marking_aspects.id"], name=op.f("fk_scores_aspect_id_marking_aspects"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["component_id"], ["components.id"], name=op.f("fk_scores_component_id_components"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["entered_by_id"], ["users.id"], name=op.f("fk_scores_entered_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["entries.id"], name=op.f("fk_scores_entry_id_entries"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["judge_id"], ["judges.id"], name=op.f("fk_scores_judge_id_judges"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_scores_team_id_teams"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["verified_by_id"], ["users.id"], name=op.f("fk_scores_verified_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scores")),
    )
    with op.batch_alter_table("scores", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_scores_component_id"), ["component_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_scores_entry_id"), ["entry_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_scores_team_id"), ["team_id"], unique=False)

    op.create_table(
        "certificate_prints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("certificate_id", sa.Integer(), nullable=False),
        sa.Column("printed_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("printed_by_id", sa.Integer(), nullable=True),
        sa.Column("printer_name", sa.String(length=200), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["certificate_id"],
            ["certificates.id"],
            name=op.f("fk_certificate_prints_certificate_id_certificates"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["printed_by_id"], ["users.id"], name=op.f("fk_certificate_prints_printed_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificate_prints")),
    )
    with op.batch_alter_table("certificate_prints", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_certificate_prints_certificate_id"), ["certificate_id"], unique=False)

    # Expression indexes (autogenerate cannot compare these): one row per cell, NULL-safe.
    op.create_index(
        "uq_judge_assignments_cell",
        "judge_assignments",
        ["judge_id", "event_id", sa.text("coalesce(component_id, 0)")],
        unique=True,
    )
    op.create_index(
        "uq_scores_cell",
        "scores",
        [
            sa.text("coalesce(entry_id, 0)"),
            sa.text("coalesce(team_id, 0)"),
            "component_id",
            sa.text("coalesce(judge_id, 0)"),
            sa.text("coalesce(aspect_id, 0)"),
            "pass_no",
        ],
        unique=True,
    )
    _create_append_only_triggers()


APPEND_ONLY_MESSAGE = "audit_log is append-only"


def _create_append_only_triggers() -> None:
    """The audit log refuses UPDATE and DELETE at the database, whoever connects."""
    if op.get_context().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log "
                f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END"
            )
        return
    op.execute(
        "CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}'; END $$"
    )
    op.execute(
        "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()"
    )


def _drop_append_only_triggers() -> None:
    if op.get_context().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
        return
    op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
    op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")


def downgrade() -> None:
    _drop_append_only_triggers()
    op.drop_index("uq_scores_cell", table_name="scores")
    op.drop_index("uq_judge_assignments_cell", table_name="judge_assignments")
    with op.batch_alter_table("certificate_prints", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_certificate_prints_certificate_id"))

    op.drop_table("certificate_prints")
    with op.batch_alter_table("scores", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scores_team_id"))
        batch_op.drop_index(batch_op.f("ix_scores_entry_id"))
        batch_op.drop_index(batch_op.f("ix_scores_component_id"))

    op.drop_table("scores")
    with op.batch_alter_table("result_rows", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_result_rows_snapshot_id"))

    op.drop_table("result_rows")
    with op.batch_alter_table("person_achievements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_achievements_person_id"))

    op.drop_table("person_achievements")
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_certificates_competition_id"))

    op.drop_table("certificates")
    with op.batch_alter_table("entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_entries_person_id"))
        batch_op.drop_index(batch_op.f("ix_entries_group_id"))
        batch_op.drop_index(batch_op.f("ix_entries_event_id"))

    op.drop_table("entries")
    with op.batch_alter_table("tie_decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tie_decisions_event_id"))

    op.drop_table("tie_decisions")
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_teams_event_id"))

    op.drop_table("teams")
    with op.batch_alter_table("score_sheets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_score_sheets_event_id"))

    op.drop_table("score_sheets")
    with op.batch_alter_table("result_snapshots", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_result_snapshots_event_id"))

    op.drop_table("result_snapshots")
    with op.batch_alter_table("marking_aspects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_marking_aspects_component_id"))

    op.drop_table("marking_aspects")
    with op.batch_alter_table("judge_assignments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_judge_assignments_event_id"))

    op.drop_table("judge_assignments")
    with op.batch_alter_table("user_roles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_roles_user_id"))

    op.drop_table("user_roles")
    op.drop_table("event_groups")
    with op.batch_alter_table("draws", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_draws_event_id"))

    op.drop_table("draws")
    with op.batch_alter_table("components", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_components_event_id"))

    op.drop_table("components")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_events_competition_id"))

    op.drop_table("events")
    with op.batch_alter_table("rule_sets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rule_sets_competition_id"))

    op.drop_table("rule_sets")
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_people_unit_id"))
        batch_op.drop_index(batch_op.f("ix_people_name"))

    op.drop_table("people")
    with op.batch_alter_table("judges", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_judges_competition_id"))

    op.drop_table("judges")
    op.drop_table("certificate_templates")
    op.drop_table("users")
    op.drop_table("units")
    op.drop_table("printer_calibrations")
    op.drop_table("competitions")
    op.drop_table("certificate_counters")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_person_id"))
        batch_op.drop_index(batch_op.f("ix_audit_log_event_id"))
        batch_op.drop_index(batch_op.f("ix_audit_log_competition_id"))

    op.drop_table("audit_log")
    op.drop_table("app_settings")
