"""Pinyin-initials search keys for Chinese names (张三 → zs).

A plain pinyin conversion reads many surnames as the common word (曾 → ceng,
单 → dan).  The surname gets its surname reading first; the common reading and
other readings are kept as extra keys, so a clerk who types either reading still
finds the person (DOMAIN.md §1).
"""
from __future__ import annotations

from itertools import product

from pypinyin import Style, lazy_pinyin, pinyin

# Compound surnames (复姓) and their initials.
COMPOUND_SURNAMES: dict[str, tuple[str, ...]] = {
    "尉迟": ("yc", "wc"), "万俟": ("mq", "wq"), "长孙": ("zs", "cs"), "澹台": ("tt", "dt"),
    "令狐": ("lh",), "欧阳": ("oy",), "司马": ("sm",), "上官": ("sg",), "诸葛": ("zg",),
    "东方": ("df",), "皇甫": ("hf",), "公孙": ("gs",), "慕容": ("mr",), "宇文": ("yw",),
    "司徒": ("st",), "夏侯": ("xh",), "轩辕": ("xy",), "端木": ("dm",), "单于": ("cy", "sy", "dy"),
}

# Single-character surnames whose surname reading differs from the common one.
# First entry is the surname reading; the rest keep the other readings findable.
SURNAME_INITIALS: dict[str, tuple[str, ...]] = {
    "曾": ("z", "c"), "单": ("s", "d"), "解": ("x", "j"), "仇": ("q", "c"), "查": ("z", "c"),
    "区": ("o", "q"), "朴": ("p",), "覃": ("q", "t"), "缪": ("m",), "秘": ("b", "m"),
    "盖": ("g",), "乐": ("y", "l"), "翟": ("z", "d"), "柏": ("b",), "种": ("c", "z"),
    "员": ("y",), "召": ("s", "z"), "折": ("s", "z"), "牟": ("m",), "句": ("g", "j"),
    "能": ("n",), "眭": ("s",), "祭": ("z", "j"), "冼": ("x",), "任": ("r",), "华": ("h",),
    "相": ("x",), "那": ("n",), "藏": ("z", "c"), "隗": ("w", "k"), "谌": ("c", "s"),
    "重": ("c", "z"), "沈": ("s",), "薄": ("b",), "繁": ("p", "f"), "宁": ("n",), "纪": ("j",),
    "石": ("s", "d"), "长": ("c", "z"), "行": ("x", "h"), "尉": ("y", "w"), "过": ("g",),
    "阚": ("k",), "都": ("d",), "燕": ("y",), "葛": ("g",), "参": ("c", "s"),
}

MAX_VARIANTS = 8

# Full surname readings, for sorting in pinyin order (曾 sorts as zeng, not ceng).
SURNAME_READINGS: dict[str, str] = {
    "尉迟": "yu chi", "万俟": "mo qi", "长孙": "zhang sun", "澹台": "tan tai", "单于": "chan yu",
    "曾": "zeng", "单": "shan", "解": "xie", "仇": "qiu", "查": "zha", "区": "ou", "朴": "piao",
    "覃": "qin", "缪": "miao", "秘": "bi", "盖": "ge", "乐": "yue", "翟": "zhai", "柏": "bai",
    "种": "chong", "员": "yun", "召": "shao", "折": "she", "牟": "mou", "句": "gou", "能": "nai",
    "眭": "sui", "祭": "zhai", "冼": "xian", "任": "ren", "华": "hua", "相": "xiang", "那": "na",
    "藏": "zang", "隗": "wei", "谌": "chen", "重": "chong", "沈": "shen", "薄": "bo", "繁": "po",
    "宁": "ning", "纪": "ji", "石": "shi", "长": "chang", "行": "xing", "尉": "yu", "过": "guo",
    "阚": "kan", "都": "du", "燕": "yan", "葛": "ge", "参": "can",
}


def _char_initials(ch: str) -> tuple[str, ...]:
    readings = pinyin(ch, style=Style.FIRST_LETTER, heteronym=True, errors="ignore")
    if not readings or not readings[0]:
        return (ch.lower(),) if ch.isascii() and ch.isalnum() else ("",)
    seen: list[str] = []
    for r in readings[0]:
        r = r.lower()
        if r and r not in seen:
            seen.append(r)
    return tuple(seen)


def _given_initials(given: str) -> list[tuple[str, ...]]:
    """Initials per given-name character, the in-context reading first."""
    common = pinyin(given, style=Style.FIRST_LETTER, errors="ignore")
    out: list[tuple[str, ...]] = []
    chars = [c for c in given if not c.isspace() and c not in "·•."]
    for i, ch in enumerate(chars):
        first = common[i][0].lower() if i < len(common) and common[i] else ""
        alts = _char_initials(ch)
        ordered = tuple(dict.fromkeys([first, *alts])) if first else alts
        out.append(ordered)
    return out


def initials_variants(name: str) -> list[str]:
    """All initials keys for a name, the most likely reading first."""
    name = (name or "").strip()
    if not name:
        return []
    if name[:2] in COMPOUND_SURNAMES:
        surname, given = COMPOUND_SURNAMES[name[:2]], name[2:]
    elif name[0] in SURNAME_INITIALS:
        surname, given = SURNAME_INITIALS[name[0]], name[1:]
    else:
        # Not a surname with a special reading: its common reading only.
        surname, given = _char_initials(name[0])[:1], name[1:]
    given_parts = _given_initials(given)
    parts = [surname, *given_parts]
    # Every surname reading with the in-context given-name reading comes first,
    # so MAX_VARIANTS never cuts off the common reading of the surname.
    likely_given = "".join(p[0] for p in given_parts if p)
    keys: list[str] = [s + likely_given for s in dict.fromkeys(surname) if s + likely_given]
    for combo in product(*parts):
        key = "".join(combo)
        if key and key not in keys:
            keys.append(key)
        if len(keys) >= MAX_VARIANTS:
            break
    return keys


def initials_key(name: str) -> str:
    """Stored search key: variants separated by spaces, with a leading space.

    Searching ``LIKE '% zs%'`` finds every name one of whose readings starts
    with the typed initials.
    """
    variants = initials_variants(name)
    return (" " + " ".join(variants)) if variants else ""


def sort_key(name: str) -> str:
    """Full pinyin with the surname reading, for ordering lists: 曹杰斌 → 'cao jie bin'
    sorts before 陈洁 → 'chen jie' (initials alone would put cj before cjb)."""
    name = (name or "").strip()
    if not name:
        return ""
    for length in (2, 1):
        head = name[:length]
        if head in SURNAME_READINGS:
            rest = name[length:]
            break
    else:
        head, rest = "", name
    syllables = [SURNAME_READINGS[head]] if head else []
    syllables += [p.lower() for p in lazy_pinyin(rest, errors=lambda chars: list(chars))]
    return " ".join(syllables)


def looks_like_initials(text: str) -> bool:
    return bool(text) and text.isascii() and text.isalpha()
