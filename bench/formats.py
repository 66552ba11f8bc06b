"""``python -m bench.formats [--against REF]``: the session formats side by side.

In-process WSGI, as in ``bench/wsgi.py``: a ``login_required`` view with a valid session
cookie in each ``AUTHJS_SESSION_FORMAT`` (``jws``, ``next-auth-v4``, ``authjs-v5``) against
the bare Flask view, variants interleaved, medians of per-round ratios. A repeated cookie
hits the verified-token cache, so the codec-level rows add what a first sight of a token
costs (verify or decrypt, bypassing the cache) and what issuing one costs (sign or encrypt).

``--against REF`` also runs the default (``jws``) app of the package as it is at the git
ref ``REF`` (exported to a temporary folder and imported under another name), so "no
slower than before" is a ratio taken in the same run.
"""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, g

from . import apps, replay
from .timing import interleaved, machine_line, median_ratio, spread

FORMAT_IDS = ("jws", "next-auth-v4", "authjs-v5")
COOKIES = {
    "jws": "authjs.session-token",
    "next-auth-v4": "next-auth.session-token",
    "authjs-v5": "authjs.session-token",
}


def reference_app(ref: str, directory: str) -> Flask:
    """The ``jws`` app built from ``flask_authjs`` as it is at git ``ref``."""
    root = Path(__file__).resolve().parents[1]
    archive = subprocess.run(
        ["git", "-C", str(root), "archive", ref, "flask_authjs"], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", directory], input=archive, check=True)
    Path(directory, "flask_authjs").rename(Path(directory, "flask_authjs_ref"))
    sys.path.insert(0, directory)
    package: Any = importlib.import_module("flask_authjs_ref")
    app = replay.base_app("reference")
    app.config.update(
        AUTHJS_SECRET=apps.AUTHJS_SECRET, AUTHJS_URL=replay.ORIGIN, AUTHJS_BCRYPT_ROUNDS=4
    )
    package.AuthJS(app, providers=[package.CredentialsProvider(authorize=lambda c, r: None)])

    @app.get("/dashboard")
    @package.login_required
    def dashboard() -> str:
        return f"hello {g.session['user']['email']}"

    return app


def build(ref: str | None, directory: str) -> tuple[dict[str, Callable[[], Any]], list[str]]:
    bare = replay.bare_app()
    flask_session = apps.flask_session_cookie(bare)
    variants: dict[str, Callable[[], Any]] = {}
    notes: list[str] = []
    for fmt in FORMAT_IDS:
        app = apps.authjs_app(AUTHJS_SESSION_FORMAT=fmt)
        token = apps.jwt_session_token(app)
        cookie = replay.cookie_header(session=flask_session, **{COOKIES[fmt]: token})
        request = replay.Request(app, "/dashboard", cookie)
        request.check(contains=b"ada@example.com")
        variants[f"view {fmt}"] = request
        codec = app.extensions["authjs"].session_codec
        now = int(time.time())
        variants[f"verify {fmt}"] = lambda c=codec, t=token, n=now: c._verify(t, n)
        claims = {**apps.USER, "sub": "u1"}
        variants[f"issue {fmt}"] = lambda c=codec, k=claims, n=now: c.encode(k, now=n, max_age=60)
        notes.append(f"{fmt}: {len(token)} characters")
    variants["view bare"] = replay.Request(
        bare, "/dashboard", replay.cookie_header(session=flask_session)
    )
    if ref is not None:
        app = reference_app(ref, directory)
        token = apps.jwt_session_token(app)
        cookie = replay.cookie_header(session=flask_session, **{COOKIES["jws"]: token})
        request = replay.Request(app, "/dashboard", cookie)
        request.check(contains=b"ada@example.com")
        variants[f"view jws at {ref}"] = request
    return variants, notes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", metavar="REF", help="also run the jws app at git REF")
    parser.add_argument("--rounds", type=int, default=11)
    parser.add_argument("--calls", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        variants, notes = build(args.against, directory)
        samples = interleaved(variants, rounds=args.rounds, calls=args.calls)
    print(f"machine: {machine_line()}")
    print(f"median of {args.rounds} interleaved rounds x {args.calls} calls (CPU time)")
    for name, values in samples.items():
        middle = sorted(values)[len(values) // 2]
        print(f"  {name:<28} {1e6 * middle:8.1f} us  (spread {spread(values):.0%})")
    print("ratios (throughput of the first over the second):")
    pairs = [(f"view {fmt}", "view bare") for fmt in FORMAT_IDS]
    pairs += [(f"view {fmt}", "view jws") for fmt in FORMAT_IDS[1:]]
    pairs += [
        (f"{kind} {fmt}", f"{kind} jws") for kind in ("verify", "issue") for fmt in FORMAT_IDS[1:]
    ]
    if args.against:
        pairs.append(("view jws", f"view jws at {args.against}"))
    for variant, base in pairs:
        print(f"  {variant} / {base}: {median_ratio(samples[base], samples[variant]):.3f}")
    print("token sizes: " + "; ".join(notes))


if __name__ == "__main__":
    main()
