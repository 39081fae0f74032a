#!/usr/bin/env python3
"""Calibrates mando's harm parameters to the record by rejection approximate
Bayesian computation (issue 18, item 4; docs/validation.md, "Calibration").

1. A Latin hypercube of `--samples` points over the uncertain parameters,
   each drawn from its plausible range (the prior: uniform over the range
   the domain brief gives, or an assumption where it gives none).
2. For each point, `mando sweep` runs every shipped social-conflict scenario
   `--reps` times (common random numbers), and the point's harm figures are
   pooled over all of them.
3. The distance of a point to the record is how far each pooled figure lies
   outside its target range, in units of the range (log scale for the
   injured-to-killed ratio), summed over the targets; 0 inside all ranges.
4. The `--accept` share of points nearest the record are kept. With
   `--rounds 2` or more, the next round samples the box of the kept
   points' 5-95% ranges (a sequential narrowing in the manner of ABC-SMC,
   without its importance weights: the ranges are conditional on the box).
5. The last round's kept points are the posterior: its medians are the
   fitted values, its 5-95% spread their plausible ranges. A check run at
   the medians on fresh seeds reports the fit.

Writes docs/calibration.json (read by scripts/validation.py) and prints a
Markdown report. Rerunnable: the same arguments give the same numbers.

With --apply, writes the posterior medians of docs/calibration.json into
the defaults (src/scenario/defaults.rs), rounded to 3 decimals, and runs
nothing else.

Usage: python3 scripts/calibrate.py [--samples 256] [--reps 3] [--rounds 2]
       [--accept 0.1] [--bin target/release/mando] [--out runs/calibration]
       [--seed 18]
       python3 scripts/calibrate.py --apply
Stdlib only. Build first: cargo build --release.
"""
import argparse
import csv
import json
import math
import os
import re
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import validation  # noqa: E402  (the pooled harm figures and single runs)

SCENARIOS = ["highland_airport_protest", "mining_corridor_blockade"]

# (path, low, high, source of the range)
PARAMETERS = [
    ("force.lethal_hit_probability", 0.3, 0.6, "brief: hit per aimed shot 0.3-0.6"),
    ("force.lethal_death_given_hit", 0.2, 0.5, "brief: death given hit 0.2-0.5"),
    ("force.kinetic_injury_probability", 0.2, 0.5, "brief: KIP injury 0.2-0.5"),
    ("force.kinetic_share", 0.2, 0.8, "assumption: gas or pellets"),
    ("force.stones_injury_probability", 0.02, 0.05, "brief: 0.02-0.05 per exposure minute"),
    ("force.no_kit_lethal_probability", 0.2, 0.8, "brief: p_no_nlw 0.2-0.8"),
    ("force.evacuation_death_probability", 0.05, 0.2, "brief: 0.05-0.2 for a critical patient"),
    ("force.ffaa_overclassify_probability", 0.1, 0.3, "assumption around the brief's 0.2"),
    ("force.perception_sigma_ffaa", 0.3, 0.8, "assumption around the brief's 0.6"),
    ("force.untrained_escalation_probability", 0.2, 0.5, "assumption around the brief's per-kind values"),
    ("force.reassess_minutes", 5.0, 30.0, "assumption: a use of force is an incident; 5 to 30 min between them"),
    ("force.officer_death_given_injury", 0.002, 0.02, "record: about 5 police dead to 794 injured, 2013-19"),
    ("crowd.death_legitimacy_loss", 0.01, 0.08, "brief: 0.01-0.08"),
    ("crowd.firearms_share", 0.0, 0.3, "assumption: firearms rare, among shock groups and agitators"),
    ("force.unauthorised_fire_probability", 0.05, 0.5, "assumption: a unit under stones fires without leave"),
]

