#!/usr/bin/env python3
"""docs/deploy.md against what exists: its KServe manifests against the server's real options,
and the container image scripts/image.sh builds.

Usage:
  image_test.py manifests PT2RUN_CLI   the manifests' container args, ports, probes and model
                                       mount, run with this pt2run serve (no container)
  image_test.py image BUILD_DIR        builds the image from BUILD_DIR's Debian packages, runs it
                                       with podman on 127.0.0.1 with the manifests' args, checks
                                       health, an infer request, metrics and a graceful stop
Needs PT2RUN_CORPUS_DIR (the mlp). `image` exits 77 (skipped) without root, podman, buildah or
mmdebstrap (`scripts/setup.sh --image` installs them).
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import numpy as np
import yaml

sys.path.insert(0, os.path.dirname(__file__))
from e2e_corpus import case_arrays, pkg  # noqa: E402
from e2e_net import free_port  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MODEL_DIR = "/mnt/models"  # where KServe's storage initializer puts storageUri
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


def manifests():
    """The YAML blocks of docs/deploy.md, by kind."""
    text = open(os.path.join(ROOT, "docs", "deploy.md")).read()
    docs = [d for block in re.findall(r"```yaml\n(.*?)```", text, re.S) for d in yaml.safe_load_all(block) if d]
    return {d["kind"]: d for d in docs}


def image_entrypoint():
    """The entrypoint scripts/image.sh gives the image (one place says it)."""
    script = open(os.path.join(ROOT, "scripts", "image.sh")).read()
    return json.loads(re.search(r"^entrypoint='(\[.*\])'$", script, re.M).group(1))


def serving_container(kinds):
    runtime, service = kinds["ClusterServingRuntime"], kinds["InferenceService"]
    predictor = service["spec"]["predictor"]["model"]
    check(predictor["runtime"] == runtime["metadata"]["name"], "the InferenceService names another runtime")
    check(any(f["name"] == predictor["modelFormat"]["name"] for f in runtime["spec"]["supportedModelFormats"]),
          "the runtime does not support the InferenceService's model format")
    check(predictor["protocolVersion"] in runtime["spec"]["protocolVersions"] and predictor["protocolVersion"] == "v2",
          "protocol versions disagree")
    [container] = runtime["spec"]["containers"]
    port = container["ports"][0]["containerPort"]
    for probe in ("readinessProbe", "livenessProbe"):
        check(container[probe]["httpGet"]["port"] == port, f"{probe} is not on the container port")
    annotations = service["metadata"]["annotations"]
    check(int(annotations["prometheus.kserve.io/port"]) == port, "the metrics annotation is not on the container port")
    name = service["metadata"]["name"]
    args = [a.replace("{{.Name}}", name) for a in container["args"]]
    return container, port, name, args, annotations["prometheus.kserve.io/path"]


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def wait_ready(url, alive):
    for _ in range(150):
        try:
            if get(url)[0] == 200:
                return True
        except OSError:
            pass
        if not alive():
            return False
        time.sleep(0.2)
    return False


def check_serving(base, container, name, metrics_path):
    """What KServe and a v2 client do against the manifests' container."""
    for probe in ("readinessProbe", "livenessProbe"):
        status, _ = get(base + container[probe]["httpGet"]["path"])
        check(status == 200, f"{probe} {container[probe]['httpGet']['path']}: {status}")
    x = case_arrays("mlp", "in_")[0]
    expected = case_arrays("mlp", "out_")[0]
    body = json.dumps({"inputs": [{"name": "args[0]", "datatype": "FP32", "shape": list(x.shape),
                                   "data": x.ravel().tolist()}]}).encode()
    request = urllib.request.Request(f"{base}/v2/models/{name}/infer", data=body, method="POST")
    with urllib.request.urlopen(request, timeout=10) as r:
        output = json.loads(r.read())["outputs"][0]
    got = np.array(output["data"], np.float32).reshape(output["shape"])
    check(got.shape == expected.shape and np.allclose(got, expected, rtol=1e-4, atol=1e-4),
          f"infer on model '{name}' does not match eager")
    status, text = get(base + metrics_path)
    check(status == 200 and f'pt2run_requests_total{{model="{name}",code="200"}}' in text,
          f"metrics at {metrics_path}: {status} {text[:200]}")


def model_folder():
    """A folder laid out as KServe's storage initializer lays out storageUri: model.pt2."""
    folder = tempfile.mkdtemp(prefix="pt2run-models-")
    shutil.copy(pkg("mlp"), os.path.join(folder, "model.pt2"))
    os.chmod(folder, 0o755)
    os.chmod(os.path.join(folder, "model.pt2"), 0o644)
    return folder


def test_manifests(cli):
    container, port, name, args, metrics_path = serving_container(manifests())
    entrypoint = image_entrypoint()
    check(entrypoint[:2] == ["/usr/bin/pt2run", "serve"], f"image entrypoint {entrypoint}")
    check(entrypoint[entrypoint.index("--port") + 1] == str(port), "the image listens on another port than the manifest's")
    # The image's entrypoint plus the manifest's args, as the container would run them, with the
    # model mount and the port moved to what this machine has free.
    folder = model_folder()
    local_port = free_port()
    command = [cli] + [a.replace(MODEL_DIR, folder) for a in entrypoint[1:] + args]
    command[command.index("--port") + 1] = str(local_port)
    command[command.index("--host") + 1] = "127.0.0.1"
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        base = f"http://127.0.0.1:{local_port}"
        up = wait_ready(base + container["readinessProbe"]["httpGet"]["path"], lambda: server.poll() is None)
        check(up, f"pt2run serve with the manifest's args did not come up: {' '.join(command)}")
        if up:
            check_serving(base, container, name, metrics_path)
    finally:
        server.terminate()
        out = server.communicate(timeout=30)[0]
        shutil.rmtree(folder)
    check(server.returncode == 0, f"serve exit {server.returncode}:\n{out[-2000:]}")


