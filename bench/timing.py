"""Interleaved rounds and medians: how every in-process figure is taken."""

from __future__ import annotations

import gc
import os
import platform
import statistics
import time
from collections.abc import Callable, Mapping


def machine_line() -> str:
    """CPU model, cores and Python: the line every result is quoted with."""
    model = platform.processor() or "unknown cpu"
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return (
        f"{model}, {os.cpu_count()} cores, Python {platform.python_version()} "
        f"({platform.python_implementation()}), {platform.system()} {platform.release()}"
    )


def seconds_per_call(function: Callable[[], object], calls: int) -> float:
    """CPU seconds of this process per call.

    CPU time rather than wall time: on a shared machine another process taking the core
    stretches the wall clock of whichever variant happens to run, but not its CPU time.
    """
    gc.collect()
    start = time.process_time()
    for _ in range(calls):
        function()
    return (time.process_time() - start) / calls


def interleaved(
    variants: Mapping[str, Callable[[], object]], *, rounds: int, calls: int
) -> dict[str, list[float]]:
    """Seconds per call of each variant, one sample per round, the variants taking turns.

    A warm-up call of each comes first (caches, lazy imports); the order rotates each
    round so that no variant always follows the same neighbour.
    """
    names = list(variants)
    for name in names:
        seconds_per_call(variants[name], max(1, calls // 10))
    samples: dict[str, list[float]] = {name: [] for name in names}
    for round_number in range(rounds):
        shift = round_number % len(names)
        for name in names[shift:] + names[:shift]:
            samples[name].append(seconds_per_call(variants[name], calls))
    return samples


def median_ratio(baseline: list[float], variant: list[float]) -> float:
    """Throughput of ``variant`` over ``baseline``: the median of the per-round ratios."""
    return statistics.median(b / v for b, v in zip(baseline, variant, strict=True))


def spread(samples: list[float]) -> float:
    """Relative spread (max - min) / median of the samples: the noise we report."""
    middle = statistics.median(samples)
    return (max(samples) - min(samples)) / middle if middle else 0.0


def quartiles(baseline: list[float], variant: list[float]) -> tuple[float, float]:
    """The lower and upper quartile of the per-round ratios: how far one round strays."""
    ratios = sorted(b / v for b, v in zip(baseline, variant, strict=True))
    q = statistics.quantiles(ratios, n=4) if len(ratios) > 1 else ratios * 3
    return q[0], q[2]
