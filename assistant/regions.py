"""Which indexed documents mention a region, and which regions a question names.

A document's regions come from every part of it that is indexed: title, headings (chunk context), the region
fact and the body of every clause, plus any extra header text the caller passes (issuers, addressees), all read
by the gazetteer of `index.regions`. Every written form of a mentioned place is a key (重庆市荣昌区 → 荣昌区,
荣昌), and so are the forms of its city and province: a document about 武汉市 is a document about 湖北, not
the reverse.

A region named in a question narrows retrieval only to documents that mention it; a real place that no
document mentions anywhere is reported as `unknown`, so that the assistant can say the region is not covered.
Names the gazetteer does not list but that end in 省/市/区/县 (a unit renamed or created after its snapshot,
or an old name) are looked up by their written form, which documents index the same way (see
`Gazetteer.find`); they are `unknown` only when their stem is a place name in jieba's dictionary, since
"教育强县" or "示范区" name no place. A county's bare short form (荣昌, 海淀) narrows when a document mentions
the county but is never reported as `unknown`: on its own it may be a word (柳林站, 兴业太古汇).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from index.regions import Gazetteer, Place
from index.text import to_simplified


@dataclass
class RegionMatch:
    """What the regions named in a question select."""

    sources: list[str] = field(default_factory=list)  # documents mentioning a region the question names
    unknown: list[str] = field(default_factory=list)  # real places named that no document mentions
    named: list[str] = field(default_factory=list)  # region forms as written in the question
    places: list[Place] = field(default_factory=list)


class RegionIndex:
    """Region form → sources that mention it, built from the indexed chunks."""

    def __init__(self, by_form: dict[str, set[str]], by_source: dict[str, list[str]], gazetteer: Gazetteer):
        self.by_form, self.by_source, self.gazetteer = by_form, by_source, gazetteer

    @classmethod
    def build(
        cls,
        chunks: Iterable,
        extra: Mapping[str, Iterable[str]] | None = None,
        gazetteer: Gazetteer | None = None,
    ) -> RegionIndex:
        """Read every chunk (.source, .title, .context, .text; .region and .script when present), and for each
        source the `extra` texts (issuers, header lines), one document at a time."""
        gazetteer = gazetteer or Gazetteer.load()
        parts: dict[str, dict[str, None]] = {}  # source → its texts, each once (titles and contexts repeat)
        traditional: set[str] = set()
        for c in chunks:
            texts = parts.setdefault(c.source, {})
            for t in (c.title, getattr(c, "region", ""), c.context, c.text):
                if t:
                    texts[t] = None
            if getattr(c, "script", "") == "traditional":
                traditional.add(c.source)
        for source, texts in (extra or {}).items():
            parts.setdefault(source, {}).update(dict.fromkeys(t for t in texts if t))
        by_form: dict[str, set[str]] = {}
        by_source: dict[str, list[str]] = {}
        for source, texts in parts.items():
            text = "\n".join(texts)
            if source in traditional:
                text = to_simplified(text)
            places = gazetteer.find(text)
            by_source[source] = list(dict.fromkeys(p.name for p in places))
            for form in {f for p in places for f in _keys(p, gazetteer)}:
                by_form.setdefault(form, set()).add(source)
        return cls(by_form, by_source, gazetteer)

    def regions(self, source: str) -> list[str]:
        """The canonical names of the places a document mentions, in order of first mention."""
        return self.by_source.get(source, [])

    def resolve(self, question_simplified: str) -> RegionMatch:
        """Sources of the regions a (simplified) question names, the real places no document mentions, and the
        forms used. When the question names a place and its city or province (湖北省武汉市), the place decides."""
        match = RegionMatch()
        covered: list[tuple[Place, set[str]]] = []
        for p in self.gazetteer.find(question_simplified, context=False):
            sources = self.by_form.get(p.form, set()) | self.by_form.get(p.name, set())
            if sources:
                covered.append((p, sources))
            elif p.sure:
                match.unknown.append(p.form)
            else:
                continue  # a county's bare short form that no document mentions may be just a word
            match.named.append(p.form)
            match.places.append(p)
        inner = {parent for p, _ in covered for parent in p.parents}
        narrow = [(p, s) for p, s in covered if p.name not in inner]
        match.sources = sorted(set().union(*(s for _, s in narrow))) if narrow else []
        match.named = list(dict.fromkeys(match.named))
        match.unknown = list(dict.fromkeys(match.unknown))
        return match


def _keys(p: Place, gazetteer: Gazetteer) -> set[str]:
    """The forms under which a mention is found: as written, its name and short forms, and its parents'."""
    keys = {p.form, *gazetteer.forms_of(p.name)}
    for parent in p.parents:
        keys.update(gazetteer.forms_of(parent))
    return keys