def podman_runtime(image):
    """[] when podman runs containers here as it is; the rlimit-dropping runtime where this
    host's sandbox refuses podman's setrlimit (oci_runtime_without_rlimits.sh says why)."""
    probe = subprocess.run(["podman", "run", "--rm", "--entrypoint", "/usr/bin/pt2run", image, "--version"],
                           capture_output=True, text=True, timeout=120)
    if probe.returncode == 0:
        return []
    if "setrlimit" in probe.stderr:
        print("podman: this host refuses setrlimit in containers; running them through "
              "tests/e2e/oci_runtime_without_rlimits.sh")
        return ["--runtime", os.path.join(ROOT, "tests", "e2e", "oci_runtime_without_rlimits.sh")]
    sys.exit(f"podman cannot run the image:\n{probe.stderr}")


def test_image(build):
    if os.geteuid() != 0 or not all(shutil.which(t) for t in ("podman", "buildah", "mmdebstrap")):
        print("SKIP: needs root with podman, buildah and mmdebstrap (scripts/setup.sh --image)")
        sys.exit(77)
    container, port, name, args, metrics_path = serving_container(manifests())
    work = tempfile.mkdtemp(prefix="pt2run-image-")
    image = "localhost/pt2run-e2e:test"
    folder = model_folder()
    try:
        subprocess.run(["cpack", "-G", "DEB", "-B", os.path.join(work, "debs")], cwd=build, check=True,
                       stdout=subprocess.DEVNULL)
        started = time.time()
        subprocess.run([os.path.join(ROOT, "scripts", "image.sh"), "--debs", os.path.join(work, "debs"),
                        "--tag", image], check=True)
        print(f"image built in {time.time() - started:.0f} s")
        config = json.loads(subprocess.run(["podman", "image", "inspect", image], capture_output=True, text=True,
                                           check=True).stdout)[0]["Config"]
        check(config["Entrypoint"] == image_entrypoint(), f"image entrypoint {config['Entrypoint']}")
        check(f"{port}/tcp" in config.get("ExposedPorts", {}), f"image ports {config.get('ExposedPorts')}")
        check(MODEL_DIR in config.get("Volumes", {}), f"image volumes {config.get('Volumes')}")
        check(config.get("User") == "1000:1000", f"image user {config.get('User')}")
        runtime = podman_runtime(image)
        # Nothing but pt2run and Debian's libraries: no Python, no torch.
        listing = subprocess.run(["podman", *runtime, "run", "--rm", "--entrypoint", "/bin/sh", image, "-c",
                                  "command -v python3 || echo none; ls /usr/lib/libpt2run.so.0"],
                                 capture_output=True, text=True)
        check(listing.stdout.split()[:2] == ["none", "/usr/lib/libpt2run.so.0"], f"image contents: {listing.stdout}")
        host_port = free_port()
        run = subprocess.run(["podman", *runtime, "run", "-d", "--name", "pt2run-e2e", "-p",
                              f"127.0.0.1:{host_port}:{port}", "-v", f"{folder}:{MODEL_DIR}:ro", image, *args],
                             capture_output=True, text=True)
        check(run.returncode == 0, f"podman run: {run.stderr}")
        base = f"http://127.0.0.1:{host_port}"

        def alive():
            state = subprocess.run(["podman", "inspect", "pt2run-e2e", "--format", "{{.State.Running}}"],
                                   capture_output=True, text=True)
            return state.stdout.strip() == "true"

        up = run.returncode == 0 and wait_ready(base + container["readinessProbe"]["httpGet"]["path"], alive)
        check(up, "the container did not become ready")
        if up:
            check_serving(base, container, name, metrics_path)
        # Kubernetes stops a pod with SIGTERM: pt2run (PID 1) finishes and exits 0 well inside
        # the grace period.
        started = time.time()
        subprocess.run(["podman", *runtime, "stop", "-t", "20", "pt2run-e2e"], capture_output=True)
        stopped_in = time.time() - started
        code = subprocess.run(["podman", "inspect", "pt2run-e2e", "--format", "{{.State.ExitCode}}"],
                              capture_output=True, text=True).stdout.strip()
        logs = subprocess.run(["podman", "logs", "pt2run-e2e"], capture_output=True, text=True)
        check(code == "0" and stopped_in < 10 and "finishing the requests in flight" in logs.stdout,
              f"SIGTERM: exit {code} after {stopped_in:.1f} s\n{logs.stdout[-1000:]}{logs.stderr[-1000:]}")
    finally:
        subprocess.run(["podman", "rm", "-f", "pt2run-e2e"], capture_output=True)
        subprocess.run(["podman", "rmi", "-f", image], capture_output=True)
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(folder, ignore_errors=True)


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("manifests", "image"):
        sys.exit(__doc__)
    if not os.environ.get("PT2RUN_CORPUS_DIR"):
        print("SKIP: PT2RUN_CORPUS_DIR is not set")
        sys.exit(77)
    (test_manifests if sys.argv[1] == "manifests" else test_image)(sys.argv[2])
    if failures:
        print("\n".join(failures))
        sys.exit(1)
    print(f"{sys.argv[1]} ok")


if __name__ == "__main__":
    main()
