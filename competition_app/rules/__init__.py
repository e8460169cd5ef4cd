"""The rules engine: from marks to totals, ranks, awards, titles, promotion and designations.

Pure functions over plain frozen dataclasses — no database, no Qt — so every outcome can be
tested with worked examples and properties, and explained in Chinese.
"""
