#!/usr/bin/env python3
"""Runs PyTorch's own AOTInductor test suite against pt2run.

PyTorch's test/inductor/test_aot_inductor.py builds a model per test and calls check_model,
which compiles and packages it, loads the package with torch's loader and compares the outputs
with eager. Here the loader is replaced: torch._inductor.aoti_load_package hands back a callable
that runs the package with `pt2run run` (inputs and outputs through tensor files), so every
comparison the suite makes is made against pt2run's numbers. torch is used to export and to run
eager; never to load the package (pt2run inspect reads its call spec). A loaded
package keeps its state between calls in torch (buffers the model mutates, the random
generator): here the k-th call of one loaded package runs the k-1 successful calls before it
and itself on one loaded model (`pt2run run --inputs A --inputs B ...`), with pt2run's
generator seeded as torch's was at the first call (`--seed`) when torch had just been seeded.

PyTorch's test files are not part of this repository (and CI cannot fetch them): pass the
folder that holds them, a PyTorch checkout's test/inductor or copies kept outside git:
  test_aot_inductor.py, test_aot_inductor_utils.py   required
  test_control_flow.py, test_torchinductor.py        used when present; otherwise stand-ins
                                                     provide what the suite imports from them
                                                     and the tests needing more are SKIP

Every case ends as one of
  PASS     pt2run ran the package and the suite's comparison held
  WRONG    pt2run ran it and the comparison failed
  REFUSED  pt2run refused it with an error (the message is the reason)
  CRASH    pt2run died on a signal or hung past --timeout
  SKIP     the case never reached pt2run: it needs a GPU or Triton, inspects torch's compile,
           checks no outputs, uses the loaded package's weight API (the CLI runs each call
           from the file), passes a non-contiguous input (a tensor file carries no strides),
           or torch itself failed (the reason says which)
and the last line reads "conformance: P/N match, W wrong, R refused, C crash; S skipped", N
being the cases that reached pt2run.

The suite defines some custom ops in Python (torch.library). pt2run runs no Python: their C++
twins (tests/conformance/suite_ops.cpp, built as libpt2run_conformance_ops.so next to pt2run's
tests) are loaded into every run with --custom-ops, as a user loads their own ops.

A copy of the suite newer than the installed torch may import test utilities that torch lacks;
the few that only some tests use get stand-ins (install_compat), so the rest still run.

A long run splits into shards (--shard K/N, in parallel processes), each writing its outcomes to
its --json file as it goes; --resume skips the cases a file already holds (a run cut short goes
on where it stopped), and --merge A.json B.json ... prints the summary of several.

Usage: conformance.py UPSTREAM_DIR [--pt2run BIN] [--custom-ops LIB]... [--device cpu|cuda]
                      [-k SUBSTRING]... [--shard K/N] [--json OUT [--resume]] [--timeout SECONDS]
                      [--list]
       conformance.py --merge OUT.json... [--json MERGED]
"""
import argparse
import functools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import types
import unittest
import weakref

HERE = os.path.dirname(os.path.abspath(__file__))
REQUIRED = ("test_aot_inductor.py", "test_aot_inductor_utils.py")


class Pt2runRefused(RuntimeError):
    """pt2run exited with an error: the package or the call is refused (the message says why).
    A RuntimeError, as torch's loader raises for a call that fails."""


class Pt2runCrashed(Exception):
    """pt2run died on a signal or did not finish in time."""


class CannotCarry(BaseException):
    """The call passes something a tensor file cannot carry to pt2run (strides). A
    BaseException, so that a test's `assertRaises(Exception)` cannot take it for the error it
    expects from the run; the case ends SKIP."""


class Calls:
    """What pt2run did during the current case."""

    def __init__(self):
        self.runs = 0
        self.last_error = None


CALLS = Calls()


def save_inputs(path, tensors):
    """Flat input tensors as a .safetensors file (every real dtype, bfloat16 included) or,
    when one is complex, a .npz (safetensors has no complex)."""
    import torch
    tensors = [t.detach().contiguous().cpu() for t in tensors]
    if any(t.is_complex() for t in tensors):
        import numpy as np
        path += ".npz"
        np.savez(path, *[t.numpy() for t in tensors])
    else:
        from safetensors.torch import save_file
        path += ".safetensors"
        save_file({f"arr_{i}": t for i, t in enumerate(tensors)}, path)
    return path


def load_outputs(path):
    import torch
    if path.endswith(".npz"):
        import numpy as np
        with np.load(path) as z:
            return [torch.from_numpy(z[f"arr_{i}"]) for i in range(len(z.files))]
    from safetensors.torch import load_file
    named = load_file(path)
    return [named[f"arr_{i}"] for i in range(len(named))]


