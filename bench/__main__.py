"""``python -m bench [--quick | --full]``: every benchmark, one process run, ratios first.

``--quick`` (the default) takes a few minutes; ``--full`` takes longer samples, verifies
1,000,000 tokens, and adds the real-server runs (gunicorn, granian, wrk). The table goes
to stdout, everything to ``bench/results/<timestamp>.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from typing import Any

from . import memory, server, signin, sql, wsgi
from .timing import machine_line

PROFILES = {
    "quick": {
        "wsgi": {"rounds": 11, "calls": 500},
        "signin": {"samples": 8, "big_store": 100_000},
        "memory": {"requests": 10_000, "tokens": 50_000},
        "sql": {"rounds": 15, "users": 100_000},
        "server": None,
    },
    "full": {
        "wsgi": {"rounds": 31, "calls": 1000},
        "signin": {"samples": 25, "big_store": 100_000},
        "memory": {"requests": 10_000, "tokens": 1_000_000},
        "sql": {"rounds": 31, "users": 100_000},
        "server": {"seconds": 10, "rounds": 2},
    },
}


def verdict(value: float, target: float, *, at_most: bool = False) -> str:
    ok = value <= target if at_most else value >= target
    return f"{'ok  ' if ok else 'MISS'} (target {'<=' if at_most else '>='} {target:g})"


def report(results: dict[str, Any]) -> list[str]:
    lines = [f"machine: {results['machine']}", f"profile: {results['profile']}", ""]
    w = results["wsgi"]
    lines.append(f"In-process WSGI (CPU time, median of {w['rounds']} rounds x {w['calls']} calls)")
    for row in w["rows"].values():
        lines.append(
            f"  {row['label']:<52} {row['requests_per_second']:8.0f} req/s "
            f"{row['microseconds']:7.1f} us  (spread {row['spread']:.0%})"
        )
    for key, reason in w["skipped"].items():
        lines.append(f"  ({key}) skipped: {reason}")
    lines.append("  (b1/a1, e1/aj1, d1/a1, f1/a1: against the clean baseline, session cookie only)")
    for key, value in w["ratios"].items():
        target = w["targets"].get(key)
        low, high = w["ratio_spreads"][key]
        lines.append(
            f"  ratio {key:<8} {value:6.3f}  (rounds {low:.3f}..{high:.3f})  "
            f"{verdict(value, target) if target else ''}"
        )

    s = results["signin"]
    e, m = s["existing"], s["missing"]
    lines += ["", f"Sign-in (bcrypt cost {s['bcrypt_rounds']}, median of {s['samples']})"]
    lines.append(
        f"  existing account: {e['sign_in_ms']:.1f} ms, bcrypt {e['bcrypt_ms']:.1f} ms, "
        f"overhead {e['overhead_ms']:.2f} ms  {verdict(e['overhead_ms'], 5, at_most=True)}"
    )
    lines.append(
        f"  missing account:  {m['sign_in_ms']:.1f} ms, overhead {m['overhead_ms']:.2f} ms; "
        f"missing/existing {s['missing_over_existing']:.3f} (target within 5%)"
    )
    c4 = s["overhead_at_cost_4"]
    lines.append(
        f"  at cost 4 (bcrypt {c4['existing']['bcrypt_ms']:.2f} ms): overhead "
        f"{c4['existing']['overhead_ms']:.2f} ms existing, {c4['missing']['overhead_ms']:.2f} ms"
        f" missing {verdict(c4['existing']['overhead_ms'], 5, at_most=True)}"
    )
    st = s["store_scaling"]
    lines.append(
        f"  store {st['users_large']:,} vs {st['users_small']} users: "
        f"{st['sign_in_ms_large']:.1f} vs {st['sign_in_ms_small']:.1f} ms, ratio "
        f"{st['large_over_small']:.3f} (target within 10%)"
    )
    c = s["all_cores"]
    lines.append(
        f"  all cores ({c['workers']} workers): {c['sign_ins_per_second']:.2f} sign-ins/s; "
        f"limit cores/bcrypt {c['bcrypt_limit_per_second']:.2f}/s -> "
        f"{c['fraction_of_limit']:.2f} {verdict(c['fraction_of_limit'], 0.9)}; "
        f"bare bcrypt on all cores {c['bcrypt_only_per_second']:.2f}/s -> "
        f"{c['fraction_of_bcrypt_only']:.2f}"
    )

    mem = results["memory"]
    lines += ["", f"Memory (peak RSS after {mem['demo']['requests']:,} mixed requests)"]
    for kind in ("bare", "demo", "demo_without_cryptography"):
        lines.append(f"  {kind:<26} {mem[kind]['peak_kib'] / 1024:6.1f} MiB")
    ratio = mem["demo_over_bare"]
    lines.append(
        f"  demo/bare {ratio:.2f} {verdict(ratio, 1.3, at_most=True)}"
        f"; without cryptography {mem['demo_without_cryptography_over_bare']:.2f}"
    )
    t = mem["token_cache"]
    lines.append(
        f"  token cache: {t['tokens']:,} distinct tokens, "
        f"cache {t['cache_len']}/{t['cache_size']}, RSS growth after the cache filled "
        f"{mem['token_growth_after_full_kib'] / 1024:.2f} MiB"
    )

    lines += ["", *sql.report(results["sql"])]

    srv = results.get("server")
    if srv:
        lines += ["", "Real server (wrk -t2 -c32, 2 workers, 127.0.0.1)"]
        if "skipped" in srv:
            lines.append(f"  skipped: {srv['skipped']}")
        for name in ("gunicorn", "granian"):
            if name not in srv:
                continue
            best = srv[name]["median"]
            for page in ("dashboard", "session", "bare"):
                r = best[page]
                lines.append(
                    f"  {name:<9} {page:<10} {r['requests_per_second']:8.0f} req/s  "
                    f"p50 {r['p50_ms']:.2f} ms  p99 {r['p99_ms']:.2f} ms  non-2xx {r['non_2xx']}"
                )
            ratio = best["session_over_bare"]
            lines.append(f"  {name:<9} session/bare {ratio:.3f} {verdict(ratio, 0.85)}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--quick", action="store_const", dest="profile", const="quick")
    group.add_argument("--full", action="store_const", dest="profile", const="full")
    parser.set_defaults(profile="quick")
    profile = parser.parse_args().profile
    settings = PROFILES[profile]
    started = time.time()
    results: dict[str, Any] = {"machine": machine_line(), "profile": profile, "started": started}
    results["wsgi"] = wsgi.run(**settings["wsgi"])
    results["signin"] = signin.run(**settings["signin"])
    results["memory"] = memory.run(**settings["memory"])
    results["sql"] = sql.run(**settings["sql"])
    if settings["server"]:
        results["server"] = server.run(**settings["server"])
    results["seconds"] = time.time() - started
    print("\n".join(report(results)))
    directory = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")
    os.makedirs(directory, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S", time.localtime(started))
    path = os.path.join(directory, f"{stamp}-{profile}.json")
    with open(path, "w") as file:
        json.dump(results, file, indent=1)
    print(f"\n{results['seconds']:.0f} s; results written to {os.path.relpath(path)}")


if __name__ == "__main__":
    main()
