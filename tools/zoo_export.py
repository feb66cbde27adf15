#!/usr/bin/env python3
"""Export pt2run's model zoo: the architectures users ship, with random weights built from
configs (no downloads), small where the full size would make CI slow but with every op kept.

Writes OUT/<name>/model.pt2, OUT/<name>/case_0/{in,out}_<i>.npy and OUT/manifest.json in the
corpus format (tools/export_corpus.py), so the same tests and the CLI read both.

Usage: zoo_export.py OUT [--jobs N] [--only NAME,...]   |   zoo_export.py key | list | ci-subset
"""
import argparse
import hashlib
import os
import sys
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from export_corpus import export_in_parallel, flat, save_case  # noqa: E402


def tuple_outputs(model):
    """Wraps a transformers model so it returns a flat tuple of tensors (no ModelOutput)."""
    import torch

    class Wrapped(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.inner = model

        def forward(self, *args, **kwargs):
            out = self.inner(*args, **kwargs, return_dict=False)
            return tuple(t for t in flat(out) if isinstance(t, torch.Tensor))

    return Wrapped()


def mobilenet_v3_small():
    """torchvision's MobileNetV3-Small (Howard et al. 2019), written out: torchvision's wheels
    here are CUDA builds that do not load next to the CPU torch, and transformers has no V3.
    Layers as torchvision.models.mobilenet_v3_small: hardswish, squeeze-excitation with
    hardsigmoid, depthwise 3x3/5x5 convolutions, BatchNorm."""
    import torch.nn as nn

    def divisible(v, d=8):  # torchvision's _make_divisible
        rounded = max(d, int(v + d / 2) // d * d)
        return rounded + d if rounded < 0.9 * v else rounded

    def conv(cin, cout, k, stride, groups, act):
        layers = [nn.Conv2d(cin, cout, k, stride, (k - 1) // 2, groups=groups, bias=False), nn.BatchNorm2d(cout)]
        return layers + ([act()] if act else [])

    class SqueezeExcitation(nn.Module):
        def __init__(self, c):
            super().__init__()
            squeeze = divisible(c // 4)
            self.fc1, self.fc2 = nn.Conv2d(c, squeeze, 1), nn.Conv2d(squeeze, c, 1)
            self.pool, self.relu, self.gate = nn.AdaptiveAvgPool2d(1), nn.ReLU(), nn.Hardsigmoid()

        def forward(self, x):
            return x * self.gate(self.fc2(self.relu(self.fc1(self.pool(x)))))

    class InvertedResidual(nn.Module):
        def __init__(self, cin, k, expand, cout, se, act, stride):
            super().__init__()
            layers = conv(cin, expand, 1, 1, 1, act) if expand != cin else []
            layers += conv(expand, expand, k, stride, expand, act)
            if se:
                layers.append(SqueezeExcitation(expand))
            layers += conv(expand, cout, 1, 1, 1, None)
            self.block = nn.Sequential(*layers)
            self.residual = stride == 1 and cin == cout

        def forward(self, x):
            y = self.block(x)
            return x + y if self.residual else y

    re, hs = nn.ReLU, nn.Hardswish
    table = [(16, 3, 16, 16, True, re, 2), (16, 3, 72, 24, False, re, 2), (24, 3, 88, 24, False, re, 1),
             (24, 5, 96, 40, True, hs, 2), (40, 5, 240, 40, True, hs, 1), (40, 5, 240, 40, True, hs, 1),
             (40, 5, 120, 48, True, hs, 1), (48, 5, 144, 48, True, hs, 1), (48, 5, 288, 96, True, hs, 2),
             (96, 5, 576, 96, True, hs, 1), (96, 5, 576, 96, True, hs, 1)]
    return nn.Sequential(*conv(3, 16, 3, 2, 1, hs), *[InvertedResidual(*row) for row in table],
                         *conv(96, 576, 1, 1, 1, hs), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                         nn.Linear(576, 1024), hs(), nn.Dropout(0.2), nn.Linear(1024, 1000))


def build(name):
    """name -> (module, args tuple or a list of them (the first is exported; each is a case),
    dynamic_shapes or None, inductor configs)."""
    import torch
    import transformers as tf

    g = torch.Generator().manual_seed(0)
    ids = lambda b, s, vocab=1000: torch.randint(0, vocab, (b, s), generator=g)  # noqa: E731
    image = lambda b, c, h, w: torch.randn(b, c, h, w, generator=g)  # noqa: E731
    text = dict(hidden_size=64, num_hidden_layers=2, num_attention_heads=4, intermediate_size=128,
                vocab_size=1000, max_position_embeddings=128)
    if name in ("bert", "bert_dynamic_seq"):
        m = tuple_outputs(tf.BertModel(tf.BertConfig(**text)))
        args = (ids(2, 16), torch.ones(2, 16, dtype=torch.int64))
        if name == "bert":
            return m, args, None, {}
        seq = torch.export.Dim("seq", min=2, max=64)
        dynamic = {"args": ({1: seq}, {1: seq})}  # the wrapper takes *args
        # Checked at the exported length and two others (a list of input tuples: one case each).
        return m, [args, (ids(2, 5), torch.ones(2, 5, dtype=torch.int64)),
                   (ids(2, 61), torch.ones(2, 61, dtype=torch.int64))], dynamic, {}
    if name in ("gpt2", "gpt2_max_autotune"):
        cfg = tf.GPT2Config(n_embd=64, n_layer=2, n_head=4, vocab_size=1000, n_positions=128, use_cache=False,
                            bos_token_id=0, eos_token_id=0)
        configs = {"max_autotune": True} if name == "gpt2_max_autotune" else {}
        return tuple_outputs(tf.GPT2Model(cfg)), (ids(2, 16),), None, configs
    if name == "llama":
        cfg = tf.LlamaConfig(**text, num_key_value_heads=2, use_cache=False)  # grouped-query attention
        return tuple_outputs(tf.LlamaModel(cfg)), (ids(2, 16),), None, {}
    if name == "t5":
        cfg = tf.T5Config(d_model=64, d_ff=128, d_kv=16, num_layers=2, num_heads=4, vocab_size=1000, use_cache=False)
        m = tuple_outputs(tf.T5Model(cfg))
        return m, (ids(2, 12), torch.ones(2, 12, dtype=torch.int64), ids(2, 8)), None, {}
    if name == "whisper_encoder":
        cfg = tf.WhisperConfig(d_model=64, encoder_layers=2, encoder_attention_heads=4, encoder_ffn_dim=128,
                               decoder_layers=1, decoder_attention_heads=4, decoder_ffn_dim=128,
                               num_mel_bins=16, max_source_positions=64, vocab_size=1000,
                               pad_token_id=0, bos_token_id=0, eos_token_id=0, decoder_start_token_id=1)
        return tuple_outputs(tf.WhisperModel(cfg).get_encoder()), (image(1, 16, 128, 1)[..., 0],), None, {}
    if name == "vit":
        cfg = tf.ViTConfig(**{k: v for k, v in text.items() if k not in ("vocab_size", "max_position_embeddings")},
                           image_size=32, patch_size=8)
        return tuple_outputs(tf.ViTModel(cfg)), (image(2, 3, 32, 32),), None, {}
    if name in ("resnet50", "resnet50_freezing"):
        # ResNet-50's layout (bottlenecks, depths 3-4-6-3) at a quarter of the width.
        cfg = tf.ResNetConfig(embedding_size=16, hidden_sizes=[64, 128, 256, 512], depths=[3, 4, 6, 3],
                              layer_type="bottleneck")
        # Freezing folds BatchNorm into the convolutions; its default weight prepacking would
        # store oneDNN-blocked weights for aoti_torch_cpu_mkldnn_* ops pt2run does not have,
        # so the documented recipe turns that part off (docs/models.md).
        configs = {"freezing": True, "cpp.weight_prepack": False} if name == "resnet50_freezing" else {}
        return tuple_outputs(tf.ResNetModel(cfg)), (image(2, 3, 64, 64),), None, configs
    if name == "convnext_tiny":
        cfg = tf.ConvNextConfig(hidden_sizes=[24, 48, 96, 192], depths=[3, 3, 9, 3])
        return tuple_outputs(tf.ConvNextModel(cfg)), (image(2, 3, 64, 64),), None, {}
    if name == "swin_tiny":
        cfg = tf.SwinConfig(image_size=64, patch_size=4, embed_dim=24, depths=[2, 2, 6, 2], num_heads=[1, 2, 4, 8],
                            window_size=2)
        return tuple_outputs(tf.SwinModel(cfg)), (image(2, 3, 64, 64),), None, {}
    if name == "efficientnet_b0":
        cfg = tf.EfficientNetConfig(image_size=64, width_coefficient=1.0, depth_coefficient=1.0, hidden_dim=1280)
        return tuple_outputs(tf.EfficientNetModel(cfg)), (image(2, 3, 64, 64),), None, {}
    if name == "mobilenet_v3_small":
        return mobilenet_v3_small(), (image(2, 3, 64, 64),), None, {}
    if name == "mobilenet_v2":
        cfg = tf.MobileNetV2Config(image_size=64, depth_multiplier=0.5)
        return tuple_outputs(tf.MobileNetV2Model(cfg)), (image(2, 3, 64, 64),), None, {}
    raise KeyError(name)


MODELS = ["bert", "bert_dynamic_seq", "gpt2", "gpt2_max_autotune", "llama", "t5", "whisper_encoder", "vit",
          "resnet50", "resnet50_freezing", "convnext_tiny", "swin_tiny", "efficientnet_b0", "mobilenet_v2",
          "mobilenet_v3_small"]
# What CI exports when the zoo is not cached: one transformer encoder, one decoder with
# rotary/GQA, one CNN with squeeze-excitation and hard activations (about 2 minutes on 2 cores).
CI_SUBSET = ["bert", "llama", "mobilenet_v3_small"]


def export_one(name, out_dir):
    """Returns the manifest entry, or {"name", "export_error"} if torch could not export it."""
    import torch
    torch.manual_seed(0)
    model_dir = os.path.join(out_dir, name)
    os.makedirs(model_dir, exist_ok=True)
    try:
        model, cases, dynamic, configs = build(name)
        cases = cases if isinstance(cases, list) else [cases]
        model = model.eval()
        with torch.no_grad():
            case_outputs = [model(*args) for args in cases]
            ep = torch.export.export(model, cases[0], dynamic_shapes=dynamic, strict=False)
            torch._inductor.aoti_compile_and_package(ep, package_path=os.path.join(model_dir, "model.pt2"),
                                                     inductor_configs=dict(configs))  # it adds keys
    except Exception as e:  # recorded: the zoo reports what torch itself cannot export
        return {"name": name, "export_error": f"{type(e).__name__}: {e}".splitlines()[0][:500],
                "trace": traceback.format_exc()[-2000:]}
    # Deep models accumulate float32 rounding differently from eager: a looser tolerance.
    tol = {"rtol": 1e-3, "atol": 1e-3}
    entry = {"name": name, "options": {k: str(v) for k, v in configs.items()}, "cases": []}
    if dynamic:
        entry["options"]["dynamic shapes"] = "yes"
    for k, (args, outputs) in enumerate(zip(cases, case_outputs)):
        entry["cases"].append(save_case(model_dir, k, flat(args), flat(outputs), float32_tolerance=tol))
    return entry


def zoo_key(script_path):
    import torch
    import transformers
    h = hashlib.sha256()
    for path in (script_path, os.path.join(os.path.dirname(script_path), "export_corpus.py")):
        with open(path, "rb") as f:
            h.update(f.read())
    h.update(torch.__version__.encode())
    h.update(transformers.__version__.encode())
    return h.hexdigest()[:16]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", help="output folder; 'key' prints the cache key, 'list' the models")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--only", default="")
    ns = parser.parse_args()
    if ns.out == "key":
        print(zoo_key(os.path.abspath(__file__)))
        return
    if ns.out == "list":
        print(" ".join(MODELS))
        return
    if ns.out == "ci-subset":
        print(",".join(CI_SUBSET))
        return
    os.environ.setdefault("TORCHINDUCTOR_COMPILE_THREADS", "1")
    names = [n for n in MODELS if not ns.only or n in ns.only.split(",")]
    import torch
    import transformers
    entries = export_in_parallel(export_one, names, ns.out, ns.jobs,
                                 {"torch": torch.__version__, "transformers": transformers.__version__})
    failed = [e["name"] for e in entries if "export_error" in e]
    print(f"exported {len(entries) - len(failed)} of {len(entries)} zoo models to {ns.out}"
          + (f"; torch could not export: {', '.join(failed)}" if failed else ""))


if __name__ == "__main__":
    main()
