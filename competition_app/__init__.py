"""职业技能竞赛管理 — the Qt-free core: domain, rules, scoring, services, import/export, PDF, CLI."""

__version__ = "0.1.0"