# The constant in src/scenario/defaults.rs each parameter's default is.
DEFAULTS = {
    "force.lethal_hit_probability": "LETHAL_HIT_PROBABILITY",
    "force.lethal_death_given_hit": "LETHAL_DEATH_GIVEN_HIT",
    "force.kinetic_injury_probability": "KINETIC_INJURY_PROBABILITY",
    "force.kinetic_share": "KINETIC_SHARE",
    "force.stones_injury_probability": "STONES_INJURY_PROBABILITY",
    "force.no_kit_lethal_probability": "NO_KIT_LETHAL_PROBABILITY",
    "force.evacuation_death_probability": "EVACUATION_DEATH_PROBABILITY",
    "force.ffaa_overclassify_probability": "FFAA_OVERCLASSIFY_PROBABILITY",
    "force.perception_sigma_ffaa": "PERCEPTION_SIGMA_FFAA",
    "force.untrained_escalation_probability": "UNTRAINED_ESCALATION_PROBABILITY",
    "force.reassess_minutes": "REASSESS_MINUTES",
    "force.officer_death_given_injury": "OFFICER_DEATH_GIVEN_INJURY",
    "crowd.death_legitimacy_loss": "DEATH_LEGITIMACY_LOSS",
    "crowd.firearms_share": "FIREARMS_SHARE_ORGANISED",
    "force.unauthorised_fire_probability": "UNAUTHORISED_FIRE_PROBABILITY",
}


def apply(calibration, defaults="src/scenario/defaults.rs"):
    """Writes the posterior medians into the defaults' constants."""
    with open(calibration) as f:
        posterior = json.load(f)["posterior"]
    with open(defaults) as f:
        text = f.read()
    for path, const in DEFAULTS.items():
        value = round(posterior[path]["median"], 3)
        pattern = re.compile(rf"(pub const {const}: f64 = )[0-9.]+;")
        text, n = pattern.subn(rf"\g<1>{value!r};", text)
        if n != 1:
            raise SystemExit(f"{const} not found once in {defaults}")
        print(f"{const} = {value}")
    with open(defaults, "w") as f:
        f.write(text)


# (name, low, high, log scale); from the record (brief section 3:
# 2013-19, 1,894 injured and 62 dead; police 42% of the injured, 8% of the
# dead).
TARGETS = [
    ("injured to killed, all sides", 20.0, 45.0, True),
    ("police share of the injured", 0.30, 0.55, False),
    ("police share of the dead", 0.02, 0.15, False),
]


def sweep_spec(scenario, samples, reps, seed, extra, box):
    params = ",\n".join(f'        (path: "{p}", range: ({lo}, {hi}))' for p, (lo, hi) in box.items())
    sets = ", ".join(f'"{s}"' for s in extra)
    return (f'Sweep(\n    scenario: "{os.path.abspath(f"scenarios/{scenario}.ron")}",\n'
            f'    design: LatinHypercube(samples: {samples}),\n    parameters: [\n{params}\n    ],\n'
            f'    replications: {reps},\n    seed: {seed},\n    set: [{sets}],\n)\n')


def run_sweeps(binary, out, samples, reps, seed, box, extra=()):
    """Rows of every scenario's runs.csv, by scenario."""
    rows = {}
    for name in SCENARIOS:
        folder = os.path.join(out, name)
        os.makedirs(folder, exist_ok=True)
        spec = os.path.join(folder, "spec.ron")
        with open(spec, "w") as f:
            f.write(sweep_spec(name, samples, reps, seed, extra, box))
        subprocess.run([binary, "sweep", spec, "--out", os.path.join(folder, "runs"), "--quiet"], check=True)
        with open(os.path.join(folder, "runs", "runs.csv")) as f:
            rows[name] = list(csv.DictReader(f))
    return rows


CHECK_SEEDS = range(101, 111)
SIDES = ("civilian", "pnp", "ffaa")
HARMS = ("injured", "disabled", "dead")


def totals_of(row):
    """A runs.csv row's harm totals, as summary.json has them."""
    def figure(side, harm):
        v = row.get(f"operation.conflict.harm_totals.{side}.{harm}", "")
        return float(v) if v else 0.0
    return {side: {h: figure(side, h) for h in HARMS} for side in SIDES}


def pooled(rows):
    """The target figures pooled over `rows` (runs.csv rows)."""
    return validation.harm_figures([totals_of(r) for r in rows])


def distance(figures):
    """How far outside the target ranges, in range widths (0: inside all)."""
    d = 0.0
    for name, lo, hi, log in TARGETS:
        x = figures[name]
        if x is None:  # nobody killed, or nobody hurt
            x = math.inf if log else 0.0
        if log:
            x, lo, hi = (math.log(max(x, 1e-9)) if x != math.inf else 99.0), math.log(lo), math.log(hi)
        width = hi - lo
        d += max(0.0, lo - x, x - hi) / width
    return d