def fresh_seed():
    """torch's seed when its CPU generator is as torch.manual_seed(seed) left it (no draws since),
    else None. The suite seeds before each call; pt2run's generator is seeded alike (`--seed`), so
    packages with random ops draw torch's numbers."""
    import torch
    seed = torch.initial_seed()
    if torch.equal(torch.get_rng_state(), torch.Generator().manual_seed(seed).get_state()):
        return seed
    return None


@functools.lru_cache(maxsize=None)
def _from_file_class():
    import torch

    class FromFile(torch.Tensor):
        """An output read back from pt2run's tensor file. It computes as a plain tensor (ops
        return plain tensors), but its address is not the one pt2run's output had: outputs that
        alias each other in pt2run do not in the files. A test comparing addresses ends SKIP."""

        __torch_function__ = torch._C._disabled_torch_function_impl

        def data_ptr(self):
            raise CannotCarry("compares output addresses; outputs read back from tensor files do not "
                              "share memory as pt2run's do")

    return FromFile


def from_file(t):
    return t.as_subclass(_from_file_class())


class Pt2runPackage:
    """Stands in for torch's loaded package: calling it runs the package with pt2run."""

    def __init__(self, path, binary, custom_ops, device, timeout):
        self.path, self.binary, self.device, self.timeout = path, binary, device, timeout
        self.custom_ops = custom_ops
        # The call spec (how inputs flatten and outputs nest) and the metadata, as pt2run reads
        # them from the package: torch's loader never touches it.
        self._inspected = self._inspect()
        # torch's loaded package keeps its state between calls (buffers the model mutates, the
        # random generator). pt2run runs each call in a new process, so a call replays the
        # successful calls before it on the same loaded model (`pt2run run --inputs A --inputs
        # B ...`) and its result is the last run's.
        self._dir = tempfile.mkdtemp(prefix="pt2run-conformance-")
        self._history = []
        self._seed = None
        weakref.finalize(self, shutil.rmtree, self._dir, True)

    def _inspect(self):
        try:
            proc = subprocess.run([self.binary, "inspect", self.path, "--json"], capture_output=True, text=True,
                                  errors="replace", timeout=self.timeout)
        except subprocess.TimeoutExpired as e:
            raise Pt2runCrashed(f"pt2run inspect did not finish in {self.timeout} s") from e
        if proc.returncode < 0:
            raise Pt2runCrashed(f"pt2run inspect died on signal {-proc.returncode}: {proc.stderr.strip()[-300:]}")
        if proc.returncode != 0:
            CALLS.last_error = " ".join(proc.stderr.split())
            raise Pt2runRefused(CALLS.last_error[:2000])
        return json.loads(proc.stdout)

    def get_metadata(self):
        return dict(self._inspected["metadata"])

    def get_call_spec(self):
        return list(self._inspected["call_spec"])

    def __getattr__(self, name):
        # load_constants, get_constant_fqns, ...: the CLI runs each call from the package file,
        # so a test of the loader's weight API is not one this runner can route to pt2run.
        if name.startswith("__"):
            raise AttributeError(name)
        raise unittest.SkipTest(f"uses the loaded package's {name}(), which runs through torch's loader here")

    def __call__(self, *args, **kwargs):
        import torch
        import torch.fx._pytree as fx_pytree
        import torch.utils._pytree as pytree
        if torch.cuda.is_available() and torch.cuda.is_current_stream_capturing():
            raise CannotCarry("calls the package inside a CUDA graph capture, which a pt2run process cannot join")
        in_spec, out_spec = (pytree.treespec_loads(s) for s in self.get_call_spec())
        flat = fx_pytree.tree_flatten_spec((args, kwargs), in_spec)
        flat = [x for x in flat if isinstance(x, torch.Tensor)]
        for k, t in enumerate(flat):
            if not t.is_contiguous():
                # A tensor file carries values in row-major order, not strides: the run would see
                # a contiguous tensor where the test passes this layout.
                raise CannotCarry(f"passes input {k} with strides {tuple(t.stride())} (not contiguous); "
                                  "a tensor file carries values, not strides")
        if not self._history:
            self._seed = fresh_seed()
        inputs = save_inputs(os.path.join(self._dir, f"in{len(self._history)}"), flat)
        runs = self._history + [inputs]
        outs = [os.path.join(self._dir, f"out{i}" + os.path.splitext(f)[1]) for i, f in enumerate(runs)]
        cmd = [self.binary, "run", self.path]
        if self._seed is not None:
            cmd += ["--seed", str(self._seed)]
        for f, o in zip(runs, outs):
            cmd += ["--inputs", f, "-o", o]
        # The package's own device: a GPU test may export a CPU package.
        device = self._inspected.get("metadata", {}).get("AOTI_DEVICE_KEY") or self.device
        if device != "cpu":
            cmd += ["--device", device]
        # Inputs the test passes on another device (a CPU predicate for a CUDA model) stay there.
        for k, t in enumerate(flat):
            if t.device.type != torch.device(device).type:
                cmd += ["--input-device", f"{k}={t.device}"]
        out_device = torch.device(device)
        for lib in self.custom_ops:
            cmd += ["--custom-ops", lib]
        CALLS.runs += 1
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, errors="replace", timeout=self.timeout)
        except subprocess.TimeoutExpired as e:
            raise Pt2runCrashed(f"pt2run run did not finish in {self.timeout} s") from e
        if proc.returncode < 0:
            raise Pt2runCrashed(f"pt2run run died on signal {-proc.returncode}: {proc.stderr.strip()[-300:]}")
        if proc.returncode != 0:
            message = " ".join(proc.stderr.split())
            CALLS.last_error = message
            raise Pt2runRefused(message[:2000])
        self._history.append(inputs)
        outputs = [from_file(t.to(out_device)) for t in load_outputs(outs[-1])]
        return pytree.tree_unflatten(outputs, out_spec)


