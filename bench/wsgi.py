"""In-process WSGI requests per second: flask-authjs against bare Flask and Flask-Login.

No network and no test client: each variant replays one prebuilt ``environ`` straight
into ``app.wsgi_app``, so the harness costs the same for all and the ratios are the cost
of the layers themselves.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from typing import Any

import jwt
from flask import Flask

from . import apps, replay
from .timing import interleaved, median_ratio, quartiles, spread

TARGETS = {
    "b/a": 0.85,
    "d/a0": 0.95,
    "b/c": 3.0,
    "b1/a1": 0.92,
    "e1/aj1": 0.85,
    "d1/a1": 0.98,
    "f1/a1": 0.85,
}


def database_app(directory: str) -> tuple[Flask | None, str]:
    """The database-strategy app, or ``None`` and the reason it cannot run here."""
    try:
        app = apps.authjs_app(
            AUTHJS_SESSION_STRATEGY="database",
            AUTHJS_DATABASE_URL=f"sqlite:///{os.path.join(directory, 'sessions.sqlite3')}",
        )
        cookie = apps.signed_in_cookie(app)
    except Exception as error:  # any failure means: not supported on this branch
        return None, f"database strategy unavailable: {type(error).__name__}: {error}"
    if cookie.count(".") == 2 and cookie.startswith("eyJ"):
        return None, (
            'AUTHJS_SESSION_STRATEGY="database" still issues a JWT on this branch '
            "(the database strategy is not merged yet)"
        )
    return app, cookie


def build_variants(directory: str) -> tuple[dict[str, Callable[[], Any]], dict[str, str]]:
    bare = replay.bare_app()
    authjs = apps.authjs_app()
    flask_session = apps.flask_session_cookie(bare)
    token = apps.jwt_session_token(authjs)
    full = replay.cookie_header(session=flask_session, **{"authjs.session-token": token})
    flask_only = replay.cookie_header(session=flask_session)
    token_only = replay.cookie_header(**{"authjs.session-token": token})
    naive = apps.naive_jwt_app()
    naive_token = jwt.encode(
        {"sub": "u1", "email": apps.USER["email"]}, apps.AUTHJS_SECRET.encode(), "HS256"
    )
    requests = {
        "a": replay.Request(bare, "/dashboard", full),
        "a0": replay.Request(bare, "/", flask_only),
        "aj": replay.Request(bare, "/session.json", full),
        "b": replay.Request(authjs, "/dashboard", full),
        "c": replay.Request(apps.flask_login_app(), "/dashboard", full),
        "c2": replay.Request(apps.flask_login_store_app(directory), "/dashboard", full),
        "d": replay.Request(authjs, "/", flask_only),
        "e": replay.Request(authjs, "/api/auth/session", full),
        # The clean baseline: what a signed-in browser sends (sign-in clears Flask's own
        # session cookie), so the only cookie is our session token.
        "a1": replay.Request(bare, "/dashboard", token_only),
        "aj1": replay.Request(bare, "/session.json", token_only),
        "b1": replay.Request(authjs, "/dashboard", token_only),
        "d1": replay.Request(authjs, "/", token_only),
        "e1": replay.Request(authjs, "/api/auth/session", token_only),
        "naive": replay.Request(
            naive,
            "/dashboard",
            replay.cookie_header(session=flask_session, **{"authjs.session-token": naive_token}),
        ),
    }
    skipped: dict[str, str] = {}
    db_app, db_cookie = database_app(directory)
    if db_app is None:
        skipped["f"] = db_cookie
    else:
        requests["f"] = replay.Request(
            db_app,
            "/dashboard",
            replay.cookie_header(session=flask_session, **{"authjs.session-token": db_cookie}),
        )
        requests["f1"] = replay.Request(
            db_app, "/dashboard", replay.cookie_header(**{"authjs.session-token": db_cookie})
        )
    for name, req in requests.items():
        req.check(contains=b"ada@example.com" if name != "a0" else b"hello")
    return dict(requests), skipped


LABELS = {
    "a": "(a) bare Flask view, same cookies",
    "a0": "(a0) bare Flask view, Flask session cookie only",
    "aj": "(aj) bare Flask view returning the session JSON",
    "b": "(b) login_required, valid JWT cookie",
    "c": "(c) Flask-Login login_required, its session",
    "c2": "(c2) Flask-Login, user loaded from SQLite",
    "d": "(d) public view, flask-authjs app, no auth cookie",
    "e": "(e) GET /api/auth/session, valid cookie",
    "f": "(f) login_required, database strategy (SQLite)",
    "naive": "(ref) naive PyJWT decode per request",
    "a1": "(a1) clean baseline: bare Flask view, session token only",
    "aj1": "(aj1) clean: bare Flask view returning the session JSON",
    "b1": "(b1) clean: login_required, valid JWT cookie",
    "d1": "(d1) clean: public view, signed-in browser",
    "e1": "(e1) clean: GET /api/auth/session",
    "f1": "(f1) clean: login_required, database strategy (SQLite)",
}
RATIOS = (
    ("b/a", "b", "a"),
    ("c/a", "c", "a"),
    ("naive/a", "naive", "a"),
    ("d/a0", "d", "a0"),
    ("e/aj", "e", "aj"),
    ("f/a", "f", "a"),
    ("b/c", "b", "c"),
    ("b/c2", "b", "c2"),
    ("b1/a1", "b1", "a1"),
    ("e1/aj1", "e1", "aj1"),
    ("d1/a1", "d1", "a1"),
    ("f1/a1", "f1", "a1"),
)


#: The clean-baseline variants alone: ``python -m bench.wsgi`` runs just these.
CLEAN = ("a1", "aj1", "b1", "d1", "e1", "f1")


def run(*, rounds: int, calls: int, only: tuple[str, ...] | None = None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as directory:
        variants, skipped = build_variants(directory)
        if only is not None:
            variants = {name: variants[name] for name in only if name in variants}
        samples = interleaved(variants, rounds=rounds, calls=calls)
    rows = {
        name: {
            "label": LABELS[name],
            "requests_per_second": 1 / sorted(values)[len(values) // 2],
            "microseconds": 1e6 * sorted(values)[len(values) // 2],
            "spread": spread(values),
        }
        for name, values in samples.items()
    }
    pairs = [
        (key, variant, base) for key, variant, base in RATIOS if {variant, base} <= set(samples)
    ]
    ratios = {key: median_ratio(samples[base], samples[variant]) for key, variant, base in pairs}
    ratio_spreads = {
        key: quartiles(samples[base], samples[variant]) for key, variant, base in pairs
    }
    return {
        "rows": rows,
        "ratios": ratios,
        "ratio_spreads": ratio_spreads,
        "targets": TARGETS,
        "skipped": skipped,
        "rounds": rounds,
        "calls": calls,
    }


if __name__ == "__main__":
    import sys

    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    result = run(rounds=rounds, calls=300, only=CLEAN)
    for row in result["rows"].values():
        print(f"{row['label']:<56} {row['microseconds']:7.1f} us  (spread {row['spread']:.0%})")
    for key, value in result["ratios"].items():
        spreads = result["ratio_spreads"][key]
        print(
            f"ratio {key:<7} {value:.3f}  (rounds {spreads[0]:.3f}..{spreads[1]:.3f})  "
            f"target {result['targets'].get(key)}"
        )
