"""The fenced code blocks of README.md and docs/*.md, with the markers that say how to run them.

Every ``python`` block runs in the suite (tests/test_docs.py) and every ``html`` block in
Chromium (tests/browser/test_doc_snippets.py), unless a marker says otherwise. A marker is
an HTML comment (invisible on the rendered page) on the lines just before a block:

- ``<!-- snippet: fragment -->``: not meant to run alone (it names your own modules);
  skipped.
- ``<!-- snippet: with app -->``: runs after :data:`PRELUDE`, which defines ``app``, a
  Flask app in testing mode, and imports ``flask_authjs``'s public names.
- ``<!-- snippet: continues -->``: runs in the namespace the previous block of the same
  file left (the file's story goes on).
- ``<!-- snippet: file PATH -->``: not run; written to ``PATH`` in the run's folder (a
  template for the blocks that follow, e.g. ``templates/sign_in.html``).
- ``<!-- snippet: check`` + Python lines + ``-->``: run after the block, in its namespace:
  the assertions that the snippet does what the text around it says.

Every Python block starts in a fresh folder with ``AUTHJS_SECRET`` in the environment,
made by ``python -m flask_authjs secret``, as the README's quick start does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

PRELUDE = """
from flask import Flask, g, jsonify, redirect, render_template, request
from flask_authjs import *
app = Flask("snippet")
app.config.update(TESTING=True, AUTHJS_URL="http://localhost", AUTHJS_BCRYPT_ROUNDS=4)
"""

MARKER = "<!-- snippet:"


@dataclass
class Snippet:
    path: Path
    line: int
    language: str
    code: str
    markers: list[str] = field(default_factory=list)
    check: str = ""

    @property
    def name(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"

    def has(self, marker: str) -> bool:
        return marker in self.markers

    @property
    def file(self) -> str | None:
        for marker in self.markers:
            if marker.startswith("file "):
                return marker[len("file ") :].strip()
        return None


def snippets(path: Path) -> list[Snippet]:
    lines = path.read_text().splitlines()
    found: list[Snippet] = []
    markers: list[str] = []
    check: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.startswith(MARKER):
            body = line[len(MARKER) :].strip()
            if body.endswith("-->"):
                markers.append(body[:-3].strip())
            else:  # a multi-line "check" marker
                markers.append(body)
                index += 1
                while lines[index].strip() != "-->":
                    check.append(lines[index])
                    index += 1
        elif line.startswith("```"):
            language = line[3:].strip()
            start = index + 1
            index = start
            while not lines[index].startswith("```"):
                index += 1
            found.append(
                Snippet(path, start, language, "\n".join(lines[start:index]) + "\n", markers)
            )
            found[-1].check = "\n".join(check) + "\n" if check else ""
            markers, check = [], []
        elif line.strip():
            markers, check = [], []  # a marker applies only to the block right after it
        index += 1
    return found


def all_snippets(language: str) -> list[Snippet]:
    return [s for path in DOCUMENTS for s in snippets(path) if s.language == language]
