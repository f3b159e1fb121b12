"""Redaction of personal data in comments, before anything is shown, exported or kept for display.

Pure Python. ``redact(text, officer_names)`` returns the text with typed tokens in place of:

- ``[EMAIL]`` e-mail addresses;
- ``[BIỂN SỐ]`` licence plates (29A-123.45, 28B1-234.56, 51F 12345, 30E-1234);
- ``[MST]`` tax codes: 10 digits, or 10-3 digits (0101234567-001), after "MST"/"mã số thuế"/"tax code",
  and any 10-3 digit form;
- ``[CCCD]`` 12-digit citizen ID and 9-digit old ID (CMND) numbers;
- ``[SĐT]`` phone numbers: 0 or +84/84 then 9–10 digits, grouped by spaces, dots or dashes
  (0912 345 678, 0912.345.678, +84 912 345 678, 84912345678, 0218 3852 123);
- ``[TÊN]`` personal names after an address word (anh, chị, cô, chú, em, bác, ông, bà, cán bộ,
  nhân viên, …): one to four capitalised syllables, or a lower-case given name from the unit's officer
  list or from a list of common given names — with its diacritics when the word has any ("em hiểu",
  "thầy giảng", "em hài lòng" are no names; "em hieu" typed without diacritics may be, and is redacted).
  The formal "Ông/Bà" (meaning "you") is left alone, and so are words that follow address words as
  ordinary words ("anh ấy", "bà con", "chị hướng dẫn").

``mentions_person`` is true when a name was redacted or the text names an officer of the unit (full
name, or an address word + given name; a full name with or without diacritics, a given name as for ``[TÊN]``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from analysis.comments.normalise import _fold_word, fold

EMAIL = "[EMAIL]"
PLATE = "[BIỂN SỐ]"
TAX = "[MST]"
ID = "[CCCD]"
PHONE = "[SĐT]"
NAME = "[TÊN]"

_SEP = r"[ .\-]?"
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+", re.UNICODE), EMAIL),
    (re.compile(r"(?<![\w.])\d{2}[a-zđ]{1,2}\d?[ \-.]?\d{3}\.?\d{2}(?![\w])", re.IGNORECASE), PLATE),
    (re.compile(r"(?<![\w.])\d{2}[a-zđ]\d?-\d{4}(?![\w])", re.IGNORECASE), PLATE),
    (
        re.compile(
            r"(?:\b(?:mst|m\.s\.t|mã số thuế|ma so thue|tax code|tax id|tin)\b\W{0,3})\d{10}(?:-\d{3})?(?![\w])",
            re.IGNORECASE,
        ),
        TAX,
    ),
    (re.compile(r"(?<![\w])\d{10}-\d{3}(?![\w])"), TAX),
    (re.compile(r"(?<![\w+])\d{12}(?![\w])"), ID),
    (re.compile(r"(?<![\w+])(?:\+?84" + _SEP + r"|0)(?:\d" + _SEP + r"){8,9}\d(?![\w])"), PHONE),
    (re.compile(r"(?<![\w+])\d{9}(?![\w])"), ID),
    (re.compile(r"(?<![\w+])\d{10}(?![\w])"), TAX),
]

_MAYBE_NUMBER = re.compile(r"\d[\d .\-]{6,}\d|\d{2}[^\W\d_]")
_ADDRESS = (
    "cán bộ",
    "nhân viên",
    "công chức",
    "chuyên viên",
    "viên chức",
    "đồng chí",
    "kiểm soát viên",
    "anh",
    "chị",
    "cô",
    "chú",
    "em",
    "bác",
    "ông",
    "bà",
    "cậu",
    "dì",
    "thím",
    "mợ",
    "bạn",
    "thầy",
    "chế",
    "mr",
    "mrs",
    "ms",
    "miss",
    "officer",
)
_ADDRESS_FOLDED = sorted({fold(a) for a in _ADDRESS}, key=len, reverse=True)
# Words that follow an address word without being a name (pronouns, other address words, common verbs).
_NOT_NAME_WRITTEN = {
    w
    for w in (
        "ấy",
        "ta",
        "này",
        "kia",
        "đó",
        "ơi",
        "ạ",
        "à",
        "con",
        "em",
        "chị",
        "anh",
        "cô",
        "chú",
        "bác",
        "ông",
        "bà",
        "cháu",
        "và",
        "với",
        "cũng",
        "rất",
        "thì",
        "là",
        "đã",
        "đang",
        "sẽ",
        "có",
        "không",
        "chưa",
        "làm",
        "hướng",
        "tiếp",
        "giải",
        "nói",
        "hỏi",
        "bảo",
        "được",
        "nhiệt",
        "tận",
        "vui",
        "bộ",
        "viên",
        "chức",
        "ở",
        "tại",
        "trực",
        "trong",
        "khác",
        "nào",
        "mình",
        "họ",
        "the",
        "and",
        "was",
        "at",
        "is",
        "who",
        "in",
        "on",
        "were",
        "you",
        "very",
    )
}
_NOT_NAME_FOLDED = {fold(w) for w in _NOT_NAME_WRITTEN}
_ADDRESS_BY_FIRST: dict[str, list[tuple[str, ...]]] = {}
for _address in _ADDRESS_FOLDED:
    _ADDRESS_BY_FIRST.setdefault(_address.split(" ")[0], []).append(tuple(_address.split(" ")))
_ADDRESS_FIRST = {w.split(" ")[0] for w in _ADDRESS} | set(_ADDRESS_BY_FIRST)
_ADDRESS_FIRST |= {w.capitalize() for w in _ADDRESS_FIRST}
_ADDRESS_WORDS = {w for a in _ADDRESS for w in a.split(" ") if w.isascii()}  # "Anh", "Em", "Mr" are no names
_ENGLISH = {"the", "and", "was", "at", "is", "who", "in", "on", "were", "you", "very", "i", "he", "she"}
_MIDDLE = {"thị", "văn", "thi", "van"}
_GIVEN_NAMES = (
    "lan",
    "hùng",
    "minh",
    "hương",
    "tuấn",
    "linh",
    "trang",
    "thảo",
    "huyền",
    "hằng",
    "dũng",
    "nga",
    "mai",
    "loan",
    "phương",
    "quang",
    "hải",
    "thủy",
    "thuỷ",
    "hiếu",
    "long",
    "thắng",
    "vân",
    "yến",
    "hạnh",
    "nhung",
    "oanh",
    "tùng",
    "khoa",
    "duy",
    "trung",
    "cường",
    "sơn",
    "phúc",
    "đức",
    "hoàng",
    "hiền",
    "huệ",
    "liên",
    "ngọc",
    "quỳnh",
    "tâm",
    "thu",
    "thúy",
    "tú",
    "vy",
    "vinh",
    "khánh",
    "giang",
    "hòa",
    "hoà",
    "hưng",
    "kiên",
    "lâm",
    "lộc",
    "my",
    "nhàn",
    "phượng",
    "thơ",
    "tiến",
    "toàn",
    "trinh",
    "uyên",
    "việt",
    "xuân",
    "đạt",
    "định",
    "hậu",
    "hoa",
    "hà",
    "nam",
    "bình",
    "thanh",
    "thành",
    "huy",
    "phong",
)
_GIVEN = {fold(w) for w in _GIVEN_NAMES}
# As written: a word with diacritics is a given name only with the name's own ("hiểu" is not "Hiếu",
# "giảng" not "Giang", "hài" not "Hải"); a word typed without any is read by its folded form.
_GIVEN_WRITTEN = {unicodedata.normalize("NFC", w) for w in _GIVEN_NAMES}
_WORD = re.compile(r"[^\W\d_]+")
_SPACES = re.compile(r"\s+")


def _is_title(word: str) -> bool:
    return word[:1].isupper() and (len(word) == 1 or not word.isupper() or len(word) <= 2)


def _redact_names(text: str, officers: set[str]) -> tuple[str, bool]:
    if _ADDRESS_FIRST.isdisjoint(_WORD.findall(text.lower())):
        return text, False
    words = list(_WORD.finditer(text))
    found = False
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(words):
        if words[i].group().lower() not in _ADDRESS_FIRST:
            i += 1
            continue
        folded_here = _fold_word(words[i].group().lower())
        step = 0
        for parts in _ADDRESS_BY_FIRST.get(folded_here, ()):
            if [_fold_word(w.group().lower()) for w in words[i : i + len(parts)]] == list(parts):
                step = len(parts)
                break
        if not step:
            i += 1
            continue
        j = i + step
        if folded_here in ("ong", "ba") and _formal_you(text, words, i):
            j = i + 1
            while j < len(words) and _fold_word(words[j].group().lower()) in ("ong", "ba"):
                j += 1  # "Ông/Bà" names a person only when a full name (two or more capitals) follows
            if not all(_is_title(w.group()) for w in words[j : j + 2]) or len(words) < j + 2:
                i = j
                continue
        name_end = j
        while name_end < len(words) and name_end - j < 4:
            word = words[name_end].group()
            low = _fold_word(word.lower())
            gap = text[words[name_end - 1].end() : words[name_end].start()] if name_end > j else " "
            if _not_name(word, low) or gap != " ":
                break
            follows = name_end + 1 < len(words) and _is_title(words[name_end + 1].group())
            if name_end > j and word in _MIDDLE and follows:
                name_end += 1
                continue
            if _is_title(word) or (name_end == j and _given(word, low, officers)):
                name_end += 1
                continue
            break
        if name_end > j:
            spans.append((words[j].start(), words[name_end - 1].end()))
            found = True
        i = max(name_end, i + step)
    for start, end in reversed(spans):
        text = text[:start] + NAME + text[end:]
    return text, found


def _given(word: str, folded: str, officers: set[str]) -> bool:
    """A lower-case word is a given name: from the common list or the officers' (``officer_keys``: folded and
    as written), by its diacritics when it has any."""
    if word.isascii():
        return folded in officers or folded in _GIVEN
    written = unicodedata.normalize("NFC", word.lower())
    return written in officers or written in _GIVEN_WRITTEN


def _not_name(word: str, folded: str) -> bool:
    if not word.isascii():
        return word.lower() in _NOT_NAME_WRITTEN
    if _is_title(word):
        return folded in _ADDRESS_WORDS or folded in _ENGLISH
    return folded in _NOT_NAME_FOLDED


def _formal_you(text: str, words: list[re.Match[str]], i: int) -> bool:
    """ "Ông/Bà", "Ông (Bà)", "Quý Ông/Bà": the formal "you" of forms and letters."""
    after = text[words[i].end() : words[i].end() + 3]
    before = text[max(0, words[i].start() - 3) : words[i].start()]
    return "/" in after or "/" in before or "(" in after or (i > 0 and fold(words[i - 1].group()) == "quy")


@dataclass(frozen=True)
class Redacted:
    text: str
    mentions_person: bool


def officer_keys(officer_names: Iterable[str]) -> tuple[set[str], set[str]]:
    """Folded full names and folded given names (the last syllable) of the unit's officers."""
    names = [n for n in officer_names if n.strip()]
    full = {fold(n) for n in names}
    given = {n.split(" ")[-1] for n in full}  # folded, for text typed without diacritics
    given |= {w[-1] for n in names if (w := _WORD.findall(unicodedata.normalize("NFC", n.lower())))}
    return full, given


