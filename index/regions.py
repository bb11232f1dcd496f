"""Chinese place names (province, city, county level) found in free text, from a general gazetteer.

Data: `cpca/resources/adcodes.csv` of the `cpca` package (MIT): 3,500 rows adcode → name, where the first two
digits of the adcode give the province and the first four the city, read with the csv module (the cpca module,
which loads pandas, is never imported). The table is a 2016-era snapshot: `resources/places_added.csv` adds the
later units whose names cannot be derived from an older one, each with the State Council approval behind it.

Which written forms count as a place, and why:
* a full name of three or more characters (重庆市, 荣昌区, 广西壮族自治区): the suffix makes it a name;
* a two-character full name (忠县, 城区, 矿区) only right after its city or province (阳泉市城区): alone it is a
  common word or a fragment (市和县);
* a short form (the name without its suffix and, for autonomous units, its ethnic names: 广西, 内蒙古, 延边,
  荣昌) must be a word of jieba's segmentation of its surroundings (确保定期 holds no 保定, 学校和政府 no 和政),
  not followed by 镇/乡/村/路/街 (a town or road named after the place). A province's or city's may also head a
  place or organisation name of jieba's dictionary (北京经济技术开发区, 武汉大学);
* a county's short form also names stations, firms and people (柳林站, 兴业太古汇, 杜亚东), so it counts only when
  the text also names its province, city or full name (`Place.sure` is False for it); and never when jieba's
  dictionary shows it is an everyday word: a common word with a non-name POS tag (会同, 平安, 合作) or a frequent
  word whose full name is rare (和平, 长安, 新建), unless the full name is common too (武昌区 beside 武昌);
* `resources/place_words.csv` lists the few forms that this evidence gets wrong, each with its reason (公安, 惠民;
  老城区 needs context; 新疆生产建设兵团 is an addressee, not a mention of 新疆);
* a short form followed by 市/区/县 that is not itself a name is the unit under a newer or older name (梁平区 for
  梁平县, 荣昌县 for 荣昌区); `Place.name` stays the table's;
* a name ending in 省/市/区/县 unknown to the table counts when its stem is a place name (tag ns) in jieba's
  dictionary (襄樊市) and it is a word of its own; it has no parents.
A name shared by several units (朝阳区 in Beijing and in Changchun) is resolved by the other places the same
text names; failing that it is kept as a name, with only the parents its units share.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from index.dictionary import jieba_dictionary, package_file

PROVINCE, CITY, COUNTY = "province", "city", "county"
_RANK = {PROVINCE: 0, CITY: 1, COUNTY: 2}
_DATA = Path(__file__).with_name("resources")  # not "data/": .gitignore drops every such folder
_SUFFIX = {
    PROVINCE: re.compile(r"(特别行政区|自治区|省|市)$"),
    CITY: re.compile(r"(自治州|地区|市|盟)$"),
    COUNTY: re.compile(r"(自治县|自治旗|新区|林区|矿区|特区|区|县|市|旗)$"),
}
_NAME_TAGS = {"ns", "nr", "nrt", "nrfg", "nz", "nt", "j"}  # jieba tags of names and abbreviations
_NOT_AFTER = set("镇乡村路街巷")  # 城关镇, 中山路: a town or road named after the place
_RENAMED = set("市区县")
_REACH = 10  # longest dictionary word looked at; 新疆生产建设兵团 must be seen whole
_PLACEHOLDER = re.compile(r"^(市辖区|县)$|直辖")
SURE, CONTEXT, AFTER_PARENT, NEVER = "sure", "context", "after_parent", "never"


@dataclass(frozen=True)
class Unit:
    """One administrative unit of the table."""

    name: str
    level: str
    province: str  # full name of its province ("" for a province)
    city: str  # full name of its city ("" for provinces, cities, municipality districts, 省直辖 counties)
    adcode: str = ""


@dataclass(frozen=True)
class Place:
    """One place mention in a text."""

    name: str  # canonical full name (荣昌区), or the name as written when the table does not know it
    level: str
    form: str  # as written (荣昌)
    province: str  # parents by adcode; "" when none or when the name stands for units of different parents
    city: str
    start: int
    end: int
    adcode: str = ""  # "" when the name stands for several units or the table does not list it
    sure: bool = True  # False: a county's short form (or 老城区), a name only beside its province/city/full name

    @property
    def parents(self) -> tuple[str, ...]:
        return tuple(p for p in (self.city, self.province) if p and p != self.name)


def _read_units() -> list[Unit]:
    with open(package_file("cpca", "resources", "adcodes.csv"), encoding="utf-8", newline="") as fh:
        rows = {r["adcode"]: r["name"] for r in csv.DictReader(fh)}
    units = []
    for code, name in rows.items():
        if _PLACEHOLDER.search(name):
            continue
        level = PROVINCE if code[2:].strip("0") == "" else CITY if code[4:].strip("0") == "" else COUNTY
        province = rows.get(code[:2] + "0" * 10, "") if level != PROVINCE else ""
        city = rows.get(code[:4] + "0" * 8, "") if level == COUNTY else ""
        units.append(Unit(name, level, province, "" if _PLACEHOLDER.search(city) else city, code))
    by_name = {u.name: u for u in units if u.level != COUNTY}
    with open(_DATA / "places_added.csv", encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            parent = by_name[r["parent"]]
            province = parent.name if parent.level == PROVINCE else parent.province
            city = parent.name if parent.level == CITY else ""
            units.append(Unit(r["name"], r["level"], province, city))
    return units


def _ethnic_names() -> list[str]:
    with open(package_file("cpca", "resources", "56_nations.csv"), encoding="utf-8") as fh:
        names = {line.strip() for line in fh if line.strip()}
    # 巴音郭楞蒙古自治州, 伊犁哈萨克自治州: names also appear without 族.
    names |= {n[:-1] for n in names if len(n) >= 3}
    return sorted(names, key=len, reverse=True)


def short_form(name: str, level: str, ethnic: list[str]) -> str | None:
    """The name without its suffix and ethnic names (广西壮族自治区 → 广西), or None when that leaves < 2 chars."""
    stem = _SUFFIX[level].sub("", name)
    if stem == name:
        return None
    if name[len(stem) :].startswith("自治"):
        stripped = True
        while stripped:
            stripped = False
            for e in ethnic:
                if stem.endswith(e) and len(stem) - len(e) >= 2:
                    stem, stripped = stem[: -len(e)], True
                    break
        if stem.endswith("族"):  # 鄂温克族自治旗: nothing left but the people's name
            stem = stem[:-1]
    return stem if len(stem) >= 2 else None


class Words:
    """jieba's dictionary (word → frequency, POS tag), read once: evidence for common words, and the word
    boundaries of a short stretch of text by jieba's own method with HMM off (the most probable path through
    the dictionary's words), without loading jieba itself."""

    def __init__(self) -> None:
        dictionary = jieba_dictionary()
        self.freq: dict[str, int] = dictionary.counts
        self.tag: dict[str, str] = dictionary.tags
        self._longest: dict[str, int] = {}  # first two characters → length of the longest word they begin
        places, names = set(), set()
        for word, tag in self.tag.items():
            if tag in ("ns", "nt"):
                (places if tag == "ns" and 2 <= len(word) <= 3 else names).add(word)
            if len(word) > self._longest.get(word[:2], 1):
                self._longest[word[:2]] = len(word)
        self.log_total = math.log(sum(self.freq.values()) or 1)
        self.places = frozenset(places)  # 2–3 character place names (tag ns)
        self.names = frozenset(names) | self.places  # place and organisation names (tags ns, nt)
        self.cuts = lru_cache(maxsize=1 << 16)(self._cuts)  # boilerplate repeats across a corpus

    def _cuts(self, text: str) -> frozenset[int]:
        """Offsets of the word boundaries jieba (HMM off) would put in text."""
        n, freq, log, total = len(text), self.freq, math.log, self.log_total
        score, step = [0.0] * (n + 1), [n] * (n + 1)
        for i in range(n - 1, -1, -1):
            best, to = log(freq.get(text[i]) or 1) - total + score[i + 1], i + 1  # a character on its own
            for end in range(i + 2, min(n, i + self._longest.get(text[i : i + 2], 1)) + 1):
                f = freq.get(text[i:end])
                if f and (s := log(f) - total + score[end]) >= best:  # ties go to the longer word, as in jieba
                    best, to = s, end
            score[i], step[i] = best, to
        out, i = {0}, 0
        while i < n:
            i = step[i]
            out.add(i)
        return frozenset(out)

    def cuts_near(self, text: str, start: int, end: int) -> set[int]:
        """Word boundaries (offsets into text) of the segmentation of text around text[start:end]."""
        lo, hi = max(0, start - _REACH), min(len(text), end + _REACH)
        return {lo + c for c in self.cuts(text[lo:hi])}

    def whole_word(self, text: str, start: int, *ends: int) -> bool:
        """Do start and every end fall on word boundaries of the segmentation of text around them?"""
        cuts = self.cuts_near(text, start, max(ends, default=start))
        return all(p in cuts for p in (start, *ends))

    def word_at(self, text: str, start: int, end: int) -> str | None:
        """The word of the segmentation that begins at start and covers text[start:end], or None."""
        cuts = self.cuts_near(text, start, end)
        token_end = min((c for c in cuts if c > start), default=len(text))
        return text[start:token_end] if start in cuts and token_end >= end else None


