#!/usr/bin/env python3
"""Runs the shipped operation scenarios over many seeds and sets their harm
magnitudes beside the real ranges of the domain brief (docs/validation.md).

Usage: python3 scripts/validation.py [--seeds N] [--bin target/release/mando]
Prints a Markdown table; stdlib only. Build first: cargo build --release.
"""
import argparse
import json
import statistics
import subprocess
import sys
import tempfile

SCENARIOS = [
    ("highland_airport_protest", []),
    ("highland_airport_protest", ["forces.units[2].non_lethal_kit=Full"]),
    ("mining_corridor_blockade", []),
]


def run(binary, name, sets, seed, out):
    cmd = [binary, "run", f"scenarios/{name}.ron", "--seed", str(seed), "--quiet",
           "--format", "json", "--out", out]
    for s in sets:
        cmd += ["--set", s]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)["metrics"]["operation"]["conflict"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=50)
    ap.add_argument("--bin", default="target/release/mando")
    args = ap.parse_args()
    print("| scenario | seeds | civilian dead | civilian injured+disabled | security dead | security injured | injured:killed | police share of injured | police share of dead |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for name, sets in SCENARIOS:
            rows = [run(args.bin, name, sets, seed, f"{tmp}/{name}-{seed}") for seed in range(1, args.seeds + 1)]
            def total(side, *harms):
                return [sum(r["harm_totals"][side][h] for h in harms) for r in rows]
            civ_dead = total("civilian", "dead")
            civ_inj = total("civilian", "injured", "disabled")
            sec_dead = [a + b for a, b in zip(total("pnp", "dead"), total("ffaa", "dead"))]
            sec_inj = [a + b for a, b in zip(total("pnp", "injured", "disabled"), total("ffaa", "injured", "disabled"))]
            dead, injured = sum(civ_dead) + sum(sec_dead), sum(civ_inj) + sum(sec_inj)
            ratio = f"{injured / dead:.1f}" if dead else "no deaths"
            pinj = f"{sum(sec_inj) / injured:.0%}" if injured else "-"
            pdead = f"{sum(sec_dead) / dead:.0%}" if dead else "-"
            label = name + (" (" + ", ".join(sets) + ")" if sets else "")
            m = statistics.mean
            print(f"| {label} | {len(rows)} | {m(civ_dead):.2f} | {m(civ_inj):.2f} | {m(sec_dead):.2f} | {m(sec_inj):.2f} | {ratio} | {pinj} | {pdead} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