def install_loader(binary, custom_ops, device, timeout):
    """Routes the suite's package loading through pt2run."""
    import torch
    import torch._inductor

    def load(path, *_args, **_kwargs):  # run_single_threaded, device_index: pt2run's defaults
        return Pt2runPackage(str(path), binary, custom_ops, device, timeout)

    torch._inductor.aoti_load_package = load

    def bare_library(*_args, **_kwargs):  # the pre-package .so API: pt2run runs packages
        raise unittest.SkipTest("uses torch._export.aot_load (a bare .so, not a package)")

    torch._export.aot_load = bare_library


def install_stand_ins(upstream):
    """test_torchinductor.py and test_control_flow.py are large; when the folder lacks them,
    modules of the same names provide what test_aot_inductor.py imports from them. Tests that
    need their real models fail with a SkipTest naming the file."""
    if not os.path.exists(os.path.join(upstream, "test_torchinductor.py")):
        m = types.ModuleType("test_torchinductor")

        class TestFailure:
            def __init__(self, suffixes, is_skip=False, __test__=False):
                self.suffixes, self.is_skip = suffixes, is_skip

        def copy_tests(my_cls, other_cls, suffix, test_failures=None, xfail_prop=None):
            # Each test of the template, renamed test_<name>_<suffix>, skipped or expected to
            # fail where the suite's failure table says so for this suffix.
            for name, value in my_cls.__dict__.items():
                if not name.startswith("test_"):
                    continue
                # A function of this class's own: unittest.expectedFailure marks the function
                # it is given, and the template's is shared by every device's class.
                fn = functools.wraps(value)(lambda self, *a, _f=value, **k: _f(self, *a, **k))
                failure = (test_failures or {}).get(name)
                if failure and suffix in failure.suffixes:
                    fn = unittest.skip("listed as failing in the suite")(fn) if failure.is_skip \
                        else unittest.expectedFailure(fn)
                setattr(other_cls, f"{name}_{suffix}", fn)

        def requires_multigpu():
            return unittest.skip("needs several GPUs")

        m.TestFailure, m.copy_tests, m.requires_multigpu = TestFailure, copy_tests, requires_multigpu
        sys.modules["test_torchinductor"] = m
    if not os.path.exists(os.path.join(upstream, "test_control_flow.py")):
        m = types.ModuleType("test_control_flow")

        class Missing:
            def __getattr__(self, name):
                raise unittest.SkipTest(f"needs test_control_flow.py ({name})")

        m.CondModels = m.WhileLoopModels = Missing()
        m.prepend_counters = m.prepend_predicates = lambda *a, **k: (_ for _ in ()).throw(
            unittest.SkipTest("needs test_control_flow.py"))
        sys.modules["test_control_flow"] = m


class StandIn:
    """A test utility the installed torch lacks: a test that uses it is SKIP, naming it."""

    def __init__(self, name):
        self._name = name

    def _missing(self, *_args, **_kwargs):
        raise unittest.SkipTest(f"uses {self._name}, which this torch lacks")

    __call__ = __getitem__ = __getattr__ = _missing


