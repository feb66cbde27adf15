#!/usr/bin/env python3
"""`--custom-ops LIB.so` end to end, on docs/custom_ops.md's worked example: a torch.library op
exported by examples/custom_ops/export_model.py runs through `pt2run run` once its C++ twin
(examples/custom_ops/my_ops.cpp, built as LIB) is loaded, and matches eager; without it the
package is refused by name; a file that is not a library, or one that registers nothing, is a
clear usage error.

Usage: custom_ops_cli_test.py PT2RUN LIB_MY_OPS LIB_WITHOUT_OPS"""
import os
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
EXPORT = os.path.join(HERE, "..", "..", "examples", "custom_ops", "export_model.py")


def main():
    pt2run, lib, no_ops = sys.argv[1:4]
    failures = []

    def expect(cond, what):
        if not cond:
            failures.append(what)

    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, EXPORT, tmp], check=True, capture_output=True)
        pkg, inputs, out = (os.path.join(tmp, f) for f in ("model.pt2", "inputs.npz", "out.npz"))
        ok = subprocess.run([pt2run, "run", pkg, "--inputs", inputs, "-o", out, "--custom-ops", lib],
                            capture_output=True, text=True)
        expect(ok.returncode == 0, f"run with the library: {ok.stderr}")
        expect("registered 1 custom op" in ok.stderr, f"no registration notice: {ok.stderr}")
        if ok.returncode == 0:
            got, want = np.load(out)["arr_0"], np.load(os.path.join(tmp, "expected.npz"))["arr_0"]
            expect(np.allclose(got, want, rtol=1e-5, atol=1e-5), f"outputs differ: {got} vs {want}")
        bench = subprocess.run([pt2run, "bench", pkg, "--iterations", "3", "--custom-ops", lib],
                               capture_output=True, text=True)
        expect(bench.returncode == 0, f"bench with the library: {bench.stderr}")
        refused = subprocess.run([pt2run, "run", pkg, "--inputs", inputs], capture_output=True, text=True)
        expect(refused.returncode == 1 and "mylib::scaled_softplus" in refused.stderr,
               f"without the library: rc {refused.returncode}, {refused.stderr}")
        not_lib = subprocess.run([pt2run, "run", pkg, "--inputs", inputs, "--custom-ops", inputs],
                                 capture_output=True, text=True)
        expect(not_lib.returncode == 2 and "cannot load it as a shared library" in not_lib.stderr,
               f"not a library: rc {not_lib.returncode}, {not_lib.stderr}")
        empty = subprocess.run([pt2run, "run", pkg, "--inputs", inputs, "--custom-ops", no_ops],
                               capture_output=True, text=True)
        expect(empty.returncode == 2 and "registered no operator" in empty.stderr,
               f"registers nothing: rc {empty.returncode}, {empty.stderr}")
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
