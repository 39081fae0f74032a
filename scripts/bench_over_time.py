#!/usr/bin/env python3
"""Times the tick's largest cases again and again over a stretch of time,
and prints each run and a summary per case (docs/performance.md).

On a shared virtual machine the same binary runs up to 1.5x slower in some
hours than in others, so one criterion run says little about a target. This
runs the named cases every few minutes for as long as asked, alternating
the order of the bench binaries given (to compare two commits in the same
minutes), and reports for each case and binary the median, the fastest
and the slowest run, in ms per tick (at 1M civilians also ns per civilian).

Usage:
  cargo bench --bench tick --no-run          # builds target/release/deps/tick-*
  python3 scripts/bench_over_time.py --minutes 60 --every 5 \\
      [--bench NAME=PATH ...] [--case CASE ...]

Without --bench it uses the newest tick bench binary under target/release/deps.
Stdlib only. Keep the machine otherwise idle while it runs.
"""
import argparse
import glob
import os
import re
import statistics
import subprocess
import sys
import time

CASES = ["synchronous_1t/civilians_1000000", "synchronous_2t/civilians_1000000"]
UNITS = {"ns": 1e-6, "µs": 1e-3, "us": 1e-3, "ms": 1.0, "s": 1e3}
TIME = re.compile(r"^\s*time:\s+\[([\d.]+) (\S+) ([\d.]+) (\S+) ([\d.]+) (\S+)\]", re.M)


def newest_bench():
    found = [p for p in glob.glob("target/release/deps/tick-*") if os.access(p, os.X_OK) and not p.endswith(".d")]
    if not found:
        sys.exit("no tick bench binary: run `cargo bench --bench tick --no-run` first")
    return max(found, key=os.path.getmtime)


def one_run(binary, case):
    """Criterion's middle estimate of one tick, in ms."""
    done = subprocess.run([binary, "--bench", "--warm-up-time", "2", "--measurement-time", "6", f"{case}$"],
                          capture_output=True, text=True)
    m = TIME.search(done.stdout + done.stderr)
    if done.returncode != 0 or not m:
        sys.exit(f"{binary} {case}: no timing in its output (exit {done.returncode})")
    return float(m.group(3)) * UNITS[m.group(4)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--minutes", type=float, default=60, help="how long to keep measuring")
    ap.add_argument("--every", type=float, default=5, help="minutes from the start of one round to the next")
    ap.add_argument("--bench", action="append", default=[], metavar="NAME=PATH", help="a bench binary (repeatable)")
    ap.add_argument("--case", action="append", default=[], help=f"a case (repeatable; default {CASES})")
    args = ap.parse_args()
    benches = [tuple(b.split("=", 1)) for b in args.bench] or [("current", newest_bench())]
    cases = args.case or CASES
    runs = {(c, n): [] for c in cases for n, _ in benches}
    start = time.time()
    round_no = 0
    while True:
        began = time.time()
        order = benches if round_no % 2 == 0 else benches[::-1]
        for case in cases:
            for name, path in order:
                ms = one_run(path, case)
                runs[(case, name)].append(ms)
                print(f"{time.strftime('%H:%M:%S')}  {case}  {name}  {ms:.2f} ms", flush=True)
        round_no += 1
        wait = max(0.0, args.every * 60 - (time.time() - began))
        if time.time() - start + wait >= args.minutes * 60:
            break
        time.sleep(wait)
    print()
    print("| case | binary | runs | median ms | fastest | slowest |")
    print("|---|---|---:|---:|---:|---:|")
    for (case, name), v in runs.items():
        print(f"| {case} | {name} | {len(v)} | {statistics.median(v):.1f} | {min(v):.1f} | {max(v):.1f} |")
    print("\nAt 1M civilians, ms per tick = ns per civilian per tick.")


if __name__ == "__main__":
    main()
