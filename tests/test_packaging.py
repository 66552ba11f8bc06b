"""The wheel ships the package, its types marker and the default templates.

The throwaway venv that installs the wheel sees the dependencies of the environment running
the suite (a ``.pth`` file naming its site-packages), never the base interpreter's: the
test passes or fails the same way in a fresh venv, in CI, or on the system Python.
"""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import textwrap
import zipfile
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent

RENDER = textwrap.dedent(
    """
    import flask_authjs, sys
    from flask import Flask
    from flask_authjs import AuthJS, CredentialsProvider
    assert flask_authjs.__file__.startswith(sys.prefix), (flask_authjs.__file__, sys.prefix)
    app = Flask("installed")
    app.config.update(TESTING=True, AUTHJS_URL="http://localhost")
    AuthJS(app, providers=[CredentialsProvider(lambda c, r: None)])
    page = app.test_client().get("/api/auth/signin")
    css = app.test_client().get("/api/auth/static/authjs.css")
    assert page.status_code == 200 and b'name="csrfToken"' in page.data, page.data
    assert css.status_code == 200
    print("rendered", len(page.data))
    """
)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: Any) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
        check=True,
    )
    return next(out.glob("flask_authjs-*.whl"))


def test_the_wheel_holds_templates_static_files_and_py_typed(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in [
        "flask_authjs/py.typed",
        "flask_authjs/templates/authjs/signin.html",
        "flask_authjs/templates/authjs/signout.html",
        "flask_authjs/templates/authjs/error.html",
        "flask_authjs/templates/authjs/verify_request.html",
        "flask_authjs/templates/authjs/email/magic_link.txt",
        "flask_authjs/templates/authjs/email/magic_link.html",
        "flask_authjs/static/authjs.css",
        "flask_authjs/static/passkeys.js",
        "flask_authjs/templates/authjs/account.html",
        "flask_authjs/templates/authjs/two_factor.html",
    ]:
        assert expected in names


def test_an_installed_wheel_renders_the_sign_in_page(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
        check=True,
    )
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # The running environment's packages (flask, pyjwt, ...) come after the venv's own, so
    # the wheel just installed is the flask_authjs that gets imported.
    ours = {sysconfig.get_paths()[key] for key in ("purelib", "platlib")}
    (Path(purelib) / "running-environment.pth").write_text("\n".join(sorted(ours)) + "\n")
    result = subprocess.run(
        [str(python), "-c", RENDER], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("rendered")