def redact(text: str, officer_names: Iterable[str] = (), keys: tuple[set[str], set[str]] | None = None) -> Redacted:
    full, given = keys if keys is not None else officer_keys(officer_names)
    mentions = bool(full) and _mentions(frozenset(full)).search(fold(text)) is not None
    if given and not mentions:
        mentions = _address_given(frozenset(given)).search(_SPACES.sub(" ", _lower(text))) is not None
    if _MAYBE_NUMBER.search(text) or "@" in text:
        for pattern, token in _PATTERNS:
            text = pattern.sub(token, text)
    for name in _names_in(text, frozenset(full)):  # full officer names anywhere, accented or not
        text = _replace_folded(text, name)
    text, named = _redact_names(text, given)
    return Redacted(text, mentions or named)


@lru_cache(maxsize=1024)
def _mentions(full: frozenset[str]) -> re.Pattern[str]:
    """One compiled pattern per unit's officers: a folded full name, as whole words. (Searched one name at a
    time, a province's thousands of patterns overflowed Python's regex cache and were compiled again for
    every comment.)"""
    names = "|".join(re.escape(n) for n in sorted(full))
    return re.compile(rf"\b(?:{names})\b")


@lru_cache(maxsize=1024)
def _address_given(given: frozenset[str]) -> re.Pattern[str]:
    """An address word and an officer's given name, on the lower-cased text as written: a given name with
    diacritics matches its own spelling, one without matches any word that folds to it only when that word
    has no diacritics either ("em hiểu" is not "em Hiếu"; "em hieu" may be)."""
    addresses = "|".join(re.escape(a) for a in sorted({*_ADDRESS_FOLDED, *(_lower(a) for a in _ADDRESS)}))
    return re.compile(rf"\b(?:{addresses}) (?:{'|'.join(re.escape(g) for g in sorted(given))})\b")


def _lower(text: str) -> str:
    return unicodedata.normalize("NFC", text).lower()


def _names_in(text: str, full: frozenset[str]) -> list[str]:
    """The officers' full names that occur in ``text`` as whole words (accented or not), longest first: one
    compiled search over the folded words, so a comment is not scanned once per officer of a province."""
    if not full:
        return []
    joined = " ".join(_fold_word(w.group().lower()) for w in _WORD.finditer(text))
    found = {m.group() for m in _full_names(full).finditer(joined)}
    return sorted(found, key=lambda n: (-len(n), n))


@lru_cache(maxsize=1024)
def _full_names(full: frozenset[str]) -> re.Pattern[str]:
    names = "|".join(re.escape(n) for n in sorted(full, key=lambda n: (-len(n), n)))
    return re.compile(rf"(?<!\w)(?:{names})(?!\w)")


def _replace_folded(text: str, folded_name: str) -> str:
    words = list(_WORD.finditer(text))
    parts = folded_name.split(" ")
    n = len(parts)
    for i in range(len(words) - n, -1, -1):
        if [_fold_word(w.group().lower()) for w in words[i : i + n]] == parts:
            text = text[: words[i].start()] + NAME + text[words[i + n - 1].end() :]
    return text