def install_compat():
    """Names a newer copy of the suite imports at module level that an older torch lacks (the
    GPU machine's torch 2.11 against the copy used for torch 2.13). Plain dtype helpers get their
    definition (float64 / complex128 but on MPS); a Triton kernel becomes a StandIn."""
    import torch
    import torch.testing._internal.common_dtype as common_dtype
    if not hasattr(common_dtype, "highest_precision_float"):
        common_dtype.highest_precision_float = \
            lambda device: torch.float32 if torch.device(device).type == "mps" else torch.float64
    if not hasattr(common_dtype, "highest_precision_complex"):
        common_dtype.highest_precision_complex = \
            lambda device: torch.complex64 if torch.device(device).type == "mps" else torch.complex128
    try:
        import torch.testing._internal.triton_utils as triton_utils
    except ImportError:
        return
    for name in ("masked_add_kernel_with_bool_tensor",):
        if getattr(triton_utils, "HAS_GPU", False) and not hasattr(triton_utils, name):
            setattr(triton_utils, name, StandIn(f"torch.testing._internal.triton_utils.{name}"))


def summarize(outcomes):
    count = {s: sum(o.status == s for o in outcomes) for s in ("PASS", "WRONG", "REFUSED", "CRASH", "SKIP")}
    reached = count["PASS"] + count["WRONG"] + count["REFUSED"] + count["CRASH"]
    summary = (f"conformance: {count['PASS']}/{reached} match, {count['WRONG']} wrong, {count['REFUSED']} refused, "
               f"{count['CRASH']} crash; {count['SKIP']} skipped")
    return summary, count


def write_json(path, upstream, device, outcomes):
    with open(path + ".tmp", "w") as f:
        json.dump({"upstream": upstream, "device": device, "summary": summarize(outcomes)[0],
                   "cases": [vars(o) for o in outcomes]}, f, indent=1)
    os.replace(path + ".tmp", path)


def read_json(path):
    with open(path) as f:
        data = json.load(f)
    return data, [Outcome(c["name"], c["status"], c["reason"]) for c in data["cases"]]


def merge(paths, out):
    outcomes, upstream, device = [], None, None
    for p in paths:
        data, cases = read_json(p)
        upstream, device = data["upstream"], data["device"]
        outcomes += cases
    if out:
        write_json(out, upstream, device, outcomes)
    summary, count = summarize(outcomes)
    print(summary)
    return 0 if count["WRONG"] == count["CRASH"] == 0 else 1


def test_class(module, device):
    """The suite's test class for the device, or one built from its template."""
    name = "AOTInductorTestABICompatibleCpu" if device == "cpu" else "AOTInductorTestABICompatibleGpu"
    if hasattr(module, name):
        return getattr(module, name)
    raise SystemExit(f"conformance: {module.__file__} defines no test class for {device}")


class Outcome:
    def __init__(self, name, status, reason=""):
        self.name, self.status, self.reason = name, status, " ".join(str(reason).split())[:2000]


def classify(test):
    """Runs one test; returns its Outcome."""
    CALLS.runs, CALLS.last_error = 0, None
    result = unittest.TestResult()
    started = time.time()
    test.run(result)
    name = test.id().split(".")[-1]
    ran = CALLS.runs > 0
    if result.skipped:
        return Outcome(name, "SKIP", result.skipped[0][1])
    if result.expectedFailures:
        return Outcome(name, "SKIP", "listed by the suite as an expected failure, and it failed")
    if result.unexpectedSuccesses:
        return Outcome(name, "PASS" if ran else "SKIP", "" if ran else "checks no outputs through a package")
    problems = result.errors + result.failures
    if not problems:
        if not ran:
            return Outcome(name, "SKIP", "checks no outputs through a package")
        return Outcome(name, "PASS", f"{time.time() - started:.1f} s")
    text = problems[0][1]
    # The exception's own line: the last one naming an exception type.
    lines = [l for l in text.strip().splitlines()
             if re.match(r"^[\w.]+(Error|Exception|Refused|Crashed|CannotCarry)\b", l)]
    last = lines[-1] if lines else (text.strip().splitlines() or [""])[-1]
    if "CannotCarry" in text:
        return Outcome(name, "SKIP", last.split(":", 1)[-1])
    if "Pt2runCrashed" in text:
        return Outcome(name, "CRASH", last.split(":", 1)[-1])
    if "Pt2runRefused" in text:
        return Outcome(name, "REFUSED", CALLS.last_error or last)
    if ran:
        # The comparison failed, or pt2run's outputs broke the test some other way (a shape or
        # structure the suite did not expect): either way the numbers are not torch's.
        return Outcome(name, "WRONG", last)
    return Outcome(name, "SKIP", "before pt2run ran: " + last)


