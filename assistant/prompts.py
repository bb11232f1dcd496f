"""The LLM prompts, read from `prompts/*.zh.txt` by one loader that fails loudly.

Every template is checked when the library is loaded: the file must exist and name exactly the variables its
stage supplies (a typo in an edited prompt fails at start-up, not on the first question). Rendering a template
with a variable missing, or with one it does not name, raises `PromptError` too.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from pathlib import Path

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"
# Each prompt's variables: what its stage fills in.
VARIABLES: dict[str, frozenset[str]] = {
    "system": frozenset(),
    "answer": frozenset({"clauses", "question"}),
    "condense": frozenset({"history", "question"}),
    "rewrite": frozenset({"question"}),
    "answerability": frozenset({"clauses", "question"}),
}


class PromptError(ValueError):
    """A prompt file is missing, malformed, or rendered with the wrong variables."""


@dataclass(frozen=True)
class Prompt:
    name: str
    text: str
    fields: frozenset[str]

    def render(self, **values: str) -> str:
        missing = self.fields - values.keys()
        unknown = values.keys() - self.fields
        if missing or unknown:
            raise PromptError(
                f"prompt {self.name!r}: missing variable(s) {sorted(missing)}; not in the template {sorted(unknown)}"
            )
        return self.text.format(**values)

    @property
    def task(self) -> str:
        """The first line: what the prompt asks for (it tells the calls apart in a log or a stand-in server)."""
        return self.text.strip().splitlines()[0]


def template_fields(name: str, text: str) -> frozenset[str]:
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise PromptError(f"prompt {name!r} is not a valid template: {exc} (write a literal brace as {{{{)") from exc
    fields = set()
    for _literal, field, _spec, _conv in parsed:
        if field is None:
            continue
        if not field.isidentifier():
            raise PromptError(f"prompt {name!r}: {{{field}}} is not a variable name (write a literal brace as {{{{)")
        fields.add(field)
    return frozenset(fields)


class PromptLibrary:
    """All the prompts, loaded and checked at once."""

    def __init__(self, folder: Path = PROMPTS_DIR, language: str = "zh") -> None:
        self.prompts: dict[str, Prompt] = {}
        for name, expected in VARIABLES.items():
            path = Path(folder) / f"{name}.{language}.txt"
            if not path.is_file():
                raise PromptError(f"prompt file {path} is missing")
            text = path.read_text(encoding="utf-8").strip() + "\n"
            fields = template_fields(name, text)
            if fields != expected:
                raise PromptError(
                    f"prompt {path.name}: names {sorted(fields)}, but its stage supplies {sorted(expected)}"
                )
            self.prompts[name] = Prompt(name, text, fields)

    def __getitem__(self, name: str) -> Prompt:
        return self.prompts[name]

    def render(self, name: str, **values: str) -> str:
        return self.prompts[name].render(**values)
