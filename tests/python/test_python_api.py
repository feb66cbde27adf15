"""pt2run's Python API on the exported corpus (PT2RUN_CORPUS_DIR), against torch's eager
outputs saved at export time, and against what the C++ API (`pt2run run`) writes.

Run by ctest (e2e.python) with the build's staged package on PYTHONPATH, and by
tests/python/wheel_test.sh against an installed wheel in a venv without torch.
"""
import os
import subprocess
import sys
import tempfile
import threading
import time
import zipfile

import numpy as np
import pytest

import pt2run

CORPUS = os.environ.get("PT2RUN_CORPUS_DIR", "")
if not os.path.exists(os.path.join(CORPUS, "manifest.json")):
    pytest.skip("PT2RUN_CORPUS_DIR names no corpus", allow_module_level=True)
import json  # noqa: E402

MANIFEST = {m["name"]: m for m in json.load(open(os.path.join(CORPUS, "manifest.json")))["models"]}
# Models that need more than a call: a registered C++ op, an op pt2run lacks on purpose,
# weights given at run time (tested below), the damaged-package fixtures.
NEEDS_MORE = {"custom_op", "missing_op", "weights_none"}
RUNNABLE = [name for name, m in MANIFEST.items() if name not in NEEDS_MORE and m.get("cases")]


def pkg(model):
    return os.path.join(CORPUS, model, "model.pt2")


def arrays(model, prefix, case=0, weight_set=""):
    entry = MANIFEST[model]["cases"][case]
    folder = os.path.join(CORPUS, model, entry["dir"])
    specs = entry["inputs"] if prefix == "in_" else entry["outputs"]
    return [np.load(os.path.join(folder, f"{prefix}{weight_set}{i}.npy")) for i in range(len(specs))]


def weights(model, weight_set):
    folder = os.path.join(CORPUS, model, f"weights_{weight_set}")
    return {name[:-4]: np.load(os.path.join(folder, name)) for name in sorted(os.listdir(folder))}


