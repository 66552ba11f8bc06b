"""Memory: peak RSS of a demo-like worker against a bare Flask worker, and the token cache bound.

Each measurement runs in a fresh subprocess (``python -m bench.memory KIND N``) that
prints one JSON line, so the figures are whole-process peaks (``VmHWM``), imports included.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from typing import Any

from . import replay


def rss_kib(field: str = "VmHWM") -> int:
    """``VmHWM`` (peak) or ``VmRSS`` (now) of this process, in KiB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def mixed_requests(kind: str, count: int) -> dict[str, Any]:
    """``count`` requests cycling through a demo-like mix, with and without a session.

    ``demo_without_cryptography`` hides the ``cryptography`` package, as on a machine
    where only our requirements are installed: PyJWT imports it when present (about
    8 MiB) although HS256 never uses it, and none of our dependencies requires it.
    """
    if kind == "demo_without_cryptography":
        sys.modules["cryptography"] = None  # type: ignore[assignment]
    flask_only = replay.cookie_header(
        session=replay.signed_flask_session(replay.base_app("keys"), replay.CSRF_SESSION)
    )
    if kind.startswith("demo"):
        # Imported here, so that the bare worker never loads flask-authjs.
        from demo.app import create_app

        from .apps import jwt_session_token

        directory = tempfile.mkdtemp()
        app = create_app(
            {
                "SECRET_KEY": replay.SECRET_KEY,
                "AUTHJS_DATABASE_URL": f"sqlite:///{os.path.join(directory, 'demo.sqlite3')}",
                "AUTHJS_BCRYPT_ROUNDS": 4,
            }
        )
        signed_in = f"{flask_only}; authjs.session-token={jwt_session_token(app)}"
        paths = ["/", "/dashboard", "/api/auth/session", "/api/auth/csrf", "/api/auth/providers"]
    else:
        app = replay.bare_app()
        signed_in = f"{flask_only}; authjs.session-token=eyJhbGciOiJIUzI1NiJ9.e30.x"
        paths = ["/", "/dashboard", "/session.json", "/", "/session.json"]
    requests = [
        replay.Request(app, path, cookie) for path in paths for cookie in (signed_in, flask_only)
    ]
    before = rss_kib("VmRSS")
    for i in range(count):
        requests[i % len(requests)]()
    return {"kind": kind, "requests": count, "rss_before_kib": before, "peak_kib": rss_kib()}


def token_cache(count: int) -> dict[str, Any]:
    """Verify ``count`` distinct valid tokens; RSS once the cache is full and at the end."""
    from .apps import authjs_app  # here, so that the bare worker never loads flask-authjs

    app = authjs_app()
    codec = app.extensions["authjs"].session_codec
    size = codec._cache_size
    now = int(time.time())
    checkpoints: dict[int, int] = {}
    marks = {size, 2 * size, count // 10, count // 2, count}
    for i in range(1, count + 1):
        claims = {"sub": str(i), "email": f"user{i}@example.com"}
        token = codec.encode(claims, now=now, max_age=3600)
        if codec.decode(token, now=now) is None:
            raise RuntimeError("a fresh token did not verify")
        if i in marks:
            checkpoints[i] = rss_kib("VmRSS")
    return {
        "tokens": count,
        "cache_size": size,
        "cache_len": codec.cache_len,
        "rss_kib_after": checkpoints,
        "peak_kib": rss_kib(),
    }


def in_subprocess(*args: str) -> dict[str, Any]:
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = {**os.environ, "PYTHONPATH": root + os.pathsep + os.environ.get("PYTHONPATH", "")}
    output = subprocess.run(
        [sys.executable, "-m", "bench.memory", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=1800,
    ).stdout
    result: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    return result


def run(*, requests: int, tokens: int) -> dict[str, Any]:
    bare = in_subprocess("bare", str(requests))
    demo = in_subprocess("demo", str(requests))
    lean = in_subprocess("demo_without_cryptography", str(requests))
    cache = in_subprocess("tokens", str(tokens))
    after = cache["rss_kib_after"]
    full = after[str(cache["cache_size"])]
    return {
        "bare": bare,
        "demo": demo,
        "demo_over_bare": demo["peak_kib"] / bare["peak_kib"],
        "demo_without_cryptography": lean,
        "demo_without_cryptography_over_bare": lean["peak_kib"] / bare["peak_kib"],
        "token_cache": cache,
        "token_growth_after_full_kib": after[str(cache["tokens"])] - full,
    }


def main(argv: list[str]) -> None:
    kind, count = argv[0], int(argv[1])
    result = token_cache(count) if kind == "tokens" else mixed_requests(kind, count)
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
