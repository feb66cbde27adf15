"""pt2run's Python API on CUDA packages (PT2RUN_CUDA_CORPUS_DIR, exported on the GPU machine by
scripts/cuda_device.sh): numpy inputs, torch CUDA tensors in by DLPack without a copy, outputs
on the device by DLPack, against torch's eager CUDA outputs. Skipped without that corpus."""
import json
import os

import numpy as np
import pytest

import pt2run

CORPUS = os.environ.get("PT2RUN_CUDA_CORPUS_DIR", "")
if not os.path.exists(os.path.join(CORPUS, "manifest.json")):
    pytest.skip("PT2RUN_CUDA_CORPUS_DIR names no CUDA corpus", allow_module_level=True)
MANIFEST = {m["name"]: m for m in json.load(open(os.path.join(CORPUS, "manifest.json")))["models"]}


def arrays(model, prefix):
    entry = MANIFEST[model]["cases"][0]
    specs = entry["inputs"] if prefix == "in_" else entry["outputs"]
    return [np.load(os.path.join(CORPUS, model, entry["dir"], f"{prefix}{i}.npy")) for i in range(len(specs))]


@pytest.mark.parametrize("model", [m for m in ("mlp", "transformer", "pytree", "matmuls") if m in MANIFEST])
def test_cuda_package_from_numpy_and_torch(model):
    m = pt2run.load(os.path.join(CORPUS, model, "model.pt2"))
    assert m.device.startswith("cuda")
    inputs, expected = arrays(model, "in_"), arrays(model, "out_")
    specs = MANIFEST[model]["cases"][0]["outputs"]
    for got, want, spec in zip(m.run(inputs), expected, specs):  # numpy in, numpy out (host copies)
        assert np.allclose(got, want, rtol=spec["rtol"], atol=spec["atol"])
    torch = pytest.importorskip("torch")
    on_device = [torch.from_numpy(a).cuda() for a in inputs]
    outputs = m.run(on_device, as_dlpack=True)
    for out, want, spec in zip(outputs, expected, specs):
        assert out.device.startswith("cuda")
        t = torch.from_dlpack(out)  # no copy: the device memory pt2run wrote
        assert t.is_cuda and np.allclose(t.cpu().numpy(), want, rtol=spec["rtol"], atol=spec["atol"])


def test_cuda_is_refused_for_a_cpu_package():
    cpu = os.environ.get("PT2RUN_CPU_CORPUS_DIR", "")
    if not os.path.exists(os.path.join(cpu, "mlp", "model.pt2")):
        pytest.skip("no CPU corpus")
    with pytest.raises(pt2run.errors.UnsupportedPackage):
        pt2run.load(os.path.join(cpu, "mlp", "model.pt2"), device="cuda")
