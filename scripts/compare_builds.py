#!/usr/bin/env python3
"""Checks that two builds of mando write byte-identical outputs: every
shipped scenario over several seeds, on one and two threads, and each
operation scenario under every command arrangement; plus a small `compare`
batch. Use it around a refactoring that must not change behaviour.

Usage: python3 scripts/compare_builds.py OLD_BINARY NEW_BINARY [--seeds N]
                                          [--ignore-metric NAME ...]
Exit 0 when every file is identical, 1 otherwise (the differing runs are
listed). Stdlib only; build both binaries in release first.

--ignore-metric NAME drops a metric that changes on purpose (a fix named in
the commit, or `final_state_hash` when the hash covers more) from
summary.json, from the batch's runs.jsonl, runs.csv and summary tables;
runs.parquet is then not compared (its columns are binary). Everything
else must still be byte-identical.
"""
import argparse
import glob
import hashlib
import json
import os
import subprocess
import sys
import tempfile

OPERATION_VARIANTS = [
    [],
    ["command.model=pnp_lead"],
    ["command.model=ffaa_control"],
    ["command.model=unified"],
    ["command.model=parallel"],
    ["command.decentralised_execution=true"],
    ["law.enforce=true"],
]
CROWD_VARIANTS = [[], ["rules.activation=Synchronous"]]


def cases(seeds):
    for path in sorted(glob.glob("scenarios/*.ron")):
        text = open(path, encoding="utf-8").read()
        variants = OPERATION_VARIANTS if "command:" in text else CROWD_VARIANTS
        for seed in range(1, seeds + 1):
            for sets in variants:
                for threads in (1, 2):
                    yield path, seed, sets, threads


IGNORED = []


def named(text):
    """Whether `text` names an ignored metric (alone or with a prefix such
    as `operation.conflict.`)."""
    return any(text == k or text.endswith("." + k) for k in IGNORED)


def without_ignored(value):
    """The JSON value with every key in IGNORED dropped, and every object
    naming an ignored metric as a value (a summary table's row) dropped."""
    if isinstance(value, dict):
        if any(named(v) for v in value.values() if isinstance(v, str)):
            return None
        kept = {k: without_ignored(v) for k, v in value.items() if not named(k)}
        return {k: v for k, v in kept.items() if v is not None or value[k] is None}
    if isinstance(value, list):
        kept = [without_ignored(v) for v in value]
        return [v for v, orig in zip(kept, value) if v is not None or orig is None]
    return value


def strip_ignored(name, data):
    if not IGNORED:
        return data
    if name in ("summary.json", "runs.jsonl"):
        lines = data.splitlines() if name == "runs.jsonl" else [data]
        return b"\n".join(json.dumps(without_ignored(json.loads(l)), sort_keys=True).encode() for l in lines)
    if name == "runs.csv":
        rows = data.decode().splitlines()
        header = rows[0].split(",")
        keep = [i for i, h in enumerate(header) if not any(k in h for k in IGNORED)]
        return "\n".join(",".join(r.split(",")[i] for i in keep) for r in rows).encode()
    if name in ("summary.csv", "summary.md"):
        return b"\n".join(l for l in data.splitlines() if not any(k.encode() in l for k in IGNORED))
    return data


def digest_folder(folder):
    out = {}
    for name in sorted(os.listdir(folder)):
        full = os.path.join(folder, name)
        if os.path.isfile(full):
            data = open(full, "rb").read()
            if name == "runs.jsonl":
                # A batch's log is in order of completion, which depends on
                # the workers; its set of lines is what must not change.
                data = b"".join(sorted(data.splitlines(keepends=True)))
            if name == "batch.json":
                # The plan's fingerprint includes a hash of the build's
                # source, which a refactoring changes by design.
                plan = json.loads(data)
                plan.pop("fingerprint", None)
                data = json.dumps(plan, sort_keys=True).encode()
            if IGNORED and name == "runs.parquet":
                continue
            data = strip_ignored(name, data)
            out[name] = hashlib.sha256(data).hexdigest()
    return out


def run(binary, case, out):
    path, seed, sets, threads = case
    cmd = [binary, "run", path, "--seed", str(seed), "--threads", str(threads), "--quiet", "--out", out]
    for s in sets:
        cmd += ["--set", s]
    done = subprocess.run(cmd, capture_output=True)
    return done.returncode, done.stdout, digest_folder(out) if os.path.isdir(out) else {}


def batch(binary, out):
    cmd = [binary, "compare", "scenarios/mining_corridor_blockade.ron", "--vary",
           "command.model=pnp_lead,parallel", "--reps", "3", "--threads", "2", "--quiet", "--out", out]
    done = subprocess.run(cmd, capture_output=True)
    return done.returncode, digest_folder(out) if os.path.isdir(out) else {}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--ignore-metric", action="append", default=[])
    args = ap.parse_args()
    IGNORED.extend(args.ignore_metric)
    differ = []
    n = 0
    with tempfile.TemporaryDirectory() as tmp:
        for i, case in enumerate(cases(args.seeds)):
            a = run(args.old, case, f"{tmp}/a{i}")
            b = run(args.new, case, f"{tmp}/b{i}")
            n += 1
            if a[0] != 0:
                sys.exit(f"the old build failed on {case}: {a[1].decode(errors='replace')}")
            if a != b:
                differ.append((case, sorted(k for k in set(a[2]) | set(b[2]) if a[2].get(k) != b[2].get(k))))
        a = batch(args.old, f"{tmp}/batch-a")
        b = batch(args.new, f"{tmp}/batch-b")
        n += 1
        if a != b:
            differ.append(("compare batch", sorted(k for k in set(a[1]) | set(b[1]) if a[1].get(k) != b[1].get(k))))
    for case, files in differ:
        print(f"DIFFERS: {case}: {', '.join(files) or 'exit code or standard output'}")
    print(f"{n - len(differ)} of {n} runs identical")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
