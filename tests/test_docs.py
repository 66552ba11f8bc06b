"""Every Python snippet of README.md and docs/*.md runs as written, and the docs stand alone.

How blocks run and the markers that change it: tests/doc_snippets.py. A doc change that
breaks a snippet, or a new doc with a broken one, fails here.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from .doc_snippets import DOCUMENTS, PRELUDE, ROOT, Snippet, snippets


@pytest.fixture(scope="session")
def secret_from_cli() -> str:
    """What ``export AUTHJS_SECRET="$(python -m flask_authjs secret)"`` puts in the shell."""
    result = subprocess.run(
        [sys.executable, "-m", "flask_authjs", "secret"], capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def run(snippet: Snippet, code: str, namespace: dict[str, Any], what: str) -> None:
    try:
        exec(compile(code, f"{snippet.name} ({what})", "exec"), namespace)
    except Exception as error:
        raise AssertionError(
            f"{what} of the snippet at {snippet.name} failed: {error!r}\n"
            + textwrap.indent(code, "    ")
        ) from error


def answers_like_auth_js(namespace: dict[str, Any]) -> None:
    """Any app a snippet leaves with flask-authjs in it serves the routes, signed out
    (unless it serves none: ``AUTHJS_ROUTES = False``)."""
    for value in namespace.values():
        if (
            isinstance(value, Flask)
            and "authjs" in value.extensions
            and value.extensions["authjs"].settings.routes
        ):
            client = value.test_client()
            assert client.get("/api/auth/session").get_json() == {}
            assert client.get("/api/auth/providers").status_code == 200


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_python_snippet_runs(
    document: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, secret_from_cli: str
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("AUTHJS_SECRET", secret_from_cli)
    monkeypatch.delenv("AUTHJS_URL", raising=False)
    namespace: dict[str, Any] = {}
    for snippet in snippets(document):
        starts_anew = not snippet.has("continues")
        if snippet.file:
            target = tmp_path / snippet.file
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(snippet.code)
            continue
        if snippet.language != "python" or snippet.has("fragment"):
            continue
        if starts_anew:
            answers_like_auth_js(namespace)  # the previous story is over: its app serves
            namespace = {"__name__": "snippet"}
            if snippet.has("with app"):
                run(snippet, PRELUDE, namespace, "the prelude")
        run(snippet, snippet.code, namespace, "running")
        if snippet.check:
            run(snippet, snippet.check, namespace, "the check")
    answers_like_auth_js(namespace)


def test_the_snippet_markers_are_known_and_a_check_follows_a_python_block() -> None:
    known = re.compile(r"^(fragment|with app|continues|check|file \S+)$")
    for document in DOCUMENTS:
        for snippet in snippets(document):
            for marker in snippet.markers:
                assert known.match(marker), f"{snippet.name}: unknown marker {marker!r}"
            if snippet.check:
                assert snippet.language == "python", f"{snippet.name}: check on a non-python block"


INTERNAL = ["PROTOCOL.md", "DESIGN.md", "REFERENCE.md", "STYLE.md", "shared/", "the seed"]


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_docs_link_only_to_files_in_the_repository_and_use_no_internal_words(
    document: Path,
) -> None:
    text = document.read_text()
    for word in INTERNAL:
        assert word.lower() not in text.lower(), f"{document.name} mentions {word!r}"
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
        if re.match(r"^[a-z]+:", target):
            continue
        assert (document.parent / target).exists(), f"{document.name} links to missing {target}"


def test_the_quick_start_secret_is_long_enough_for_init_app() -> None:
    """The README once used a 20-character secret that init_app refuses outside debug."""
    for snippet in snippets(ROOT / "README.md"):
        for literal in re.findall(r'AUTHJS_SECRET"\]\s*=\s*"([^"]*)"', snippet.code):
            assert len(literal) >= 32, f"{snippet.name}: {literal!r} is refused by init_app"
