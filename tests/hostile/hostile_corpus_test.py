#!/usr/bin/env python3
"""Runs the hostile-input corpus (hostile_corpus.py) against the pt2run command line: each
package through `pt2run inspect` and `pt2run run`, each tensor file as the mlp's inputs, with a
per-case timeout. `run` must exit 1 or 2 with an error line; `inspect` may describe a package
whose damage lies where it does not look (weights, the library's body), but neither may die on
a signal or hang. Prints the figures: tried, clean, crash, hang, wrong-accept.

Usage: hostile_corpus_test.py PT2RUN_CLI [--keep DIR]  (PT2RUN_CORPUS_DIR must name an exported
corpus; exit 77 skips)
"""
import json
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
from e2e_corpus import CORPUS, MANIFEST, pkg  # noqa: E402 (exits 77 without a corpus)
from hostile_corpus import generate  # noqa: E402

CLI = sys.argv[1]
TIMEOUT_S = float(os.environ.get("PT2RUN_HOSTILE_TIMEOUT_S", "60"))
# Cases whose refusal must also say why, in these words (name prefix -> fragment of the error).
SAYS = {
    "elf_machine_aarch64": "is built for AArch64 (arm64) but this host is x86-64",
    "elf_segment_past_eof": "lies outside the file",
    "elf_truncated_last_segment": "lies outside the file",
    "duplicate_": "two entries named",
    "name_escapes_": "climbs out of its folder",
    "crc_": "CRC of",
    "zip64_record_c": "disagree",
    "appended_extra_page": "are not padding",
    "appended_magic_wrong": "trailing magic number",
    "metadata_isa": "CPU feature",
}


def outcome(args):
    """'clean', 'accepted', 'crash (signal N)', 'hang' or 'unclear (...)' for one command."""
    try:
        r = subprocess.run([CLI, *args], capture_output=True, text=True, errors="replace", timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return "hang", ""
    if r.returncode < 0:
        return f"crash (signal {-r.returncode})", r.stderr[-2000:]
    if r.returncode == 0:
        return "accepted", r.stdout[-500:]
    if r.returncode in (1, 2) and "pt2run: error: " in r.stderr:
        return "clean", r.stderr.strip().splitlines()[0] if r.stderr.strip() else ""
    return f"unclear (exit {r.returncode})", r.stderr[-2000:]


def main():
    tmp = tempfile.mkdtemp(prefix="pt2run-hostile-")
    def inputs_of(model):
        return os.path.join(CORPUS, model, MANIFEST[model]["cases"][0]["dir"], "in_0.npy")

    def one(case):
        index, (name, kind, data, suffix, model) = case
        path = os.path.join(tmp, f"{index}_{name}{suffix}")
        with open(path, "wb") as f:
            f.write(data)
        try:
            if kind == "package":
                looked = outcome(["inspect", path])
                ran = outcome(["run", path, "--inputs", inputs_of(model)])
            else:
                looked = ("clean", "")
                ran = outcome(["run", pkg(model), "--inputs", path])
        finally:
            os.unlink(path)
        return name, kind, looked, ran

    figures = {"tried": 0, "clean": 0, "crash": 0, "hang": 0, "wrong-accept": 0, "unclear": 0}
    problems, messages = [], {}
    with ThreadPoolExecutor(max_workers=2) as pool:
        for name, kind, looked, ran in pool.map(one, enumerate(generate(CORPUS))):
            figures["tried"] += 1
            verdicts = [ran[0]] + ([looked[0]] if looked[0] != "accepted" else [])
            bad = next((v for v in verdicts if v != "clean"), None)
            said = next((f for prefix, f in SAYS.items() if name.startswith(prefix)), None)
            if bad is None and said is not None and said not in ran[1]:
                bad = f"unclear (does not say '{said}')"
            if bad is None:
                figures["clean"] += 1
                messages[name] = ran[1]
                continue
            key = "wrong-accept" if bad == "accepted" else bad.split(" ")[0]
            figures[key] += 1
            problems.append(f"{name} ({kind}): run {ran[0]}, inspect {looked[0]}\n  {ran[1] or looked[1]}")
    os.rmdir(tmp)
    print(json.dumps(figures))
    if "-v" in sys.argv:
        for name, message in messages.items():
            print(f"{name}: {message}")
    if problems:
        print("\n".join(problems))
        sys.exit(1)
    print("hostile corpus: ok")


main()