def quantile(values, q):
    v = sorted(values)
    return v[min(len(v) - 1, max(0, round(q * (len(v) - 1))))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", type=int, default=256)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--accept", type=float, default=0.1)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--seed", type=int, default=18)
    ap.add_argument("--bin", default="target/release/mando")
    ap.add_argument("--out", default="runs/calibration")
    ap.add_argument("--write", default="docs/calibration.json")
    ap.add_argument("--apply", action="store_true")
    args = ap.parse_args()
    if args.apply:
        apply(args.write)
        return 0

    box = {p: (lo, hi) for p, lo, hi, _ in PARAMETERS}
    boxes = []
    for round_ in range(args.rounds):
        boxes.append(dict(box))
        out = os.path.join(args.out, f"round{round_ + 1}")
        rows = run_sweeps(args.bin, out, args.samples, args.reps, args.seed + round_, box)
        points = {}
        for name in SCENARIOS:
            for r in rows[name]:
                points.setdefault(int(r["condition"]), []).append(r)
        scored = []
        for c, rs in sorted(points.items()):
            f = pooled(rs)
            scored.append((distance(f), c, {p: float(rs[0][p]) for p, *_ in PARAMETERS}, f))
        scored.sort(key=lambda s: (s[0], s[1]))
        kept = scored[:max(1, round(args.accept * len(scored)))]
        box = {p: (quantile([k[2][p] for k in kept], 0.05), quantile([k[2][p] for k in kept], 0.95))
               for p, *_ in PARAMETERS}
    posterior = {}
    for p, lo, hi, source in PARAMETERS:
        values = [k[2][p] for k in kept]
        posterior[p] = {
            "prior": [lo, hi], "source": source, "median": statistics.median(values),
            "p05": quantile(values, 0.05), "p95": quantile(values, 0.95),
        }
    # The fit at the posterior medians, on fresh seeds.
    medians = [f"{p}={posterior[p]['median']:.4f}" for p, *_ in PARAMETERS]
    check_out = os.path.join(args.out, "check")
    reports = [validation.run(args.bin, name, medians, seed, os.path.join(check_out, f"{name}-{seed}"))
               for name in SCENARIOS for seed in CHECK_SEEDS]
    check = validation.harm_figures([r["metrics"]["operation"]["conflict"]["harm_totals"] for r in reports])

    result = {
        "method": "rejection ABC over a Latin hypercube (scripts/calibrate.py)",
        "samples": args.samples, "replications": args.reps, "accepted": len(kept), "seed": args.seed,
        "rounds": args.rounds, "boxes": [{p: list(b[p]) for p in b} for b in boxes],
        "scenarios": SCENARIOS,
        "targets": [{"name": n, "low": lo, "high": hi} for n, lo, hi, _ in TARGETS],
        "accepted_distance": [kept[0][0], kept[-1][0]],
        "posterior": posterior,
        "check_at_medians": {"seeds": [CHECK_SEEDS.start, CHECK_SEEDS.stop - 1], **check},
    }
    with open(args.write, "w") as f:
        json.dump(result, f, indent=1, sort_keys=True)
        f.write("\n")

    print(f"Rejection ABC, {args.rounds} round(s): {args.samples} points x {args.reps} replications x "
          f"{len(SCENARIOS)} scenarios a round; in the last, kept the {len(kept)} nearest the record (distance {kept[0][0]:.2f} to {kept[-1][0]:.2f}; 0 = every "
          f"target met).\n")
    print("| parameter | prior | fitted (posterior median) | plausible (5-95%) | source of the prior |")
    print("|---|---|---:|---|---|")
    for p, lo, hi, source in PARAMETERS:
        q = posterior[p]
        print(f"| `{p}` | {lo}-{hi} | {q['median']:.3f} | {q['p05']:.3f}-{q['p95']:.3f} | {source} |")
    print(f"\nAt the fitted values (seeds {CHECK_SEEDS.start}-{CHECK_SEEDS.stop - 1} of each scenario):\n")
    print("| target | model | range |")
    print("|---|---:|---|")
    for name, lo, hi, _ in TARGETS:
        shown = validation.show(check[name], "share" in name)
        rng = f"{lo:.0%}-{hi:.0%}" if "share" in name else f"{lo:g}-{hi:g}"
        print(f"| {name} | {shown} | {rng} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
