"""The exported test corpus for the end-to-end scripts: where it is (PT2RUN_CORPUS_DIR; the
scripts exit 77, skipped, without it), its manifest, packages and case arrays."""
import json
import os
import sys

import numpy as np

CORPUS = os.environ.get("PT2RUN_CORPUS_DIR", "")
if not CORPUS or not os.path.exists(os.path.join(CORPUS, "manifest.json")):
    print("no corpus: skipped")
    sys.exit(77)
MANIFEST = {m["name"]: m for m in json.load(open(os.path.join(CORPUS, "manifest.json")))["models"]}


def pkg(model):
    return os.path.join(CORPUS, model, "model.pt2")


def case_arrays(model, prefix, index=0):
    """A case's inputs (prefix "in_") or torch's eager outputs ("out_") as numpy arrays."""
    entry = MANIFEST[model]["cases"][index]
    d = os.path.join(CORPUS, model, entry["dir"])
    n = len(entry["inputs"] if prefix == "in_" else entry["outputs"])
    return [np.load(os.path.join(d, f"{prefix}{i}.npy")) for i in range(n)]
