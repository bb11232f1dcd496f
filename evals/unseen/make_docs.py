"""Write the eight issue-9 test documents (tests/fixtures/unseen.py) into evals/unseen/docs/.

Run from the repository root: `.venv/bin/python -m evals.unseen.make_docs` (or `python evals/unseen/make_docs.py`).
The generators are the same ones the parser tests use, so the eval subset and the tests read identical bytes.
The PDF needs a CJK font (Debian package fonts-wqy-microhei); without one it is skipped with a message.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    # Run as a script, the repository root (for `tests.fixtures`) is not on the path yet.
    sys.path.insert(0, str(ROOT))

from tests.fixtures.documents import CJK_FONT_PACKAGE, cjk_font  # noqa: E402
from tests.fixtures.unseen import DOCUMENTS  # noqa: E402

DOCS = Path(__file__).resolve().parent / "docs"


def main() -> int:
    DOCS.mkdir(exist_ok=True)
    for name, generate in DOCUMENTS.items():
        if name.endswith(".pdf") and cjk_font() is None:
            print(f"skipped {name}: no CJK font to draw Chinese text (apt-get install {CJK_FONT_PACKAGE})")
            continue
        data = generate()
        (DOCS / name).write_bytes(data)
        print(f"wrote {name} ({len(data)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
