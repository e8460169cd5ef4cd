"""Pinyin search keys for Chinese names: 张三 is found by "zs", "zhangsan" or "zhang".

A key is computed once, when a name is stored (``people.name_pinyin``), so searching 100,000
people is a substring test, not a pinyin conversion. Characters are converted one at a time
through a cache: names repeat few characters, so a 10,000-row import converts a few thousand
distinct characters instead of 10,000 names (pypinyin takes ~0.1 ms per name).

Surnames with a special reading (单 shàn, 曾 zēng, 解 xiè …) get their surname reading as well
as the everyday one, so both "sxx" and "dxx" find 单雄信.
"""

from __future__ import annotations

import importlib.util
import unicodedata
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

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


@lru_cache(maxsize=1)
def _readings() -> Mapping[int, str]:
    """pypinyin's table of single characters (code point → "zhāng,zhǎng"), loaded on its own.

    Importing the pypinyin package loads its phrase dictionary too (~0.3 s, a sixth of a 10,000-row
    import); a name is read character by character, so the character table (~0.06 s) is all we
    need. Should a future pypinyin move the file, the package's own API is used instead.
    """
    spec = importlib.util.find_spec("pypinyin")
    if spec is None or spec.origin is None:
        return {}
    path = Path(spec.origin).with_name("pinyin_dict.py")
    table_spec = importlib.util.spec_from_file_location("_competition_app_pinyin_chars", path)
    if not path.exists() or table_spec is None or table_spec.loader is None:
        return {}
    module = importlib.util.module_from_spec(table_spec)
    table_spec.loader.exec_module(module)
    table: Mapping[int, str] = module.pinyin_dict
    return table


def _toneless(reading: str) -> str:
    """ "lǜ" → "lv", "zhāng" → "zhang" (pypinyin's NORMAL style: ü written v)."""
    decomposed = unicodedata.normalize("NFD", reading).replace("u\u0308", "v")
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@lru_cache(maxsize=20_000)
def _reading(char: str) -> str:
    """The everyday toneless reading of one character (the first in pypinyin's table, as
    pypinyin reads a character on its own); the character itself when it has none (Latin
    letters, digits, ·)."""
    if not "\u3400" <= char <= "\u9fff":
        return char.lower()
    readings = _readings()
    if readings:
        found = readings.get(ord(char))
        return _toneless(found.split(",")[0]).lower() if found else char
    from pypinyin import Style, lazy_pinyin

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