def _read_place_words() -> dict[str, str]:
    with open(_DATA / "place_words.csv", encoding="utf-8", newline="") as fh:
        return {r["form"]: r["use"] for r in csv.DictReader(fh)}


class Gazetteer:
    """Every province, city and county with its written forms; `find` lists the places a text names."""

    def __init__(self, units: list[Unit], ethnic: list[str], words: Words, table: dict[str, str]) -> None:
        self.units, self.words, self._table = units, words, table
        self.by_name: dict[str, list[Unit]] = {}
        self.shorts: dict[str, list[str]] = {}  # full name → its short forms, whether matched alone or not
        self._forms: dict[str, list[tuple[Unit, str, str]]] = {}  # form → (unit, "full"|"short", class)
        for u in units:
            self.by_name.setdefault(u.name, []).append(u)
            cls = table.get(u.name, SURE if len(u.name) >= 3 else AFTER_PARENT)
            if cls != NEVER:
                self._add(u.name, u, "full", cls)
            short = short_form(u.name, u.level, ethnic)
            if short:
                self.shorts.setdefault(u.name, []).append(short)
                cls = table.get(short) or self._short_class(short, u)
                if cls != NEVER:
                    self._add(short, u, "short", cls)
        self._unlisted_stems = words.places - self._forms.keys()
        for entries in self._forms.values():
            entries.sort(key=lambda e: (e[1] != "full", _RANK[e[0].level], e[2] != SURE))
        self._lengths: dict[str, list[int]] = {}  # first two characters → lengths of the forms, longest first
        for form in self._forms:
            self._lengths.setdefault(form[:2], []).append(len(form))
        for lengths in self._lengths.values():
            lengths[:] = sorted(set(lengths), reverse=True)
        # A scan in C for the few positions worth a look: 5x faster than a loop over every character.
        first, second = ("".join(sorted({p[k] for p in self._lengths})) for k in (0, 1))
        self._starts = re.compile(f"(?=[{re.escape(first)}][{re.escape(second)}])")

    @classmethod
    @cache
    def load(cls) -> Gazetteer:
        """The gazetteer, read once per process."""
        return cls(_read_units(), _ethnic_names(), Words(), _read_place_words())

    def _add(self, form: str, unit: Unit, kind: str, cls: str) -> None:
        self._forms.setdefault(form, []).append((unit, kind, cls))

    def _short_class(self, short: str, unit: Unit) -> str:
        """SURE for a province's or city's short form; CONTEXT for a county's, which also names streets,
        stations, firms and people (柳林站, 兴业太古汇, 杜亚东) and so counts only beside its province, city or
        full name; NEVER for one that is an everyday word (see the module docstring)."""
        if unit.level != COUNTY:
            return SURE
        freq, tag = self.words.freq.get(short, 0), self.words.tag.get(short, "")
        full = self.words.freq.get(unit.name, 0)
        named = full * 50 >= freq  # the full name is itself a common dictionary word: 武昌区 beside 武昌
        if not named and freq >= 100 and (tag not in _NAME_TAGS or (freq >= 1000 and full * 100 < freq)):
            return NEVER
        return CONTEXT

    def forms_of(self, name: str) -> list[str]:
        """A full name and its short forms (湖北省 → 湖北省, 湖北)."""
        return [name, *dict.fromkeys(self.shorts.get(name, ()))]

    def find(self, text: str, context: bool = True) -> list[Place]:
        """Every place the text names, in order. With context=False, the forms that need their province, city or
        full name in the same text (Place.sure is False) are kept without it: a question is judged against the
        documents instead."""
        cands: list[tuple[int, int, str, list[tuple[Unit, str, str]]]] = []
        pos, lengths = 0, self._lengths
        for m in self._starts.finditer(text):  # positions whose two characters could begin a form
            i = m.start()
            if i >= pos and text[i : i + 2] in lengths:
                got = self._match_at(text, i, cands[-1] if cands else None)
                if got:
                    cands.append(got)
                    pos = got[1]
        cands += self._unlisted(text, cands)
        cands.sort(key=lambda c: c[0])
        return self._resolve(cands, context)

    def _match_at(self, text: str, i: int, prev):
        for length in self._lengths[text[i : i + 2]]:
            form = text[i : i + length]
            entries = self._forms.get(form) if len(form) == length else None
            if not entries:
                continue
            end = i + length
            ok = []
            renamed = end < len(text) and text[end] in _RENAMED
            for e in entries:
                unit, kind, cls = e
                if cls == AFTER_PARENT:
                    if prev and prev[1] == i and any(p[0].name in (unit.province, unit.city) for p in prev[3]):
                        ok.append(e)
                elif kind == "full":
                    ok.append(e)
                elif renamed and self._renamable(unit) and self._renamed(text, i, end):
                    units = [(u, "renamed", SURE) for u, *_ in entries if self._renamable(u)]
                    return i, end + 1, form + text[end], units
                elif end < len(text) and text[end] in _NOT_AFTER:
                    continue
                elif self._stands(text, i, end, unit):
                    ok.append(e)
            if ok:
                return i, end, form, ok
        return None

    def _stands(self, text: str, i: int, end: int, unit: Unit) -> bool:
        """A short form must be a word of its own; a province's or city's may also head a place or organisation
        name (北京经济技术开发区, 武汉大学), except the ones that are not a mention of it (新疆生产建设兵团)."""
        word = self.words.word_at(text, i, end)
        if word is None or word == text[i:end]:
            return word is not None
        return unit.level != COUNTY and word in self.words.names and word not in self._table

    def _renamed(self, text: str, i: int, end: int) -> bool:
        """梁平区 for 梁平县, 荣昌县 for 荣昌区: the whole is a word, and the suffix does not make a word with the
        character before it (大城|市 in 大城市, 安新|区 in 贵安新区)."""
        return text[end - 1 : end + 1] not in self.words.freq and self.words.whole_word(text, i, end + 1)

    @staticmethod
    def _renamable(unit: Unit) -> bool:
        # 梁平县 → 梁平区, 那曲地区 → 那曲市; not 武汉 + 区 (武汉区域) nor a province.
        return unit.level == COUNTY or (unit.level == CITY and not unit.name.endswith("市"))

    def _unlisted(self, text: str, cands) -> list:
        taken = {p for c in cands for p in range(c[0], c[1])}
        out = []
        for m in re.finditer("[省市区县]", text):
            end = m.end()
            for length in (3, 2):
                start = m.start() - length
                stem = text[max(start, 0) : m.start()]
                if start < 0 or stem not in self._unlisted_stems or taken.intersection(range(start, end)):
                    continue
                if self.words.whole_word(text, start, end):
                    level = {"省": PROVINCE, "市": CITY}.get(m.group(), COUNTY)
                    out.append((start, end, stem + m.group(), [(Unit(stem + m.group(), level, "", ""), "", SURE)]))
                    break
        return out

    def _resolve(self, cands, context: bool) -> list[Place]:
        kept = [[e for e in c[3] if e[2] != CONTEXT] for c in cands]
        named = {n for entries in kept for n in _solid(entries)}
        changed = True
        while changed:  # 湖北 confirms 武汉, which confirms 江夏
            changed = False
            for c, entries in zip(cands, kept):
                for e in c[3]:
                    if e[2] == CONTEXT and e not in entries and {e[0].name, e[0].province, e[0].city} & named:
                        entries.append(e)
                        named |= _solid([e])
                        changed = True
        out = []
        for c, entries in zip(cands, kept):
            if not entries and not context:
                entries = c[3]
            if entries:
                out.append(_place(c, entries, named))
        return out


