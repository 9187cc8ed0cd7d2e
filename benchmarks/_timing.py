"""Timing and report helpers shared by the benchmark scripts (run as ``python benchmarks/<script>.py``)."""

import argparse
import json
import os
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def parse_args(doc, name, argv=None, quick_help="tiny timings, output to /tmp"):
    """The options every speed benchmark takes: ``--quick`` (a smoke test) and ``--out``.

    Returns:
        argparse.Namespace: ``quick`` and ``out``, the output prefix: ``--out``, else
        ``/tmp/<name>`` with ``--quick`` (so a smoke test never overwrites the record),
        else ``benchmarks/<name>``.
    """
    p = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help=quick_help)
    p.add_argument("--out", default=None, help=f"output prefix (default benchmarks/{name})")
    args = p.parse_args(argv)
    args.out = args.out or os.path.join("/tmp" if args.quick else HERE, name)
    return args


def write_report(prefix, record, lines, indent=1):
    """Write ``prefix.json`` (the record) and ``prefix.md`` (the lines), print the table and where it went."""
    with open(prefix + ".json", "w") as f:
        json.dump(record, f, indent=indent)
    with open(prefix + ".md", "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))
    print(f"wrote {prefix}.json and {prefix}.md")


def rate(fn, n_items, min_seconds, min_reps=3):
    """Items per second of ``fn`` (which processes ``n_items`` per call), median over repeats.

    One untimed warm-up call first (it traces any ``tf.function``), then calls
    until both ``min_seconds`` of timed work and ``min_reps`` calls are done.

    Returns:
        tuple: ``(items_per_second, number_of_timed_calls)``.
    """
    fn()  # warm-up
    times, total = [], 0.0
    while total < min_seconds or len(times) < min_reps:
        t0 = time.perf_counter()
        fn()
        dt = time.perf_counter() - t0
        times.append(dt)
        total += dt
    times.sort()
    return n_items / times[len(times) // 2], len(times)
