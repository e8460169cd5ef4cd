"""Pinyin search keys for Chinese names: 张三 is found by "zs", "zhangsan" or "zhang".

A key is computed once, when a name is stored (``people.name_pinyin``), so searching 100,000
people is a substring test, not a pinyin conversion. Characters are converted one at a time
through a cache: names repeat few characters, so a 10,000-row import converts a few thousand
distinct characters instead of 10,000 names (pypinyin takes ~0.1 ms per name).

Surnames with a special reading (单 shàn, 曾 zēng, 解 xiè …) get their surname reading as well
as the everyday one, so both "sxx" and "dxx" find 单雄信.
"""

from __future__ import annotations

from functools import lru_cache

__all__ = ["name_search_key"]

# Surnames read differently from the character's most common reading (百家姓 readings).
_SURNAME_READINGS = {
    "单": "shan",
    "曾": "zeng",
    "解": "xie",
    "区": "ou",
    "查": "zha",
    "仇": "qiu",
    "朴": "piao",
    "乐": "yue",
    "盖": "ge",
    "召": "shao",
    "缪": "miao",
    "繁": "po",
    "秘": "bi",
    "覃": "qin",
    "尉": "yu",
    "长": "chang",
    "重": "chong",
    "种": "chong",
    "员": "yun",
    "万": "wan",
    "翟": "zhai",
    "牟": "mou",
    "宓": "mi",
    "柏": "bai",
    "薄": "bo",
}


@lru_cache(maxsize=20_000)
def _reading(char: str) -> str:
    """The everyday toneless reading of one character; the character itself when it has none
    (Latin letters, digits, ·)."""
    if not "\u3400" <= char <= "\u9fff":
        return char.lower()
    from pypinyin import Style, lazy_pinyin  # 0.3 s to import: only once names are stored

    return lazy_pinyin(char, style=Style.NORMAL, errors="default")[0].lower()


def name_search_key(name: str) -> str:
    """The text searched for ``name``: full pinyin and initials, e.g. 张三 → "zhangsan zs";
    a surname with its own reading adds that spelling (单雄信 → "danxiongxin dxx shanxiongxin sxx").

    Spaces and the middle dot of minority and foreign names (阿依古丽·买买提) are dropped.
    """
    chars = [char for char in name.strip() if char not in " ·•．.\u3000"]
    if not chars:
        return ""
    readings = [_reading(char) for char in chars]
    variants = [readings]
    surname = _SURNAME_READINGS.get(chars[0])
    if surname and surname != readings[0]:
        variants.append([surname, *readings[1:]])
    parts: list[str] = []
    for spelled in variants:
        parts.append("".join(spelled))
        parts.append("".join(reading[0] for reading in spelled if reading))
    return " ".join(parts)
