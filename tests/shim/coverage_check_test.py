#!/usr/bin/env python3
"""tools/shim_coverage.py check fails on what it is there to catch: a header declaring a
function nobody classified, a table claiming a version whose header lacks the function, a
library missing an implemented function (or exporting a refused one), CUDA rows that pt2run's
CUDA sources contradict, and a stale doc.

Usage: coverage_check_test.py TORCH_INCLUDE libpt2run.so
"""
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOOL = os.path.join(ROOT, "tools", "shim_coverage.py")
GENERATED = os.path.join("torch", "csrc", "inductor", "aoti_torch", "generated")

torch_include, lib = sys.argv[1], sys.argv[2]
failures = []


def check(*args):
    r = subprocess.run([sys.executable, TOOL, *args], capture_output=True, text=True)
    return r.returncode, r.stdout + r.stderr


def expect_problem(what, needle, *args):
    rc, out = check(*args)
    if rc == 0 or needle not in out:
        failures.append(f"{what}: want a failure naming '{needle}', got rc {rc}:\n{out}")


tmp = tempfile.mkdtemp(prefix="pt2run-shim-coverage-")
try:
    # A header like the installed one but for an unknown version with one function more.
    version_dir = os.path.join(tmp, "headers", "9.9")
    os.makedirs(version_dir)
    for name in ("c_shim_cpu.h", "c_shim_aten.h"):
        shutil.copy(os.path.join(torch_include, GENERATED, name), version_dir)
    with open(os.path.join(version_dir, "c_shim_cpu.h"), "a", encoding="utf-8") as f:
        f.write("\nAOTI_TORCH_EXPORT AOTITorchError aoti_torch_cpu_brand_new_op(AtenTensorHandle self);\n")
    expect_problem("an unclassified function", "aoti_torch_cpu_brand_new_op, which nobody has classified",
                   "check", "--headers", os.path.join(tmp, "headers"))
    # A table listing a version for a function that version's header does not declare.
    table = os.path.join(tmp, "table.tsv")
    with open(os.path.join(ROOT, "tools", "shim_coverage.tsv"), encoding="utf-8") as src:
        lines = src.read().splitlines()
    with open(table, "w", encoding="utf-8") as f:
        for line in lines:
            parts = line.split("\t")
            if parts[0] == "aoti_torch_cpu_cat":
                parts[1] += ",9.9"
                parts[2] = "refused"
                parts[3] = "pretend"
            f.write("\t".join(parts) + "\n")
    version_dir2 = os.path.join(tmp, "headers2", "9.9")
    os.makedirs(version_dir2)
    with open(os.path.join(version_dir2, "c_shim_cpu.h"), "w", encoding="utf-8") as f:
        f.write("AOTI_TORCH_EXPORT AOTITorchError aoti_torch_cpu_mm_out(AtenTensorHandle out);\n")
    expect_problem("a version the header does not back", "the table lists torch 9.9 for aoti_torch_cpu_cat",
                   "--table", table, "check", "--headers", os.path.join(tmp, "headers2"))
    # The library exports cat, which that table calls refused.
    expect_problem("an export classified refused", "aoti_torch_cpu_cat is exported but classified refused",
                   "--table", table, "check", "--lib", lib)
    # CUDA rows that disagree with pt2run's CUDA sources: a host-run twin called a kernel, and a
    # function pt2run does not declare called implemented.
    cuda_table = os.path.join(tmp, "cuda_table.tsv")
    with open(cuda_table, "w", encoding="utf-8") as f:
        for line in lines:
            parts = line.split("\t")
            if parts[0] == "aoti_torch_cuda_topk":
                parts[3] = "kernel"
            if parts[0] == "aoti_torch_cuda_randperm":
                parts[2], parts[3] = "implemented", "host copies"
            f.write("\t".join(parts) + "\n")
    expect_problem("a CUDA note its file contradicts", "aoti_torch_cuda_topk is defined in host_staged_ops.cpp",
                   "--table", cuda_table, "check")
    expect_problem("a CUDA function nobody declared", "aoti_torch_cuda_randperm is classified implemented but "
                   "src/shim/aoti_shim_cuda.h does not declare it", "--table", cuda_table, "check")
    # A doc whose generated part does not match the table.
    doc = os.path.join(tmp, "doc.md")
    shutil.copy(os.path.join(ROOT, "docs", "shim_coverage.md"), doc)
    expect_problem("a stale doc", "is stale", "--table", table, "check", "--doc", doc)
    # And the real table, headers and library agree.
    rc, out = check("check", "--torch-include", torch_include, "--lib", lib, "--doc",
                    os.path.join(ROOT, "docs", "shim_coverage.md"))
    if rc != 0:
        failures.append(f"the project's own table should pass:\n{out}")
finally:
    shutil.rmtree(tmp)

for f in failures:
    print("FAIL", f)
print(f"shim coverage check: {7 - len(failures)}/7 expectations hold")
sys.exit(1 if failures else 0)