def iter_tests(suite):
    for t in suite:
        if isinstance(t, unittest.TestSuite):
            yield from iter_tests(t)
        else:
            yield t


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    if "--merge" in sys.argv[1:]:
        parser = argparse.ArgumentParser()
        parser.add_argument("--merge", nargs="+", required=True)
        parser.add_argument("--json")
        ns = parser.parse_args()
        return merge(ns.merge, ns.json)
    parser.add_argument("upstream", help="folder with PyTorch's test_aot_inductor.py and test_aot_inductor_utils.py")
    parser.add_argument("--pt2run", default=os.path.join(HERE, "..", "build", "dev", "src", "pt2run"))
    parser.add_argument("--custom-ops", action="append", default=None, metavar="LIB",
                        help="a library of C++ custom ops for every run (repeat); default: the suite's "
                             "twins, tests/libpt2run_conformance_ops.so in pt2run's build folder")
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("-k", dest="patterns", action="append", default=[],
                        help="only tests whose name contains this (repeat: any of them)")
    parser.add_argument("--json", help="write every outcome here (after each case)")
    parser.add_argument("--resume", action="store_true", help="skip the cases the --json file already holds")
    parser.add_argument("--shard", default="1/1", help="K/N: run every N-th test, starting with the K-th")
    parser.add_argument("--timeout", type=float, default=300, help="seconds one pt2run run may take")
    parser.add_argument("--list", action="store_true", help="list the tests and exit")
    ns = parser.parse_args()
    upstream = os.path.abspath(ns.upstream)
    missing = [f for f in REQUIRED if not os.path.exists(os.path.join(upstream, f))]
    if missing:
        print(f"conformance: {upstream} lacks {', '.join(missing)}. Pass the folder of PyTorch's "
              "test/inductor (a checkout of pytorch/pytorch, or copies kept outside this repository, "
              "with the commit noted).", file=sys.stderr)
        return 2
    binary = os.path.abspath(ns.pt2run)
    if not os.access(binary, os.X_OK):
        print(f"conformance: no pt2run binary at {binary} (build it, or pass --pt2run)", file=sys.stderr)
        return 2
    custom_ops = ns.custom_ops
    if custom_ops is None:
        built = os.path.join(os.path.dirname(binary), "..", "tests", "libpt2run_conformance_ops.so")
        custom_ops = [built] if os.path.exists(built) else []
        if not custom_ops:
            print(f"conformance: no {built}: the suite's Python custom ops will be refused "
                  "(build the dev preset's tests, or pass --custom-ops)", file=sys.stderr)
    custom_ops = [os.path.abspath(lib) for lib in custom_ops]
    for lib in custom_ops:
        if not os.path.exists(lib):
            print(f"conformance: no custom-ops library at {lib}", file=sys.stderr)
            return 2
    os.environ.setdefault("PYTORCH_PRINT_REPRO_ON_FAILURE", "0")
    sys.path.insert(0, upstream)
    try:
        shard, shards = (int(v) for v in ns.shard.split("/"))
        assert 1 <= shard <= shards
    except (ValueError, AssertionError):
        print(f"conformance: --shard takes K/N with 1 <= K <= N, got {ns.shard!r}", file=sys.stderr)
        return 2
    if ns.resume and not ns.json:
        print("conformance: --resume needs --json", file=sys.stderr)
        return 2
    install_stand_ins(upstream)
    install_compat()
    install_loader(binary, custom_ops, ns.device, ns.timeout)
    import importlib
    module = importlib.import_module("test_aot_inductor")
    cls = test_class(module, ns.device)
    tests = [t for t in iter_tests(unittest.defaultTestLoader.loadTestsFromTestCase(cls))
             if not ns.patterns or any(p in t.id() for p in ns.patterns)][shard - 1::shards]
    if ns.list:
        for t in tests:
            print(t.id().split(".")[-1])
        return 0
    outcomes = []
    if ns.resume and os.path.exists(ns.json):
        outcomes = read_json(ns.json)[1]
        done = {o.name for o in outcomes}
        tests = [t for t in tests if t.id().split(".")[-1] not in done]
    for t in tests:
        o = classify(t)
        outcomes.append(o)
        if ns.json:
            write_json(ns.json, upstream, ns.device, outcomes)
        # Messages lead with the package's temporary path; the end says what is wrong.
        shown = o.reason if len(o.reason) <= 240 else "..." + o.reason[-240:]
        print(f"{o.status:8} {o.name}" + (f"  ({shown})" if o.reason and o.status != "PASS" else ""), flush=True)
    summary, count = summarize(outcomes)
    if ns.json:
        write_json(ns.json, upstream, ns.device, outcomes)
    print(summary)
    return 0 if count["WRONG"] == count["CRASH"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
