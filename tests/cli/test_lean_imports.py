"""The CLI's lean medspaCy import: what it leaves out at start-up still works when used.

Each check runs in a fresh interpreter, since the stand-ins only apply while nothing has
imported medspaCy or spaCy yet (the test process itself may have).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

LEAN = """
import sys
from medcoder.lean_imports import import_medspacy_lean
import_medspacy_lean()
"""


def _python(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", LEAN + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_deferred_packages_are_not_imported_and_no_stand_in_is_left_registered() -> None:
    out = _python(
        """
        import medspacy.context
        names = ("PyRuSH", "quickumls", "spacy.cli", "spacy.cli.info", "langcodes", "requests")
        print(sorted(n for n in names if n in sys.modules))
        """
    )
    assert out == "[]"


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        # spacy.util took the langcodes stand-in: its language look-ups still answer.
        (
            "import spacy.util; print(spacy.util.find_matching_language('eng'), "
            "spacy.util.find_matching_language('xx-not-a-tag'))",
            "en None",
        ),
        # spacy.info is the deferred CLI helper: calling it loads spacy.cli for real.
        (
            "import spacy; info = spacy.info(silent=True); "
            "print(sorted(info)[:2], 'spacy.cli.info' in sys.modules)",
            "['location', 'pipelines'] True",
        ),
        # A later `import spacy.cli` gets the real package, not a stand-in.
        ("import spacy.cli; print(callable(spacy.cli.download))", "True"),
    ],
)
def test_deferred_package_loads_when_used(code: str, expected: str) -> None:
    assert _python(code) == expected
