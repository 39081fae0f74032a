#!/usr/bin/env python3
"""Runs the shipped operation scenarios over many seeds and sets their harm
and arrest magnitudes beside the real ranges of the domain brief and the
targets of issue 18 (docs/validation.md).

Usage: python3 scripts/validation.py [--seeds N] [--bin target/release/mando]
Prints Markdown: a table per scenario, then the pooled figures against
each target with whether they are met. Stdlib only. Build first:
cargo build --release.
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
    # Detention without its bounds (places, processing time): not pooled.
    ("mining_corridor_blockade", ["detention.holding_per_zone=1000000", "detention.processing_minutes=1"]),
]
# The shipped social-conflict scenarios as shipped, pooled for the targets.
POOLED = [("highland_airport_protest", []), ("mining_corridor_blockade", [])]

# (name, low, high, how it is pooled); issue 18 items 3 and 4, from the
# record in the domain brief (2013-19: 1,894 injured, 62 dead; police 42%
# of the injured, 8% of the dead).
TARGETS = [
    ("injured to killed, all sides", 20.0, 45.0),
    ("police share of the injured", 0.30, 0.55),
    ("police share of the dead", 0.02, 0.15),
    ("arrests per crowd member per day", 0.0, 0.2),
    ("bystanders' share of arrests", 0.0, 0.05),
]
BYSTANDERS = "bystanders' share of arrests"


def run(binary, name, sets, seed, out):
    cmd = [binary, "run", f"scenarios/{name}.ron", "--seed", str(seed), "--quiet",
           "--format", "json", "--out", out]
    for s in sets:
        cmd += ["--set", s]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def harm_figures(totals):
    """Per-run harm and the pooled ratios over `totals` (each run's
    harm_totals: side -> harm -> count); a ratio with nothing to divide by
    is None."""
    def total(sides, *harms):
        return sum(t[s][h] for t in totals for s in sides for h in harms)
    security = ("pnp", "ffaa")
    civ_dead, civ_inj = total(["civilian"], "dead"), total(["civilian"], "injured", "disabled")
    sec_dead, sec_inj = total(security, "dead"), total(security, "injured", "disabled")
    dead, injured = civ_dead + sec_dead, civ_inj + sec_inj
    n = len(totals)
    return {
        "runs": n,
        "civilian dead": civ_dead / n,
        "civilian injured": civ_inj / n,
        "security dead": sec_dead / n,
        "security injured": sec_inj / n,
        "injured to killed, all sides": injured / dead if dead else None,
        "police share of the injured": sec_inj / injured if injured else None,
        "police share of the dead": sec_dead / dead if dead else None,
    }


def figures(reports):
    """Pooled harm and arrest figures over `reports` (one per run)."""
    f = harm_figures([r["metrics"]["operation"]["conflict"]["harm_totals"] for r in reports])
    arrests = sum(r["metrics"]["total_arrests"] for r in reports)
    bystanders = sum(r["metrics"]["operation"]["conflict"]["arrests_by_type"].get("bystander", 0) for r in reports)
    person_days = sum(
        r["metrics"]["population"] * r["ticks"] * r["parameters"]["metadata"]["minutes_per_tick"] / 1440
        for r in reports)
    f["arrests per crowd member per day"] = arrests / person_days
    f["bystanders' share of arrests"] = bystanders / arrests if arrests else None
    return f


def show(x, share=False):
    if x is None:
        return "–"
    return f"{x:.0%}" if share else f"{x:.2f}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--bin", default="target/release/mando")
    ap.add_argument("--calibration", default="docs/calibration.json")
    args = ap.parse_args()
    reports = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, sets in SCENARIOS:
            reports[(name, tuple(sets))] = [
                run(args.bin, name, sets, seed, f"{tmp}/{name}-{len(sets)}-{seed}")
                for seed in range(1, args.seeds + 1)]
    print("| scenario | seeds | civilian dead | civilian injured+disabled | security dead | security injured "
          "| injured:killed | police share of injured | police share of dead | arrests per person-day "
          "| bystanders' share of arrests |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for (name, sets), rs in reports.items():
        f = figures(rs)
        label = name + (" (" + ", ".join(sets) + ")" if sets else "")
        print(f"| {label} | {f['runs']} | {f['civilian dead']:.2f} | {f['civilian injured']:.2f} "
              f"| {f['security dead']:.2f} | {f['security injured']:.2f} "
              f"| {show(f['injured to killed, all sides'])} | {show(f['police share of the injured'], True)} "
              f"| {show(f['police share of the dead'], True)} | {show(f['arrests per crowd member per day'])} "
              f"| {show(f[BYSTANDERS], True)} |")
    pooled = figures([r for key in POOLED for r in reports[(key[0], tuple(key[1]))]])
    print()
    print(f"Pooled over {', '.join(n for n, _ in POOLED)} as shipped ({pooled['runs']} runs):")
    print()
    print("| target | model | range | met |")
    print("|---|---:|---:|---|")
    for name, low, high in TARGETS:
        share = "share" in name
        x = pooled[name]
        met = "–" if x is None else ("yes" if low <= x <= high else "no")
        rng = f"{low:.0%}–{high:.0%}" if share else f"{low:g}–{high:g}"
        print(f"| {name} | {show(x, share)} | {rng} | {met} |")
    calibration(args.calibration)
    return 0


def calibration(path):
    """The fitted harm parameters and their plausible ranges, from
    scripts/calibrate.py's output."""
    try:
        with open(path) as f:
            c = json.load(f)
    except FileNotFoundError:
        return
    print()
    print(f"Harm parameters fitted by {c['method']}: {c.get('rounds', 1)} round(s) of {c['samples']} points, "
          f"{c['replications']} replications each of {', '.join(c['scenarios'])}; in the last, the "
          f"{c['accepted']} nearest the record kept (distance "
          f"{c['accepted_distance'][0]:.2f} to {c['accepted_distance'][1]:.2f}; 0 = every target met). The "
          f"shipped defaults are the posterior medians.")
    print()
    print("| parameter | prior | default (posterior median) | plausible (5–95%) | source of the prior |")
    print("|---|---|---:|---|---|")
    for p, q in c["posterior"].items():
        print(f"| `{p}` | {q['prior'][0]:g}–{q['prior'][1]:g} | {q['median']:.3f} | {q['p05']:.3f}–{q['p95']:.3f} "
              f"| {q['source']} |")


if __name__ == "__main__":
    sys.exit(main())
