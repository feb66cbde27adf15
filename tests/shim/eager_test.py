#!/usr/bin/env python3
"""pt2run's CPU fallbacks against torch's eager ops, called directly through the C shim.

Each case calls one aoti_torch_cpu_* / aoti_torch_aten_* function of libpt2run with torch
tensors and compares every output with what the eager op returns: dtype, shape, the strides of
every dim longer than 1 (AOTInductor's generated code assumes torch's layout), and the values
(exact for integers and bools, per-dtype tolerances for floating types). Failure cases check
that a bad call returns an error instead of crashing.

Usage: eager_test.py libpt2run.so [--coverage-table tools/shim_coverage.tsv]
With --coverage-table, every function the table marks implemented and "eager" must have a case
(in one of the cases_*.py modules).
"""
import argparse
import sys
import traceback

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from checks import CASES, Mismatch  # noqa: E402
from shim_eager import Shim  # noqa: E402
# Each cases module registers its cases on import.
import cases_building  # noqa: E402,F401
import cases_core  # noqa: E402,F401
import cases_indexing  # noqa: E402,F401
import cases_linalg  # noqa: E402,F401
import cases_mkldnn  # noqa: E402,F401
import cases_pooling  # noqa: E402,F401
import cases_random  # noqa: E402,F401


def main():
    p = argparse.ArgumentParser()
    p.add_argument("lib")
    p.add_argument("--coverage-table")
    p.add_argument("-k", help="run only cases whose name contains this")
    args = p.parse_args()
    s = Shim(args.lib)
    failed, ran = [], 0
    for name, (functions, f) in CASES.items():
        if args.k and args.k not in name:
            continue
        ran += 1
        try:
            f(s)
            print(f"PASS {name}")
        except Exception as e:  # a failing case must not hide the others
            failed.append(name)
            print(f"FAIL {name}: {e}")
            if not isinstance(e, Mismatch):
                traceback.print_exc()
        s.release()
    covered = {fn for functions, _ in CASES.values() for fn in functions}
    if args.coverage_table:
        missing = []
        with open(args.coverage_table, encoding="utf-8") as t:
            for line in t:
                parts = line.rstrip("\n").split("\t")
                if len(parts) >= 3 and not line.startswith("#") and parts[2] == "implemented" and \
                        len(parts) > 3 and parts[3].partition(" - ")[0] == "eager" and parts[0] not in covered:
                    missing.append(parts[0])
        for m in missing:
            print(f"FAIL coverage: {m} is marked eager-tested but has no case here")
        failed += missing
    print(f"shim eager: {ran - len(failed)}/{ran} cases pass, {len(covered)} functions covered")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
