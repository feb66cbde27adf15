#!/usr/bin/env python3
"""End-to-end tests of `pt2run serve` with clients nobody here wrote: tritonclient[http]
(pinned in scripts/setup.sh) for metadata, JSON and binary inference, and curl for health and
a raw bad request; outputs are checked against torch's eager outputs from the corpus.

Usage: serve_test.py PT2RUN_CLI  (PT2RUN_CORPUS_DIR must name an exported corpus; exit 77 skips)
"""
import json
import shutil
import signal
import subprocess
import sys

import numpy as np

CLI = sys.argv[1]
from e2e_net import start_serve  # noqa: E402
from e2e_corpus import case_arrays, pkg

try:
    import tritonclient.http as triton
    from tritonclient.utils import InferenceServerException
except ImportError:
    print("tritonclient[http] is not installed (scripts/setup.sh installs it): skipped")
    sys.exit(77)

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


def case(model):
    return case_arrays(model, "in_"), case_arrays(model, "out_")



def start_server():
    server, port = start_serve(CLI, "--instances", "2", "-t", "1", "--http-workers", "3", "--max-body-mib", "1",
                               "--model", f"mlp={pkg('mlp')}", "--model", f"pytree={pkg('pytree')}",
                               "--model", f"named_inputs={pkg('named_inputs')}")
    return server, triton.InferenceServerClient(f"127.0.0.1:{port}"), port


def infer(client, model, arrays, names, binary):
    inputs = []
    for name, a in zip(names, arrays):
        i = triton.InferInput(name, list(a.shape), {"float32": "FP32", "int64": "INT64"}[str(a.dtype)])
        i.set_data_from_numpy(a, binary_data=binary)
        inputs.append(i)
    return client.infer(model, inputs, outputs=None if not binary else [
        triton.InferRequestedOutput(o["name"], binary_data=True) for o in client.get_model_metadata(model)["outputs"]])


def main():
    server, client, port = start_server()
    try:
        check(client.is_server_live(), "server live")
        meta = client.get_server_metadata()
        check(meta["name"] == "pt2run" and "binary_tensor_data" in meta["extensions"], f"server metadata {meta}")
        m = client.get_model_metadata("mlp")
        check(m["inputs"][0] == {"name": "args[0]", "datatype": "FP32", "shape": [-1, 16]}, f"mlp metadata {m}")
        check(client.is_model_ready("mlp"), "mlp ready")

        for model in ("mlp", "pytree"):
            names = [i["name"] for i in client.get_model_metadata(model)["inputs"]]
            inputs, expected = case(model)
            for binary in (False, True):
                result = infer(client, model, inputs, names, binary)
                outputs = [o["name"] for o in client.get_model_metadata(model)["outputs"]]
                for name, want in zip(outputs, expected):
                    got = result.as_numpy(name)
                    check(got is not None and got.shape == want.shape and
                          np.allclose(got, want, rtol=1e-4, atol=1e-4),
                          f"{model} {'binary' if binary else 'JSON'} output {name} differs from torch")

        # Bad requests: the client sees the server's message; the server keeps serving.
        x = case("mlp")[0][0]
        try:
            infer(client, "mlp", [x.astype(np.int64)], ["args[0]"], False)
            failures.append("an INT64 input to an FP32 model was accepted")
        except InferenceServerException as e:
            check("must be FP32, got INT64" in str(e), f"wrong dtype message: {e}")
        try:
            infer(client, "mlp", [x[:, :8].copy()], ["args[0]"], True)
            failures.append("a wrongly shaped input was accepted")
        except InferenceServerException as e:
            check("must have shape" in str(e), f"wrong shape message: {e}")
        try:
            client.get_model_metadata("nope")
            failures.append("an unknown model has metadata")
        except InferenceServerException as e:
            check("no model 'nope'" in str(e), f"unknown model message: {e}")

        curl = shutil.which("curl")
        if curl:
            base = f"http://127.0.0.1:{port}"
            code = subprocess.run([curl, "-s", "-o", "/dev/null", "-w", "%{http_code}", f"{base}/v2/health/live"],
                                  capture_output=True, text=True).stdout
            check(code == "200", f"curl health: {code}")
            r = subprocess.run([curl, "-s", "-w", " %{http_code}", "-X", "POST", f"{base}/v2/models/mlp/infer",
                                "-d", "{not json"], capture_output=True, text=True).stdout
            check(r.endswith(" 400") and "not a JSON object" in r, f"curl malformed JSON: {r}")
            big = subprocess.run([curl, "-s", "-w", " %{http_code}", "-X", "POST", f"{base}/v2/models/mlp/infer",
                                  "--data-binary", "@-"], input=b"x" * (2 << 20), capture_output=True).stdout.decode()
            check(big.endswith(" 413") and "over the server's limit" in big, f"curl oversized body: {big}")
        check(client.is_server_ready(), "still serving after the bad requests")
        if curl:
            metrics = subprocess.run([curl, "-s", f"{base}/metrics"], capture_output=True, text=True).stdout
            check('pt2run_requests_total{model="mlp",code="400"}' in metrics, f"metrics: {metrics[:300]}")
        result = infer(client, "mlp", [x], ["args[0]"], True)
        check(np.allclose(result.as_numpy("output"), case("mlp")[1][0], rtol=1e-4, atol=1e-4), "mlp after errors")
        # Inputs by any name `pt2run inspect` lists for them (pt2run::input_aliases), as run takes them.
        graph_names = [i["graph_name"] for i in
                       json.loads(subprocess.run([CLI, "inspect", pkg("named_inputs"), "--json"], capture_output=True,
                                                 text=True).stdout)["inputs"]]
        inputs, expected = case("named_inputs")
        for names in (["input_ids", "mask", "extra_bias"], graph_names, ["arr_0", "args[1]", "bias"]):
            result = infer(client, "named_inputs", inputs, names, True)
            check(np.allclose(result.as_numpy("output"), expected[0], rtol=1e-4, atol=1e-4), f"named_inputs by {names}")
        try:
            infer(client, "named_inputs", [inputs[0], inputs[0]], ["input_ids", "arr_0"], False)
            check(False, "one input given under two names was accepted")
        except InferenceServerException as e:
            check("which the request already gave" in str(e), f"one input under two names: {e}")
        inputs, expected = case("pytree")
        result = infer(client, "pytree", inputs, ["a", "b", "scale"], False)
        check(np.allclose(result.as_numpy("output[0]"), expected[0], rtol=1e-4, atol=1e-4), "pytree by its dict keys")
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            out, _ = server.communicate(timeout=20)
            check(server.returncode == 0, f"serve exit code {server.returncode}\n{out}")
            # -t means threads per run, as for run and bench; the HTTP workers have their own name.
            check("pt2run serve: 1 thread(s) per run (-t 1), 2 instance(s) per model, 3 HTTP worker(s)" in out,
                  f"the start-up line does not say threads, instances and workers:\n{out[:500]}")
            logged = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
            check(any(r["path"] == "/v2/models/mlp/infer" and r["status"] == 400 and "error" in r for r in logged),
                  "the request log has no line for the failed infer request")
        except subprocess.TimeoutExpired:
            server.kill()
            failures.append("serve did not stop on SIGTERM")
    if failures:
        print("\n".join(failures))
        sys.exit(1)
    print("serve e2e: ok")


if __name__ == "__main__":
    main()
