#!/usr/bin/env python3
"""Checks that every #include in src/ points at a lower layer (docs/design.md, "Layout"):

    core < package, backends < io, backends/<device> < shim < shim/<device>_ops, model
         < ops < runner < server < cli, python

A layer may include itself and anything ranked below it; layers of equal rank may not include
each other (the CPU and CUDA backends, say). Prints each violation with its file and line, and
exits 1 if there is any. Usage: check_layers.py SRC_DIR
"""
import os
import re
import sys

RANK = {
    "core": 0,
    "package": 1, "backends": 1,
    "io": 2, "backends/cpu": 2, "backends/cuda": 2,
    "shim": 3,
    "shim/cpu_ops": 4, "shim/cuda_ops": 4, "model": 4,
    "ops": 5,
    "runner": 6,
    "server": 7,
    "cli": 8, "python": 8,
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def layer_of(path):
    """The layer of a path relative to src/: its folder, or folder/subfolder where that is one."""
    parts = path.split("/")
    if len(parts) > 2 and "/".join(parts[:2]) in RANK:
        return "/".join(parts[:2])
    return parts[0]


def main():
    src = sys.argv[1]
    problems = []
    files = 0
    for root, _, names in os.walk(src):
        for name in sorted(names):
            if not name.endswith((".cpp", ".h", ".cu", ".cuh")):
                continue
            path = os.path.relpath(os.path.join(root, name), src)
            own = layer_of(path)
            if own not in RANK:
                problems.append(f"{path}: folder '{own}' has no place in the layer order")
                continue
            files += 1
            text = open(os.path.join(src, path), encoding="utf-8").read()
            for m in INCLUDE.finditer(text):
                target = m.group(1)
                if target.startswith("pt2run/") or "/" not in target:
                    continue  # the public API, and same-folder or system-style includes
                if not os.path.exists(os.path.join(src, target)):
                    continue  # not one of ours (a library's header)
                other = layer_of(target)
                if other == own or own.startswith(other + "/") or RANK.get(other, 99) < RANK[own]:
                    continue
                line = text.count("\n", 0, m.start()) + 1
                problems.append(f"{path}:{line}: {own} includes {target} ({other} is not below it)")
    for p in problems:
        print(p)
    print(f"check_layers: {files} files, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
