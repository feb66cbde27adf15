#!/usr/bin/env python3
"""End-to-end tests of the pt2run command line on corpus packages, checked with numpy and the
reference safetensors implementation.

Usage: cli_test.py PT2RUN_CLI  (PT2RUN_CORPUS_DIR must name an exported corpus; exit 77 skips)
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

from e2e_corpus import CORPUS, MANIFEST, case_arrays, pkg

CLI = sys.argv[1]
TMP = tempfile.mkdtemp(prefix="pt2run-cli-")
failures = []


def cli(*args, expect=0):
    r = subprocess.run([CLI, *args], capture_output=True, text=True)
    if r.returncode != expect:
        failures.append(f"pt2run {' '.join(args)}: exit {r.returncode}, expected {expect}\n{r.stdout}{r.stderr}")
    return r


def check(cond, what):
    if not cond:
        failures.append(what)


def close(a, b, model):
    tol = 3e-2 if MANIFEST[model]["cases"][0]["outputs"][0]["dtype"] == "bfloat16" else 1e-4
    return a.shape == b.shape and np.allclose(a.astype(np.float64), b.astype(np.float64), rtol=tol, atol=tol)


def test_inspect():
    r = cli("inspect", pkg("mlp"))
    check("runs here: yes" in r.stdout, "inspect mlp: verdict")
    check("s77 (2..64), 16]" in r.stdout or "(2..64), 16]" in r.stdout, "inspect mlp: dynamic batch shown\n" + r.stdout)
    info = json.loads(cli("inspect", pkg("pytree"), "--json").stdout)
    check([i["name"] for i in info["inputs"]] == ["args[0]['a']", "args[0]['b']", "args[0]['scale']"],
          f"inspect pytree: input names {info['inputs']}")
    check(info["runs_here"] and info["metadata"]["AOTI_DEVICE_KEY"] == "cpu", "inspect pytree --json: verdict/metadata")
    check(all(i.get("device") == "cpu" for i in info["inputs"]), f"inspect: each input's device {info['inputs']}")
    check(all(s["supported"] for s in info["imports"]) and len(info["imports"]) > 10, "inspect: imports listed")
    # The call spec as torch's get_call_spec() gives it: the pytree of (args, kwargs) and outputs.
    in_spec, out_spec = (json.loads(s) for s in info["call_spec"])
    first_arg = in_spec[1]["children_spec"][0]["children_spec"][0]
    check(first_arg["type"] == "builtins.dict" and json.loads(first_arg["context"]) == ["a", "b", "scale"],
          f"inspect pytree: in_spec {info['call_spec'][0][:300]}")
    check(out_spec[0] >= 1 and "children_spec" in out_spec[1], f"inspect pytree: out_spec {info['call_spec'][1][:300]}")
    swap = json.loads(cli("inspect", pkg("swap"), "--json").stdout)
    by_fqn = {c["fqn"]: c for c in swap["constants"]}
    check(by_fqn["fc2.weight"]["shape"] == [4, 32] and by_fqn["fc2.weight"]["dtype"] == "float32",
          f"inspect swap: constants {swap['constants']}")
    check(swap["constants_bytes"] >= sum(c["bytes"] for c in swap["constants"]), "inspect: total bytes")
    check(json.loads(cli("inspect", pkg("weights_none"), "--json").stdout)["weights"] == "none", "inspect: no weights")
    check(json.loads(cli("inspect", pkg("weights_mmap"), "--json").stdout)["weights"] == "appended", "inspect: appended")
    # A package that cannot run here: every reason named.
    r = cli("inspect", pkg("missing_op"))
    check("runs here: no" in r.stdout and "aoti_torch_cpu__adaptive_avg_pool2d_backward" in r.stdout, "inspect missing_op:\n" + r.stdout)
    custom = json.loads(cli("inspect", pkg("custom_op"), "--json").stdout)
    check(custom["proxy_ops"] == [{"op": "pt2run_test::twice", "supported": False},
                                  {"op": "pt2run_test::affine", "supported": False}] and not custom["runs_here"],
          f"inspect custom_op: {custom['proxy_ops']} {custom['reasons']}")
    r = cli("inspect", os.path.join(CORPUS, "failures", "wrong_isa.pt2"), "--json")
    bad = json.loads(r.stdout)
    check(not bad["runs_here"] and any("CPU feature" in x for x in bad["reasons"]), f"inspect wrong_isa: {bad['reasons']}")


def test_run_formats():
    for model in ["pytree", "embedding_mask", "transformer_bf16", "mlp"]:
        inputs = case_arrays(model, "in_")
        expected = case_arrays(model, "out_")
        dtypes = [i["dtype"] for i in MANIFEST[model]["cases"][0]["inputs"]]
        # .npz, positional (numpy.savez(f, *arrays)); bfloat16 inputs travel as their uint16 bits.
        npz = os.path.join(TMP, f"{model}_in.npz")
        np.savez(npz, *inputs)
        for out_name in [f"{model}_out.npz", f"{model}_out.safetensors"]:
            out = os.path.join(TMP, out_name)
            r = cli("run", pkg(model), "--inputs", npz, "-o", out)
            check("min" in r.stdout and "max" in r.stdout and "mean" in r.stdout, f"run {model}: summary\n{r.stdout}")
            if out.endswith(".npz"):
                got = np.load(out)
                arrays = [got[f"arr_{j}"] for j in range(len(expected))]
            else:
                from safetensors.numpy import load_file
                got = load_file(out)
                arrays = [got[f"arr_{j}"] for j in range(len(expected))]
                if MANIFEST[model]["cases"][0]["outputs"][0]["dtype"] == "bfloat16":
                    import ml_dtypes
                    arrays = [a.view(ml_dtypes.bfloat16).astype(np.float32) for a in arrays]
                    expected_f = [e.view(ml_dtypes.bfloat16).astype(np.float32) for e in expected]
                    check(all(close(a, e, model) for a, e in zip(arrays, expected_f)), f"run {model} -> {out_name}")
                    continue
            if MANIFEST[model]["cases"][0]["outputs"][0]["dtype"] == "bfloat16":
                import ml_dtypes
                arrays = [a.view(ml_dtypes.bfloat16).astype(np.float32) for a in arrays]
                expected_b = [e.view(ml_dtypes.bfloat16).astype(np.float32) for e in expected]
                check(all(close(a, e, model) for a, e in zip(arrays, expected_b)), f"run {model} -> {out_name}")
            else:
                check(all(close(a, e, model) for a, e in zip(arrays, expected)), f"run {model} -> {out_name}: mismatch")
        if "bfloat16" in dtypes:
            continue
        # .safetensors input, by name; and repeated --input NAME=FILE.npy.
        info = json.loads(cli("inspect", pkg(model), "--json").stdout)
        names = [i["name"] for i in info["inputs"]]
        from safetensors.numpy import save_file
        st = os.path.join(TMP, f"{model}_in.safetensors")
        save_file({n: np.ascontiguousarray(a) for n, a in zip(names, inputs)}, st)
        out = os.path.join(TMP, f"{model}_named.npz")
        cli("run", pkg(model), "--inputs", st, "-o", out)
        check(all(close(np.load(out)[f"arr_{j}"], e, model) for j, e in enumerate(expected)), f"run {model} safetensors by name")
        args = []
        for n, a in zip(names, inputs):
            p = os.path.join(TMP, f"{model}_{len(args)}.npy")
            np.save(p, a)
            args += ["--input", f"{n}={p}"]
        out = os.path.join(TMP, f"{model}_pairs.npz")
        cli("run", pkg(model), *args, "-o", out)
        check(all(close(np.load(out)[f"arr_{j}"], e, model) for j, e in enumerate(expected)), f"run {model} --input pairs")


def test_run_compressed_npz_and_named_keys():
    a, b, scale = case_arrays("pytree", "in_")
    npz = os.path.join(TMP, "pytree_named.npz")
    np.savez_compressed(npz, scale=scale, a=a, b=b)  # deflated members, names = dict keys
    out = os.path.join(TMP, "pytree_named_out.npz")
    cli("run", pkg("pytree"), "--inputs", npz, "-o", out)
    expected = case_arrays("pytree", "out_")
    check(all(close(np.load(out)[f"arr_{j}"], e, "pytree") for j, e in enumerate(expected)), "run: savez_compressed by key")


def test_run_positional_safetensors_in_file_order():
    # safetensors lays tensors out by dtype, so arr_0..arr_2 of mixed dtypes are listed out of
    # order in the file; the names, not the file order, say which input each is.
    import struct
    from safetensors.numpy import save_file
    inputs = case_arrays("selection_ops", "in_")
    st = os.path.join(TMP, "selection_positional.safetensors")
    save_file({f"arr_{i}": np.ascontiguousarray(a) for i, a in enumerate(inputs)}, st)
    with open(st, "rb") as f:
        header = f.read(8 + struct.unpack("<Q", f.read(8))[0]).decode(errors="replace")
    check(header.find('"arr_1"') < header.find('"arr_0"'), "the test file lists arr_1 first (else it tests nothing)")
    out = os.path.join(TMP, "selection_positional_out.npz")
    cli("run", pkg("selection_ops"), "--inputs", st, "-o", out)
    expected = case_arrays("selection_ops", "out_")
    check(os.path.exists(out) and all(close(np.load(out)[f"arr_{j}"], e, "selection_ops") for j, e in enumerate(expected)),
          "run: positional safetensors listed out of order")
    # A gap or a repeat in the positions is not positional: it is refused by name.
    save_file({"arr_0": inputs[0], "arr_1": inputs[1], "arr_3": inputs[2]}, st)
    r = cli("run", pkg("selection_ops"), "--inputs", st, expect=1)
    check("arr_3" in r.stderr and "match no input" in r.stderr, f"run: arr_3 of three inputs refused\n{r.stderr}")


def test_run_several_inputs_in_order():
    # One loaded model, one run per --inputs, each run's outputs to its own -o.
    (a,), (b,) = case_arrays("mlp", "in_", 0), case_arrays("mlp", "in_", 1)
    files = []
    for i, x in enumerate((a, b, a)):
        files.append(os.path.join(TMP, f"mlp_run{i}.npy"))
        np.save(files[-1], x)
    outs = [os.path.join(TMP, f"mlp_run{i}_out.npz") for i in range(3)]
    args = []
    for f, o in zip(files, outs):
        args += ["--inputs", f, "-o", o]
    r = cli("run", pkg("mlp"), *args)
    check(r.stdout.count("run ") >= 3 and "run 3 of 3" in r.stdout, f"run x3: each run announced\n{r.stdout}")
    for o, case in zip(outs, (0, 1, 0)):
        check(os.path.exists(o) and close(np.load(o)["arr_0"], case_arrays("mlp", "out_", case)[0], "mlp"),
              f"run x3: {o} holds case {case}'s outputs")
    r = cli("run", pkg("mlp"), "--inputs", files[0], "--inputs", files[1], "-o", outs[0], expect=2)
    check("1 -o file(s) for 2 run(s)" in r.stderr, f"run: -o count checked\n{r.stderr}")
    r = cli("run", pkg("mlp"), "--inputs", files[0], "--inputs", files[1], "--input", f"args[0]={files[0]}", expect=2)
    check("single run" in r.stderr, f"run: --input with several runs refused\n{r.stderr}")


def test_run_seed():
    # random_ops' expected outputs are torch's, running the package after torch.manual_seed(1234).
    seed = MANIFEST["random_ops"]["seed"]
    npz = os.path.join(TMP, "random_in.npz")
    np.savez(npz, *case_arrays("random_ops", "in_"))
    expected = case_arrays("random_ops", "out_")

    def outputs(*extra):
        out = os.path.join(TMP, "random_out.npz")
        cli("run", pkg("random_ops"), "--inputs", npz, "-o", out, *extra)
        return [np.load(out)[f"arr_{j}"] for j in range(len(expected))]

    check(all(np.array_equal(a, e) for a, e in zip(outputs("--seed", str(seed)), expected)), "run --seed: torch's draws")
    check(not all(np.array_equal(a, e) for a, e in zip(outputs(), expected)), "run without --seed draws otherwise")
    for bad in ["-3", "18446744073709551616", "12x", ""]:
        r = cli("run", pkg("random_ops"), "--inputs", npz, "--seed", bad, expect=2)
        check("--seed" in r.stderr, f"run --seed {bad!r}: refused by name\n{r.stderr}")


def test_bench():
    r = cli("bench", pkg("mlp"), "--iterations", "30", "--warmup", "2", "--json")
    b = json.loads(r.stdout)
    check(b["runs"] == 30 and b["latency_ms"]["p50"] > 0 and b["throughput_per_s"] > 0 and b["peak_rss_mib"] > 0,
          f"bench mlp: {b}")
    check(b["load_ms"] > 0 and b["first_run_ms"] > 0, "bench: load and first run timed")
    # Mean and sample standard deviation beside the percentiles, over the same timed runs.
    raw = json.loads(cli("bench", pkg("mlp"), "--iterations", "25", "--warmup", "2", "--json",
                         "--raw-latencies").stdout)
    lat, stats = np.array(raw["latencies_ms"]), raw["latency_ms"]
    check(len(lat) == 25 and abs(stats["mean"] - lat.mean()) <= 1e-9 * max(1.0, lat.mean())
          and abs(stats["stddev"] - lat.std(ddof=1)) <= 1e-9 * max(1.0, lat.std(ddof=1))
          and stats["min"] <= stats["mean"] <= stats["max"], f"bench mean/stddev: {stats}")
    one = json.loads(cli("bench", pkg("mlp"), "--iterations", "1", "--warmup", "0", "--json").stdout)["latency_ms"]
    check(one["stddev"] == 0 and one["mean"] == one["p50"], f"bench of one run: {one}")
    # The threads a run gets, how they were chosen, and which kernels run, are reported.
    cores = b["threads_per_run"]
    chosen_by = b["threads_chosen_by"]
    check(cores >= 1 and ("physical cores" in chosen_by or chosen_by.startswith("OMP_NUM_THREADS=")) and b["kernels"].startswith("GEMM onednn 3."),
          f"bench reports its threads and kernels: {b}")
    b = json.loads(cli("bench", pkg("mlp"), "--iterations", "4", "--concurrency", "2", "--json").stdout)
    check(b["threads_per_run"] == max(1, cores // 2) and "/ 2 runs at once" in b["threads_chosen_by"],
          f"bench divides the cores among its instances: {b}")
    b = json.loads(cli("bench", pkg("mlp"), "--iterations", "4", "-t", "3", "--json").stdout)
    check(b["threads_per_run"] == 3 and b["threads_chosen_by"] == "-t 3", f"bench -t: {b}")
    # The packed copies' memory is reported, and --no-packed-weights makes none.
    wide = os.path.join(CORPUS, "linear_wide", "case_0", "in_0.npy")
    b = json.loads(cli("bench", pkg("linear_wide"), "--inputs", wide, "--iterations", "4", "--json").stdout)
    check(b["packed_weights_mib"] > 0.5, f"bench linear_wide packs its weights: {b['packed_weights_mib']}")
    b = json.loads(cli("bench", pkg("linear_wide"), "--inputs", wide, "--iterations", "4", "--no-packed-weights",
                       "--json").stdout)
    check(b["packed_weights_mib"] == 0, f"bench --no-packed-weights: {b['packed_weights_mib']}")
    # --profile: time in pt2run's functions per run, the rest the model's own code.
    p = json.loads(cli("bench", pkg("linear_wide"), "--inputs", wide, "--iterations", "10", "--profile",
                       "--json").stdout)["profile"]
    names = [f["function"] for f in p["functions"]]
    check("aoti_torch_cpu_addmm_out" in names and 0 < p["pt2run_functions_ms"] <= p["mean_run_ms"]
          and abs(p["model_code_ms"] + p["pt2run_functions_ms"] - p["mean_run_ms"]) < 1e-6
          and all(f["calls_per_run"] > 0 for f in p["functions"]), f"bench --profile: {p}")
    i = json.loads(cli("inspect", pkg("mlp"), "--json").stdout)
    check(i["default_threads"] == cores and i["cpu_kernels"]["convolution"].startswith("onednn 3."),
          f"inspect reports the default threads and the kernels: {i.get('cpu_kernels')}")
    r = cli("bench", pkg("mlp"), "--shape", "args[0]=32x16", "--duration", "0.3", "--concurrency", "2", "--json")
    b = json.loads(r.stdout)
    check(b["runs"] > 0 and b["concurrency"] == 2 and b["num_models"] == 2, f"bench duration/concurrency: {b}")
    # Peak RSS is the benchmark's own, not the peak of the process that started it.
    ballast = np.ones(300 * 2**20 // 8)  # this process now holds 300 MiB
    b = json.loads(cli("bench", pkg("mlp"), "--iterations", "5", "--json").stdout)
    check(b["peak_rss_mib"] < 150, f"bench reports the parent's memory: peak RSS {b['peak_rss_mib']} MiB")
    del ballast
    r = cli("bench", pkg("cnn"), "--iterations", "5")
    check("p99" in r.stdout and " mean " in r.stdout and " sd " in r.stdout and "peak RSS" in r.stdout,
          "bench text output:\n" + r.stdout)


def test_errors():
    def one_line_and_hint(r, what):
        lines = r.stderr.strip().splitlines()
        check(len(lines) >= 2 and lines[-2].startswith("pt2run: error: ") and lines[-1].startswith("hint: "),
              f"{what}: stderr should end with an error line and a hint:\n{r.stderr}")
    # Usage errors: exit 2.
    one_line_and_hint(cli("run", pkg("mlp"), "--no-such-flag", expect=2), "unknown flag")
    cli("bench", pkg("mlp"), "--iterations", "5", "--duration", "1", expect=2)
    one_line_and_hint(cli("bench", pkg("mlp"), "--shape", "args[0]=3xQ", expect=2), "bad --shape")
    cli("run", pkg("mlp"), expect=2)  # no inputs
    cli("inspect", os.path.join(TMP, "does_not_exist.pt2"), expect=2)
    cli("run", pkg("mlp"), "--input", "no_equals_sign", expect=2)
    # Runtime errors: exit 1.
    x = os.path.join(CORPUS, "mlp", "case_0", "in_0.npy")
    r = cli("run", pkg("missing_op"), "--inputs", os.path.join(CORPUS, "missing_op", "case_0", "in_0.npy"), expect=1)
    check("aoti_torch_cpu__adaptive_avg_pool2d_backward" in r.stderr, "missing op named")
    one_line_and_hint(r, "missing op")
    garbage = os.path.join(TMP, "garbage.npz")
    open(garbage, "wb").write(b"PK\x03\x04 not really a zip")
    one_line_and_hint(cli("run", pkg("mlp"), "--inputs", garbage, expect=1), "garbage npz")
    truncated = os.path.join(TMP, "truncated.safetensors")
    open(truncated, "wb").write((1000).to_bytes(8, "little") + b'{"x": ')
    cli("run", pkg("mlp"), "--inputs", truncated, expect=1)
    wrong = os.path.join(TMP, "wrong.npy")
    np.save(wrong, np.zeros((3, 5), np.float32))
    r = cli("run", pkg("mlp"), "--inputs", wrong, expect=1)
    check("ShapeMismatch" in r.stderr, "wrong shape reported:\n" + r.stderr)
    r = cli("run", pkg("mlp"), "--inputs", x, "--device", "cuda:0", expect=1)
    check("compiled for 'cpu'" in r.stderr, "device mismatch explained:\n" + r.stderr)
    cli("run", pkg("mlp"), "--inputs", x, "--device", "tpu", expect=2)
    # --input-device keeps one input off the package's device; bad specs are usage errors.
    cli("run", pkg("mlp"), "--inputs", x, "--input-device", "0=cpu")
    for spec, words in (("1=cpu", "has 1 input"), ("x=cpu", "INDEX=DEVICE"), ("0", "INDEX=DEVICE"),
                        ("0=tpu", "--input-device '0=tpu'"), ("-1=cpu", "INDEX=DEVICE")):
        r = cli("run", pkg("mlp"), "--inputs", x, "--input-device", spec, expect=2)
        check(words in r.stderr, f"--input-device {spec} explained:\n" + r.stderr)
    # A CPU model given a device input: a clear error (no CUDA here, or the model's device check).
    one_line_and_hint(cli("run", pkg("mlp"), "--inputs", x, "--input-device", "0=cuda", expect=1), "device input")
    r = cli("run", pkg("weights_none"), "--inputs", os.path.join(CORPUS, "weights_none", "case_0", "in_0.npy"), expect=1)
    check("InvalidState" in r.stderr, "weightless package explained:\n" + r.stderr)
    extra = os.path.join(TMP, "extra.npz")
    np.savez(extra, np.zeros((3, 16), np.float32), np.zeros(2, np.float32))
    r = cli("run", pkg("mlp"), "--inputs", extra, expect=1)
    check("takes 1 input" in r.stderr, "input count explained:\n" + r.stderr)


def test_hostile_options():
    """Options and files that used to pass or read badly: each is a usage error (2) or a clear
    error (1), with its message."""
    x = os.path.join(CORPUS, "mlp", "case_0", "in_0.npy")
    for duration in ("nan", "inf", "-1", "0"):
        r = cli("bench", pkg("mlp"), "--duration", duration, expect=2)
        check("--duration" in r.stderr, f"bench --duration {duration}:\n{r.stderr}")
    r = cli("bench", pkg("mlp"), "--shape", "nosuch=2x2", "--iterations", "2", expect=2)
    check("'nosuch', which is not an input" in r.stderr, "bench --shape of no input:\n" + r.stderr)
    r = cli("run", pkg("mlp"), "--inputs", x, "--threads", "-3", expect=2)
    check("whole number from 0 up, got '-3'" in r.stderr and len(r.stderr) < 300, "--threads -3:\n" + r.stderr)
    folder = os.path.join(TMP, "folder.npy")
    os.makedirs(folder, exist_ok=True)
    r = cli("run", pkg("mlp"), "--input", f"args[0]={folder}", expect=2)
    check("is not a file" in r.stderr, "a directory as an input file:\n" + r.stderr)
    # docs/cli.md: a bad argument exits 2, found before the model runs.
    r = cli("run", pkg("mlp"), "--input", f"args[0]={os.path.join(TMP, 'no_such.npy')}", expect=2)
    check("is not a file" in r.stderr, "a missing --input file:\n" + r.stderr)
    r = cli("run", pkg("mlp"), "--inputs", x, "-o", os.path.join(TMP, "out.txt"), expect=2)
    check("not a tensor file" in r.stderr and "output" not in r.stdout, "-o out.txt before the run:\n" + r.stdout + r.stderr)
    r = cli("run", pkg("pytree"), "--inputs", os.path.join(CORPUS, "pytree", "case_0", "in_0.npy"),
            "-o", os.path.join(TMP, "two.npy"), expect=2)
    check("holds one array, but the model has 2 outputs" in r.stderr, "-o .npy for two outputs:\n" + r.stderr)


def test_inputs_by_the_names_users_wrote():
    """named_inputs carries its exported program: its inputs go by the forward's parameter
    names (input_ids, mask, extra_bias) beside pytree paths, graph names, dict keys and arr_N,
    in inspect, run and bench alike."""
    info = json.loads(cli("inspect", pkg("named_inputs"), "--json").stdout)
    check([i["parameter_name"] for i in info["inputs"]] == ["input_ids", "mask", "extra_bias"],
          f"inspect named_inputs: parameter names {info['inputs']}")
    aliases = [i["aliases"] for i in info["inputs"]]
    check(aliases[0][:2] == ["args[0]", "input_ids"] and aliases[0][-1] == "arr_0" and
          aliases[2][:2] == ["args[2]['bias']", "extra_bias"] and "bias" in aliases[2] and
          all(i["graph_name"] in a for i, a in zip(info["inputs"], aliases)), f"inspect named_inputs: aliases {aliases}")
    check(json.loads(cli("inspect", pkg("mlp"), "--json").stdout)["inputs"][0]["parameter_name"] == "",
          "a package without its exported program has no parameter names")
    ins = case_arrays("named_inputs", "in_")
    expected = case_arrays("named_inputs", "out_")[0]
    out = os.path.join(TMP, "named_out.npz")
    for label, keys in (("parameter names", ["input_ids", "mask", "extra_bias"]),
                        ("graph names", [i["graph_name"] for i in info["inputs"]]),
                        ("mixed", ["arr_0", "args[1]", "bias"])):
        npz = os.path.join(TMP, f"named_{label.replace(' ', '_')}.npz")
        np.savez(npz, **dict(zip(keys, ins)))
        cli("run", pkg("named_inputs"), "--inputs", npz, "-o", out)
        check(os.path.exists(out) and close(np.load(out)["arr_0"], expected, "named_inputs"), f"run by {label}")
        if os.path.exists(out):
            os.remove(out)
    files = []
    for k, a in enumerate(ins):
        files += ["--input", f"{['input_ids', 'mask', 'extra_bias'][k]}={os.path.join(TMP, f'named_{k}.npy')}"]
        np.save(os.path.join(TMP, f"named_{k}.npy"), a)
    cli("run", pkg("named_inputs"), *files)
    twice = os.path.join(TMP, "named_twice.npz")
    np.savez(twice, input_ids=ins[0], arr_0=ins[0], extra_bias=ins[2])
    r = cli("run", pkg("named_inputs"), "--inputs", twice, expect=1)
    check("arr_0 match no input (or one given twice)" in r.stderr and "args[0] (input_ids, " in r.stderr,
          "an input given twice by two names:\n" + r.stderr)
    cli("bench", pkg("named_inputs"), "--shape", "input_ids=3x16", "--iterations", "2")
    # A damaged exported program costs the parameter names, not the model: inspect says so.
    import zipfile
    damaged = os.path.join(TMP, "named_damaged.pt2")
    with zipfile.ZipFile(pkg("named_inputs")) as src, zipfile.ZipFile(damaged, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            dst.writestr(item, b"{not json" if item.filename.endswith("models/model.json") else data)
    r = cli("inspect", damaged)
    check("runs here: yes" in r.stdout and "note: " in r.stdout and "models/model.json' is not JSON" in r.stdout,
          "inspect of a damaged exported program:\n" + r.stdout)
    np.savez(os.path.join(TMP, "damaged_in.npz"), *ins)
    cli("run", damaged, "--inputs", os.path.join(TMP, "damaged_in.npz"))


def test_names_that_are_not_utf8():
    """A package whose recorded names hold bytes that are not UTF-8: inspect --json still writes
    valid JSON (the bytes become U+FFFD) instead of an internal error."""
    import zipfile
    odd = os.path.join(TMP, "odd_names.pt2")
    with zipfile.ZipFile(pkg("mlp")) as zin, zipfile.ZipFile(odd, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename.endswith(".wrapper.cpp"):
                data = data.replace(b'original_fqn = "fc1.weight"', b'original_fqn = "fc1.w\xffight"')
            zout.writestr(info, data)
    r = cli("inspect", odd, "--json")
    try:
        fqns = [c["fqn"] for c in json.loads(r.stdout)["constants"]]
        check("fc1.w\ufffdight" in fqns, f"inspect --json of a non-UTF-8 name: {fqns}")
    except ValueError:
        failures.append("inspect --json of a non-UTF-8 name is not JSON:\n" + r.stdout[-500:] + r.stderr)


def test_pinned_sha256():
    """--expect-sha256: the digest sha256sum prints loads, another is refused before anything in
    the package is read, a malformed one is a usage error."""
    import hashlib
    x = os.path.join(CORPUS, "mlp", "case_0", "in_0.npy")
    digest = hashlib.sha256(open(pkg("mlp"), "rb").read()).hexdigest()
    other = hashlib.sha256(open(pkg("cnn"), "rb").read()).hexdigest()
    cli("run", pkg("mlp"), "--inputs", x, "--expect-sha256", digest)
    cli("inspect", pkg("mlp"), "--expect-sha256", digest.upper())
    r = cli("run", pkg("mlp"), "--inputs", x, "--expect-sha256", other, expect=1)
    check(f"has SHA-256 {digest}, not the expected {other}" in r.stderr, "pin mismatch explained:\n" + r.stderr)
    cli("bench", pkg("mlp"), "--iterations", "2", "--expect-sha256", other, expect=1)
    cli("run", pkg("mlp"), "--inputs", x, "--expect-sha256", "abc", expect=2)


def test_thread_bound():
    """A package whose kernels size per-thread arrays by the exporting machine's threads runs,
    with the right numbers, when asked for more threads than that (it used to crash)."""
    info = json.loads(cli("inspect", pkg("reduction"), "--json").stdout)
    check(info["max_threads_known"] and isinstance(info["max_threads"], int), f"inspect reduction: {info.get('max_threads')}")
    bound = info["max_threads"] or 1
    x = os.path.join(CORPUS, "reduction", MANIFEST["reduction"]["cases"][0]["dir"], "in_0.npy")
    expected = case_arrays("reduction", "out_")
    out = os.path.join(TMP, "reduction.npz")
    for threads in (bound + 1, bound + 14):
        r = cli("run", pkg("reduction"), "--inputs", x, "-o", out, "-t", str(threads))
        check(r.stderr.count("compiled for at most") == 1, f"-t {threads}: the bound said once:\n{r.stderr}")
        got = np.load(out)
        check(all(close(got[f"arr_{j}"], e, "reduction") for j, e in enumerate(expected)), f"reduction -t {threads}")
    r = cli("run", pkg("reduction"), "--inputs", x, "-t", str(bound))
    check("compiled for at most" not in r.stderr, "no message within the bound:\n" + r.stderr)


def test_inputs_checked_without_the_models_checks():
    """AOTI_RUNTIME_CHECK_INPUTS=0 turns the model's own checks off: pt2run's still refuse a
    wrong rank, dtype or size instead of running on garbage."""
    env = {**os.environ, "AOTI_RUNTIME_CHECK_INPUTS": "0"}
    cases = {"rank": np.zeros((3, 16, 1), np.float32), "dtype": np.zeros((3, 16), np.float64),
             "size": np.zeros((3, 15), np.float32), "range": np.zeros((65, 16), np.float32)}
    for what, array in cases.items():
        path = os.path.join(TMP, f"bad_{what}.npy")
        np.save(path, array)
        r = subprocess.run([CLI, "run", pkg("mlp"), "--inputs", path], capture_output=True, text=True, env=env)
        check(r.returncode == 1 and ("ShapeMismatch" in r.stderr or "DTypeMismatch" in r.stderr),
              f"wrong {what} with the model's checks off: exit {r.returncode}\n{r.stderr}")
    r = subprocess.run([CLI, "run", pkg("mlp"), "--inputs", os.path.join(TMP, "bad_dtype.npy")],
                       capture_output=True, text=True, env=env)
    check("has dtype float64 but the model takes float32" in r.stderr, "dtype named in words:\n" + r.stderr)


for test in [test_inspect, test_run_formats, test_run_compressed_npz_and_named_keys,
             test_run_positional_safetensors_in_file_order, test_run_several_inputs_in_order,
             test_run_seed, test_bench, test_errors,
             test_hostile_options, test_inputs_by_the_names_users_wrote, test_names_that_are_not_utf8, test_pinned_sha256, test_thread_bound, test_inputs_checked_without_the_models_checks]:
    try:
        test()
    except Exception as e:  # a crash in the test itself is a failure too
        failures.append(f"{test.__name__}: {type(e).__name__}: {e}")
if failures:
    print("\n\n".join(failures))
    sys.exit(1)
print("cli ok")
