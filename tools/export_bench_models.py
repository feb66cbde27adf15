"""Exports the CPU benchmark models twice: as an AOTInductor package (what pt2run and libtorch
run) and as ONNX (what ONNX Runtime runs), with one set of inputs.

Models: three small corpus models (overhead-bound), a ResNet-50 (23.5M parameters with a 2-class head), a
GPT-style decoder of about 30M parameters and a BERT-base-sized encoder (12 layers, hidden 768,
128 tokens), with random weights from configs (no downloads); ResNet-50 and the encoder also
exported with freezing (NAME_frozen). A model torch.onnx cannot export records why instead of
stopping the run. PT2RUN_BENCH_MODELS=a,b exports only those; PT2RUN_BENCH_ONNX=0 skips ONNX
(a machine without ONNX Runtime).

Usage: python tools/export_bench_models.py OUT [--device cuda]   (OUT/manifest.json, OUT/NAME/...)
       python tools/export_bench_models.py key                     (the cache key: this script + torch)
--device cuda exports the AOTInductor packages for CUDA (the device machine's benchmark,
scripts/bench_cuda_device.sh) and no ONNX: ONNX Runtime's CUDA build cannot be brought there.
"""
import hashlib
import json
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def models():
    import torch
    import transformers as tf

    sys.path.insert(0, HERE)
    from export_corpus import build_models

    corpus = build_models()
    result = {}
    for name in ("mlp", "cnn", "transformer"):
        factory, cases, _, *_ = corpus[name]
        result[name] = (factory(), cases[0][0])

    class Logits(torch.nn.Module):
        """A transformers model's first output as a plain tensor (export-friendly)."""

        def __init__(self, model):
            super().__init__()
            self.model = model

        def forward(self, x):
            return self.model(x, return_dict=False)[0]

    resnet = tf.ResNetForImageClassification(tf.ResNetConfig())  # ResNet-50's widths and depths
    result["resnet50"] = (Logits(resnet), (torch.randn(1, 3, 224, 224),))
    gpt_config = tf.GPT2Config(n_embd=512, n_layer=8, n_head=8, vocab_size=8192, n_positions=256, use_cache=False)
    gpt = tf.GPT2LMHeadModel(gpt_config)
    result["gpt_decoder"] = (Logits(gpt), (torch.randint(0, 8192, (1, 128)),))
    # BERT-base's shape: 12 layers, hidden 768, 12 heads, 128 tokens.
    bert = tf.BertModel(tf.BertConfig(hidden_size=768, num_hidden_layers=12, num_attention_heads=12,
                                      intermediate_size=3072, vocab_size=30522), add_pooling_layer=False)
    result["bert_encoder"] = (Logits(bert), (torch.randint(0, 30522, (1, 128)),))
    return result


# Exported a second time with freezing (torch's recommended CPU inference setting, libtorch's
# best case), with its default oneDNN weight prepacking: the same model and weights, its ONNX
# file shared with the unfrozen export.
FROZEN = ("resnet50", "bert_encoder")


def shape_arg(t):
    shape = "x".join(map(str, t.shape))
    return shape if t.dtype.is_floating_point else f"int64:{shape}"


def export_onnx(model, args, path, entry):
    import torch

    try:
        torch.onnx.export(model, args, path, dynamo=True, optimize=True, external_data=False)
    except Exception as e:  # noqa: BLE001
        entry["onnx_error"] = f"{type(e).__name__}: {e}".splitlines()[0][:300]


def export(out, device="cpu"):
    import numpy as np
    import torch

    tmp = out.rstrip("/") + ".partial"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    manifest = {"torch": torch.__version__, "device": device, "models": []}
    torch.manual_seed(0)
    only = set(os.environ.get("PT2RUN_BENCH_MODELS", "").split(",")) - {""}
    for base, (model, args) in models().items():
        model = model.eval().to(device)
        for name in [base] + ([base + "_frozen"] if base in FROZEN and device == "cpu" else []):
            if only and name not in only:
                continue
            folder = os.path.join(tmp, name)
            os.makedirs(folder)
            params = sum(p.numel() for p in model.parameters())
            entry = {"name": name, "parameters": params, "inputs": [shape_arg(a) for a in args],
                     "frozen": name.endswith("_frozen")}
            np.savez(os.path.join(folder, "inputs.npz"), *[a.numpy() for a in args])
            with torch.no_grad():
                ep = torch.export.export(model, tuple(a.to(device) for a in args))
                torch._inductor.aoti_compile_and_package(
                    ep, package_path=os.path.join(folder, "model.pt2"),
                    inductor_configs={"freezing": True} if entry["frozen"] else {})
                onnx = os.path.join(folder, "model.onnx")
                shared = os.path.join(tmp, base, "model.onnx")
                if device == "cpu" and entry["frozen"] and os.path.exists(shared):
                    shutil.copyfile(shared, onnx)
                elif device == "cpu" and os.environ.get("PT2RUN_BENCH_ONNX", "1") == "1":
                    export_onnx(model, args, onnx, entry)
            manifest["models"].append(entry)
            print(f"exported {name} ({params / 1e6:.1f}M parameters)", flush=True)
    with open(os.path.join(tmp, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    shutil.rmtree(out, ignore_errors=True)
    os.replace(tmp, out)


def key():
    import torch

    h = hashlib.sha256()
    for script in ("export_bench_models.py", "export_corpus.py"):
        with open(os.path.join(HERE, script), "rb") as f:
            h.update(f.read())
    h.update(torch.__version__.encode())
    return h.hexdigest()[:16]


if __name__ == "__main__":
    args = sys.argv[1:]
    if args == ["key"]:
        print(key())
    elif len(args) in (1, 3) and not args[0].startswith("-") and (len(args) == 1 or (
            args[1] == "--device" and args[2] in ("cpu", "cuda"))):
        export(args[0], args[2] if len(args) == 3 else "cpu")
    else:
        # Anything else (--help, a typo) would otherwise become the output folder's name.
        sys.exit(__doc__[__doc__.index("Usage:"):])