def write_safetensors(path, tensors):
    """The safetensors layout (8-byte header size, JSON header, data), float32 only."""
    header, offset, blobs = {}, 0, []
    for name, a in tensors.items():
        data = np.ascontiguousarray(a, np.float32).tobytes()
        header[name] = {"dtype": "F32", "shape": list(a.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header).encode()
    with open(path, "wb") as f:
        f.write(len(text).to_bytes(8, "little") + text + b"".join(blobs))


def matches(got, expected, spec):
    if got is None or expected is None:
        return got is None and expected is None
    a, b = got, expected
    if spec["dtype"] == "bfloat16":  # both sides hold bits
        to_float = lambda x: (x.astype(np.uint32) << 16).view(np.float32)  # noqa: E731
        a, b = to_float(a.view(np.uint16)), to_float(b.view(np.uint16))
    return a.shape == b.shape and np.allclose(a.astype(np.float64), b.astype(np.float64),
                                              rtol=spec["rtol"], atol=spec["atol"], equal_nan=True)


@pytest.mark.parametrize("model", RUNNABLE)
def test_corpus_model_matches_eager(model):
    m = pt2run.load(pkg(model))
    entry = MANIFEST[model]
    for case in range(len(entry["cases"])):
        if "seed" in entry:
            pt2run.manual_seed(entry["seed"])
        outputs = m.run(arrays(model, "in_", case))
        expected = arrays(model, "out_", case)
        specs = entry["cases"][case]["outputs"]
        assert len(outputs) == len(expected)
        for i, (got, want) in enumerate(zip(outputs, expected)):
            assert matches(got, want, specs[i]), f"{model} case {case} output {i}"


def test_calls_as_the_forward_takes_them():
    mlp = pt2run.load(pkg("mlp"))
    for case in range(3):  # three batch sizes of one dynamic dimension
        (x,) = arrays("mlp", "in_", case)
        assert np.allclose(mlp(x), arrays("mlp", "out_", case)[0], rtol=1e-4, atol=1e-4)
    tree = pt2run.load(pkg("pytree"))
    a, b, scale = arrays("pytree", "in_")
    out = tree({"a": a, "b": b, "scale": scale})
    assert isinstance(out, tuple) and len(out) == 2
    assert all(np.allclose(o, e, rtol=1e-4, atol=1e-4) for o, e in zip(out, arrays("pytree", "out_")))
    named = pt2run.load(pkg("named_inputs"))
    ids, mask, bias = arrays("named_inputs", "in_")
    assert np.allclose(named(ids, mask, {"bias": bias}), arrays("named_inputs", "out_")[0], rtol=1e-4, atol=1e-4)
    with pytest.raises(TypeError, match=r"args\[0\] must be a dict with keys \['a', 'b', 'scale'\]"):
        tree({"a": a})
    with pytest.raises(TypeError, match="args must be a sequence of 3"):
        named(ids, mask)
    with pytest.raises(TypeError, match="kwargs must be a dict with keys"):
        named(ids, mask, {"bias": bias}, extra=ids)


def test_metadata():
    mlp = pt2run.load(pkg("mlp"))
    (spec,) = mlp.inputs
    assert spec.name == "args[0]" and spec.dtype == "float32" and spec.shape == (None, 16)
    assert spec.dynamic == {0: (2, 64)} and "arr_0" in spec.aliases and spec.graph_name in spec.aliases
    assert mlp.outputs[0].shape == (None, 4)
    named = pt2run.load(pkg("named_inputs"))
    assert [s.parameter_name for s in named.inputs] == ["input_ids", "mask", "extra_bias"]
    info = pt2run.inspect(pkg("mlp"))
    cli = json.loads(subprocess.run([os.environ["PT2RUN_CLI"], "inspect", "--json", pkg("mlp")],
                                    capture_output=True, text=True, check=True).stdout) \
        if os.environ.get("PT2RUN_CLI") else info
    assert info == cli and info["runs_here"] and info["inputs"][0]["aliases"] == list(spec.aliases)


def test_outputs_equal_the_cpp_api():
    cli = os.environ.get("PT2RUN_CLI")
    if not cli:
        pytest.skip("PT2RUN_CLI not set")
    for model in ("mlp", "transformer", "pytree", "transformer_bf16"):
        inputs = arrays(model, "in_")
        with tempfile.TemporaryDirectory() as tmp:
            np.savez(os.path.join(tmp, "in.npz"), *inputs)
            subprocess.run([cli, "run", pkg(model), "--inputs", os.path.join(tmp, "in.npz"), "-o",
                            os.path.join(tmp, "out.npz"), "-t", "1"], check=True, capture_output=True)
            cpp = np.load(os.path.join(tmp, "out.npz"))
            pt2run.set_num_threads(1)
            try:
                ours = pt2run.load(pkg(model)).run(inputs)
            finally:
                pt2run.set_num_threads(0)
            for i, out in enumerate(ours):
                assert np.array_equal(out.view(np.uint8), cpp[f"arr_{i}"].view(np.uint8)), f"{model} output {i}"


def test_errors_name_the_problem():
    mlp = pt2run.load(pkg("mlp"))
    (x,) = arrays("mlp", "in_")
    with pytest.raises(pt2run.errors.DTypeMismatch, match="has dtype float64 but the model takes float32"):
        mlp(x.astype(np.float64))
    with pytest.raises(pt2run.errors.ShapeMismatch):
        mlp(np.zeros((3, 15), np.float32))
    with pytest.raises(pt2run.errors.ShapeMismatch):
        mlp(np.zeros((65, 16), np.float32))  # beyond the exported range
    with pytest.raises(pt2run.errors.InvalidArgument, match="takes 1 input"):
        mlp.run([x, x])
    with pytest.raises(TypeError, match="not an array|numpy array"):
        mlp.run(["text"])
    assert issubclass(pt2run.errors.DTypeMismatch, pt2run.Error) and issubclass(pt2run.errors.DTypeMismatch, TypeError)
    with pytest.raises(pt2run.errors.NotFound):
        pt2run.load(os.path.join(CORPUS, "no_such.pt2"))
    with pytest.raises(pt2run.errors.NotFound, match="no model named 'other'"):
        pt2run.load(pkg("mlp"), model_name="other")
    with tempfile.TemporaryDirectory() as tmp:
        damaged = os.path.join(tmp, "damaged.pt2")
        data = bytearray(open(pkg("mlp"), "rb").read())
        data[len(data) // 2: len(data) // 2 + 64] = b"\0" * 64
        open(damaged, "wb").write(bytes(data))
        with pytest.raises(pt2run.Error) as caught:
            pt2run.load(damaged)
        assert caught.value.code in ("InvalidPackage", "UnsupportedPackage")
        junk = os.path.join(tmp, "junk.pt2")
        open(junk, "wb").write(b"not a zip at all")
        with pytest.raises(pt2run.errors.InvalidPackage):
            pt2run.load(junk)
    with pytest.raises(pt2run.errors.InvalidPackage):
        pt2run.load(pkg("mlp"), expect_sha256="0" * 64)
    with pytest.raises(pt2run.errors.UnsupportedPackage, match="runs on 'cpu'"):
        pt2run.load(pkg("mlp"), device="cuda")
    for bad in ("tpu", "cuda:x", "cuda:-1"):
        with pytest.raises(pt2run.errors.InvalidArgument, match="use 'cpu', 'cuda' or 'cuda:N'"):
            pt2run.load(pkg("mlp"), device=bad)
    from pt2run import _pytree
    for spec in ("not json", "[2, {}]", "[1, {\"type\": 3}]", "[1, 5]", "[" * 100000):
        assert _pytree.parse(spec) is None


def test_hostile_dlpack_producers_are_refused():
    """Objects that claim to be tensors but are not get an error naming the input, never a crash."""
    mlp = pt2run.load(pkg("mlp"))

    class NotACapsule:
        def __dlpack__(self, **kwargs):
            return 5

    class Raises:
        def __dlpack__(self, **kwargs):
            raise RuntimeError("producer failed")

    class UsedCapsule:
        def __init__(self):
            self.capsule = np.zeros((3, 16), np.float32).__dlpack__()
            np.from_dlpack(type("Once", (), {"__dlpack__": lambda s, **k: self.capsule,
                                             "__dlpack_device__": lambda s: (1, 0)})())

        def __dlpack__(self, **kwargs):
            return self.capsule  # already consumed: its name says "used_dltensor"

    with pytest.raises(pt2run.errors.InvalidArgument, match="did not return a DLPack capsule"):
        mlp.run([NotACapsule()])
    with pytest.raises(RuntimeError, match="producer failed"):
        mlp.run([Raises()])
    with pytest.raises(pt2run.errors.InvalidArgument, match="did not return a DLPack capsule"):
        mlp.run([UsedCapsule()])
    (x,) = arrays("mlp", "in_")
    assert np.allclose(mlp(x), arrays("mlp", "out_")[0], rtol=1e-4, atol=1e-4)  # still serving


def test_weights_swap_while_runs_go_on():
    """Set b into the inactive buffer and swap it in while another thread keeps running: every
    answer is set a's or set b's, and after the swap only b's."""
    model = pt2run.load(pkg("swap"), num_runners=2)
    (x,) = arrays("swap", "in_")
    out_a = arrays("swap", "out_")[0]
    out_b = arrays("swap", "out_", weight_set="b_")[0]
    close = lambda y, e: np.allclose(y, e, rtol=1e-4, atol=1e-4)  # noqa: E731
    assert close(model(x), out_a)
    constants = model.constants()
    assert set(constants) == set(MANIFEST["swap"]["constants"])
    stop, answers = threading.Event(), []

    def keep_running():
        while not stop.is_set():
            answers.append(model(x))

    tmp = tempfile.mkdtemp()
    set_b = os.path.join(tmp, "b.safetensors")
    write_safetensors(set_b, weights("swap", "b"))
    runner = threading.Thread(target=keep_running)
    runner.start()
    try:
        model.update_constants(set_b, inactive=True)
        model.fold()
        model.swap()
        swapped_at = len(answers)
        time.sleep(0.05)
    finally:
        stop.set()
        runner.join()
    assert answers and all(close(y, out_a) or close(y, out_b) for y in answers)
    assert all(close(y, out_b) for y in answers[swapped_at + 1:])
    assert close(model(x), out_b)
    # From arrays too, into the active buffer, and back to set a.
    model.update_constants(constants, inactive=False)
    assert close(model(x), out_a)


def test_weights_given_at_run_time():
    model = pt2run.load(pkg("weights_none"))
    (x,) = arrays("weights_none", "in_")
    with pytest.raises(pt2run.errors.InvalidState):
        model(x)
    model.update_constants(weights("weights_none", "a"), inactive=False)
    assert np.allclose(model(x), arrays("weights_none", "out_")[0], rtol=1e-4, atol=1e-4)
    with pytest.raises(pt2run.Error):
        model.update_constants({"no.such.fqn": np.zeros(3, np.float32)}, inactive=False)


def test_dlpack_round_trips():
    mlp = pt2run.load(pkg("mlp"))
    (x,) = arrays("mlp", "in_")
    (out,) = mlp.run([x], as_dlpack=True)
    assert out.shape == [3, 4] and out.dtype == "float32" and out.device == "cpu"
    view = np.from_dlpack(out)
    assert np.allclose(view, arrays("mlp", "out_")[0], rtol=1e-4, atol=1e-4)
    # Strided inputs go in as they are (no hidden copy): the model's own check names the stride,
    # as under torch's loader. Read-only arrays work.
    wide = np.zeros((3, 32), np.float32)
    wide[:, ::2] = x
    with pytest.raises(pt2run.errors.ShapeMismatch, match="stride"):
        mlp(wide[:, ::2])
    assert np.allclose(mlp(np.ascontiguousarray(wide[:, ::2])), mlp(x))
    frozen = x.copy()
    frozen.flags.writeable = False
    assert np.allclose(mlp(frozen), mlp(x))
    try:
        import torch  # the test venv has it; the wheel's venv does not
    except ImportError:
        return
    t = torch.from_numpy(x)
    assert np.allclose(mlp(t), mlp(x))
    (dl,) = mlp.run([t], as_dlpack=True)
    back = torch.from_dlpack(dl)
    assert torch.allclose(back, torch.from_numpy(mlp(x)))
    bf16 = pt2run.load(pkg("transformer_bf16"))
    (xb,) = arrays("transformer_bf16", "in_")
    tb = torch.from_numpy(xb.view(np.int16)).view(torch.bfloat16)
    got = bf16(tb)
    assert got.dtype == np.uint16 and np.array_equal(got, bf16(xb))


def test_threads_run_without_the_gil():
    """With a 10 s switch interval, a thread holding the GIL keeps it until it blocks. A run
    that releases it lets a second thread tick while it computes; one that held it would let
    that thread tick only when the runs are over."""
    model = pt2run.load(pkg("linear_wide"))
    x = np.random.default_rng(0).standard_normal((64, 256), dtype=np.float32)
    model(x)
    ticks, done = [0], threading.Event()

    def count():
        while not done.is_set():
            ticks[0] += 1
            time.sleep(0)  # lets the GIL go, so the runs' thread can take it back

    previous = sys.getswitchinterval()
    sys.setswitchinterval(10.0)
    counter = threading.Thread(target=count)
    try:
        counter.start()
        before = ticks[0]
        for _ in range(300):
            model(x)
        during = ticks[0] - before
    finally:
        done.set()
        sys.setswitchinterval(previous)
        counter.join()
    assert during > 100, f"the other thread ticked {during} times during 300 runs"


def test_import_is_torch_free():
    code = "import sys, pt2run; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_readme_example_runs_as_written(tmp_path):
    try:
        import torch  # noqa: F401  (the example exports with torch first)
    except ImportError:
        pytest.skip("the README's example exports with torch, which this venv lacks")
    readme = open(os.path.join(os.path.dirname(__file__), "..", "..", "README.md")).read()
    section = readme.split("## Use it from Python", 1)[1].split("\n## ", 1)[0]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(os.path.abspath(pt2run.__file__))))
    r = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "[[" in r.stdout and (tmp_path / "model.pt2").exists()
