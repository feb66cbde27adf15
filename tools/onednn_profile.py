#!/usr/bin/env python3
"""Where a run's oneDNN time goes: runs a command with ONEDNN_VERBOSE=1 and sums the execution
lines oneDNN prints, per primitive kind and implementation (the kernel that ran, with its ISA).

Usage: onednn_profile.py [--runs N] -- COMMAND...
  e.g. onednn_profile.py --runs 20 -- build/release/src/pt2run bench m.pt2 --iterations 20 -t 1
--runs divides the totals by the number of model runs the command made (its warm-up runs
included: pt2run bench makes one first run before its iterations), to give time per run.

Prints one line per (primitive, implementation): calls and milliseconds per run, and the share
of all oneDNN time. Reorders of weights on every run show up here as reorder calls per run.
"""
import argparse
import collections
import os
import subprocess
import sys


def parse(lines):
    """(primitive, implementation) -> [calls, total ms] from oneDNN's verbose lines."""
    totals = collections.defaultdict(lambda: [0, 0.0])
    for line in lines:
        if not line.startswith("onednn_verbose,"):
            continue
        fields = line.rstrip("\n").split(",")
        # oneDNN 3.x: onednn_verbose,[timestamp,][primitive,]exec,cpu,KIND,IMPL,...,TIME
        if "exec" not in fields:
            continue
        at = fields.index("exec")
        if len(fields) < at + 4:
            continue
        try:
            ms = float(fields[-1])
        except ValueError:
            continue
        entry = totals[(fields[at + 2], fields[at + 3])]
        entry[0] += 1
        entry[1] += ms
    return totals


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=1, help="model runs the command makes")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    ns = parser.parse_args()
    command = ns.command[1:] if ns.command[:1] == ["--"] else ns.command
    if not command:
        parser.error("give the command to profile after --")
    proc = subprocess.run(command, env=dict(os.environ, ONEDNN_VERBOSE="1"), capture_output=True, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr[-2000:])
        sys.exit(f"onednn_profile: the command failed (exit {proc.returncode})")
    totals = parse(proc.stdout.splitlines())
    if not totals:
        sys.exit("onednn_profile: the command ran no oneDNN primitive")
    grand = sum(ms for _, ms in totals.values())
    print(f"{'primitive':14} {'implementation':34} {'calls/run':>9} {'ms/run':>9} {'share':>6}")
    for (kind, impl), (calls, ms) in sorted(totals.items(), key=lambda kv: -kv[1][1]):
        print(f"{kind:14} {impl:34} {calls / ns.runs:9.1f} {ms / ns.runs:9.3f} {100 * ms / grand:5.1f}%")
    print(f"{'all oneDNN':49} {sum(c for c, _ in totals.values()) / ns.runs:9.1f} {grand / ns.runs:9.3f}")


if __name__ == "__main__":
    main()
