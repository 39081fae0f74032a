#!/usr/bin/env python3
"""What writing a run's outputs and its report costs: the median wall time
of `mando run` (which records map.json) over repeated runs, against
another build if given, and the time and size of `mando report` on the
folder. Stdlib only; build in release first.

Usage: python3 scripts/bench_outputs.py [--reps 5] [--baseline OLD_BINARY]
"""
import argparse
import os
import statistics
import subprocess
import tempfile
import time

CASES = [
    ("mining_corridor_blockade", ["scenarios/mining_corridor_blockade.ron"]),
    ("epstein 300x300, 200 ticks", ["scenarios/epstein_classic.ron", "--set", "map.width_cells=300",
                                     "--set", "map.height_cells=300", "--ticks", "200"]),
]


def timed(cmd):
    """Wall seconds of one command."""
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--bin", default="target/release/mando")
    ap.add_argument("--baseline")
    args = ap.parse_args()
    builds = [("this build", args.bin)] + ([("baseline", args.baseline)] if args.baseline else [])
    print("| case | build | run, median s | report s | report MB |")
    print("|---|---|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for name, case in CASES:
            for label, binary in builds:
                out = os.path.join(tmp, "run")
                walls = [timed([binary, "run", *case, "--quiet", "--out", out]) for _ in range(args.reps)]
                report, size = "", ""
                if label == "this build":
                    page = os.path.join(tmp, "report.html")
                    report = f"{timed([binary, 'report', out, '-o', page, '--quiet']):.2f}"
                    size = f"{os.path.getsize(page) / 1e6:.1f}"
                print(f"| {name} | {label} | {statistics.median(walls):.2f} | {report} | {size} |")


if __name__ == "__main__":
    main()