def _solid(entries) -> set[str]:
    """The names a candidate certainly stands for: its name when all its units share it, and the parents of
    its one unit (朝阳区 alone says nothing of Beijing or Changchun)."""
    names = {e[0].name for e in entries}
    if len(names) != 1:
        return set()
    units = {e[0] for e in entries}
    if len(units) == 1:
        u = next(iter(units))
        names |= {u.province, u.city} - {""}
    return names


def _place(cand, entries, named: set[str]) -> Place:
    start, end, form, _ = cand
    units = list(dict.fromkeys(e[0] for e in entries))
    near = [u for u in units if u.province in named or u.city in named]
    if near:
        units = near
    top = units[0]
    sure = any(e[2] != CONTEXT for e in entries if e[0] in units)
    if len(units) == 1 or top.level == PROVINCE:
        return Place(top.name, top.level, form, top.province, top.city, start, end, top.adcode, sure)
    province = top.province if all(u.province == top.province for u in units) else ""
    city = top.city if all(u.city == top.city for u in units) else ""
    return Place(top.name, top.level, form, province, city, start, end, "", sure)


def regions_of(text: str) -> list[str]:
    """The canonical names of the places a text names, in order of first mention (traditional script is read too)."""
    from index.text import detect_script, to_simplified

    if detect_script(text) == "traditional":
        text = to_simplified(text)
    return list(dict.fromkeys(p.name for p in Gazetteer.load().find(text)))
