#!/usr/bin/env python3
"""The hostile-input corpus: malformed packages and tensor files derived from good corpus
packages, each one pt2run must refuse with a message (exit 1 or 2), never a signal, a hang or
a silent success.

Packages: truncations; CRC damage in every entry pt2run uses; zip-slip and absolute names;
zip64 and end-record lies; duplicate entries; ELF damage (segments past the end of the file,
headers out of range, wrong class, type or architecture, a cut dynamic section); stub
libraries (empty, text, a shared library without the container interface); metadata lies;
weight damage (a short blob, lying weights_config.json, short pickled storages, appended
weights with a wrong magic or a size that overlaps the library). Tensor files: npy, npz and
safetensors with lying headers, impossible shapes, unknown dtypes and cut data.

generate(corpus) yields (name, kind, bytes, suffix) where kind is "package" (run as the
package) or "tensors" (given as the mlp's inputs). `hostile_corpus.py OUT` writes them all.
"""
import io
import json
import os
import random
import struct
import subprocess
import sys
import tempfile
import warnings
import zipfile

warnings.filterwarnings("ignore", "Duplicate name")  # duplicates are among the cases


def read_zip(path):
    with zipfile.ZipFile(path) as z:
        return [(i.filename, z.read(i.filename)) for i in z.infolist()]


def write_zip(entries, compression=zipfile.ZIP_STORED):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as z:
        for name, data in entries:
            z.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), data)
    return out.getvalue()


def replace(entries, match, edit):
    """Entries with edit(data) applied to those whose name ends with `match`."""
    return [(n, edit(d) if n.endswith(match) else d) for n, d in entries]


def stored_ranges(blob):
    """name -> (data offset, size) of each stored entry of a zip in memory."""
    ranges = {}
    with zipfile.ZipFile(io.BytesIO(blob)) as z:
        for info in z.infolist():
            header = blob[info.header_offset:info.header_offset + 30]
            name_len, extra_len = struct.unpack("<HH", header[26:30])
            ranges[info.filename] = (info.header_offset + 30 + name_len + extra_len, info.compress_size)
    return ranges


def eocd_offset(blob):
    return blob.rindex(b"PK\x05\x06")


def flip(blob, at):
    return blob[:at] + bytes([blob[at] ^ 0x5A]) + blob[at + 1:]


# --- ELF edits on a model library -------------------------------------------------------------

def elf_header(lib):
    return struct.unpack("<16sHHIQQQIHHHHHH", lib[:64])


def program_headers(lib):
    h = elf_header(lib)
    phoff, phentsize, phnum = h[5], h[9], h[10]
    return [(phoff + i * phentsize, struct.unpack("<IIQQQQQQ", lib[phoff + i * phentsize:phoff + (i + 1) * phentsize]))
            for i in range(phnum)]


def set_phdr(lib, at, fields):
    return lib[:at] + struct.pack("<IIQQQQQQ", *fields) + lib[at + 56:]


def elf_edits(lib):
    """(name, library bytes) pairs, each a library pt2run must refuse."""
    loads = [(at, f) for at, f in program_headers(lib) if f[0] == 1]
    last_at, last = max(loads, key=lambda x: x[1][2] + x[1][5])
    end = last[2] + last[5]
    yield "elf_truncated_last_segment", lib[:end - 200]
    yield "elf_truncated_half", lib[:len(lib) // 2]
    yield "elf_headers_only", lib[:4096]
    f = list(last)
    f[5] = len(lib) - f[2] + 65536  # p_filesz past the end
    f[6] = max(f[6], f[5])
    yield "elf_segment_past_eof", set_phdr(lib, last_at, f)
    f = list(last)
    f[2] = len(lib) + 4096  # p_offset past the end
    yield "elf_segment_offset_past_eof", set_phdr(lib, last_at, f)
    f = list(last)
    f[6] = f[5] - 1  # p_memsz < p_filesz
    yield "elf_segment_memsz_short", set_phdr(lib, last_at, f)
    yield "elf_machine_aarch64", lib[:18] + struct.pack("<H", 183) + lib[20:]
    yield "elf_machine_riscv", lib[:18] + struct.pack("<H", 243) + lib[20:]
    yield "elf_class_32", lib[:4] + b"\x01" + lib[5:]
    yield "elf_big_endian", lib[:5] + b"\x02" + lib[6:]
    yield "elf_type_exec", lib[:16] + struct.pack("<H", 2) + lib[18:]
    yield "elf_phoff_past_eof", lib[:32] + struct.pack("<Q", len(lib) + 1) + lib[40:]
    yield "elf_phnum_huge", lib[:56] + struct.pack("<H", 0xFFFF) + lib[58:]
    yield "elf_phentsize_wrong", lib[:54] + struct.pack("<H", 32) + lib[56:]
    yield "elf_shoff_past_eof", lib[:40] + struct.pack("<Q", len(lib) + 64) + lib[48:]
    yield "elf_not_elf", b"\x7fELG" + lib[4:]
    for at, f in program_headers(lib):
        if f[0] == 2:  # PT_DYNAMIC
            g = list(f)
            g[2] = len(lib) - 8
            g[5] = 4096
            yield "elf_dynamic_past_eof", set_phdr(lib, at, g)
            g = list(f)
            g[5] = 0
            yield "elf_dynamic_empty", set_phdr(lib, at, g)


def stub_library(tmp):
    """A real shared library with none of the container interface."""
    src = os.path.join(tmp, "stub.c")
    so = os.path.join(tmp, "stub.so")
    with open(src, "w") as f:
        f.write("int pt2run_hostile_stub(void) { return 1; }\n")
    subprocess.run(["cc", "-shared", "-fPIC", "-o", so, src], check=True)
    with open(so, "rb") as f:
        return f.read()


# --- generators --------------------------------------------------------------------------------

def package_cases(corpus, rng, tmp):
    """(name, bytes) pairs; base_model(name) is the corpus model each derives from."""
    base_path = os.path.join(corpus, "mlp", "model.pt2")
    base = open(base_path, "rb").read()
    entries = read_zip(base_path)
    lib_name = next(n for n, _ in entries if n.endswith(".so"))
    lib = dict(entries)[lib_name]

    # Truncations: the end record goes, or the directory, or entry data.
    for k, cut in enumerate(sorted(set([1, 4, 21, 22, 100, 4096] + [rng.randrange(len(base)) for _ in range(24)] +
                                       [len(base) - n for n in (1, 10, 22, 23, 100, 1000)]))):
        yield f"truncated_{cut}", base[:cut]
    yield "empty", b""
    yield "not_a_zip", b"This is not a package.\n" * 50

    # CRC damage in every entry pt2run reads (stored entries: the CRC alone catches it).
    ranges = stored_ranges(base)
    for name, (offset, size) in ranges.items():
        used = name.endswith((".so", ".json", ".cpp", ".blob")) or "/data/weights/" in name
        if not used or size == 0:
            continue
        for j in range(3 if size > 64 else 1):
            yield f"crc_{os.path.basename(name)}_{j}", flip(base, offset + rng.randrange(size))
    # Deflated packages with damaged streams.
    deflated = write_zip(entries, zipfile.ZIP_DEFLATED)
    for name, (offset, size) in stored_ranges(deflated).items():
        if name.endswith((".so", ".json")) and size > 16:
            for j in range(3):
                yield f"deflate_damage_{os.path.basename(name)}_{j}", flip(deflated, offset + rng.randrange(size))

    # Names: zip-slip, absolute, duplicates.
    for k, bad in enumerate(("../../../tmp/evil", "/etc/passwd", "model/../../escape", "model\\..\\evil",
                             "model/data/aotinductor/model/../../../../x.wrapper.so", "")):
        yield f"name_escapes_{k}", write_zip(entries + [(bad, b"x")])
    yield "name_library_climbs", write_zip([(n if not n.endswith(".so") else n.rsplit("/", 1)[0] + "/../x.wrapper.so", d)
                                           for n, d in entries])
    meta_name = next(n for n, _ in entries if n.endswith("wrapper_metadata.json"))
    yield "duplicate_metadata", write_zip(entries + [(meta_name, b'{"AOTI_DEVICE_KEY": "cpu"}')])
    yield "duplicate_library", write_zip(entries + [(lib_name, lib)])
    yield "duplicate_kernel_source", write_zip(entries + [(n, d) for n, d in entries if n.endswith(".kernel.cpp")])

    # End-record and zip64 lies.
    e = eocd_offset(base)
    count, cd_size, cd_offset = struct.unpack("<HII", base[e + 10:e + 20])
    def eocd(count_=count, size_=cd_size, offset_=cd_offset):
        return base[:e + 8] + struct.pack("<HHII", count_, count_, size_, offset_) + base[e + 20:]
    yield "eocd_count_huge", eocd(count_=0xFFFE)
    yield "eocd_cd_offset_past_eof", eocd(offset_=len(base) + 10)
    yield "eocd_cd_size_huge", eocd(size_=0xFFFFFFF0)
    locator_at = base.rfind(b"PK\x06\x07")
    if locator_at < 0:
        yield "eocd_zip64_without_locator", eocd(count_=0xFFFF)
    else:
        # torch writes zip64 records: lie in them instead.
        record_at = struct.unpack("<Q", base[locator_at + 8:locator_at + 16])[0]
        def record(offset, value):
            at = record_at + offset
            return base[:at] + struct.pack("<Q", value) + base[at + 8:]
        yield "zip64_record_count_huge", record(32, 1 << 60)
        yield "zip64_record_cd_size_huge", record(40, 1 << 62)
        yield "zip64_record_cd_offset_past_eof", record(48, len(base) * 2)
        yield "zip64_locator_offset_past_eof", base[:locator_at + 8] + struct.pack("<Q", 1 << 50) + base[locator_at + 16:]
        yield "zip64_record_signature_wrong", base[:record_at] + b"PK\x06\x05" + base[record_at + 4:]
    zip64 = write_zip(entries)
    # A locator claiming a zip64 end record that is not there.
    e64 = eocd_offset(zip64)
    locator = b"PK\x06\x07" + struct.pack("<IQI", 0, len(zip64) * 4, 1)
    fake = zip64[:e64] + locator + zip64[e64:e64 + 10] + struct.pack("<HII", 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF) + zip64[e64 + 20:]
    yield "zip64_locator_lies", fake
    # Central directory entries pointing outside the file or at no local header.
    cd = bytearray(base)
    p = cd_offset
    for k in range(count):
        if cd[p:p + 4] != b"PK\x01\x02":
            break
        name_len, extra_len, comment_len = struct.unpack("<HHH", cd[p + 28:p + 34])
        name = bytes(cd[p + 46:p + 46 + name_len]).decode("utf-8", "replace")
        if name.endswith(".so"):
            for label, field, value in (("local_offset_past_eof", 42, len(base) + 100), ("local_offset_wrong", 42, 7),
                                        ("size_lies", 24, 0x7FFFFFFF), ("csize_lies", 20, 0x7FFFFFFF)):
                bad = bytearray(cd)
                bad[p + field:p + field + 4] = struct.pack("<I", value)
                yield f"cd_{label}", bytes(bad)
            bad = bytearray(cd)
            bad[p + 10:p + 12] = struct.pack("<H", 12)  # bzip2
            yield "cd_method_bzip2", bytes(bad)
        p += 46 + name_len + extra_len + comment_len

    # The library: ELF damage (CRCs recomputed, so only pt2run's own checks can catch it).
    for name, edited in elf_edits(lib):
        yield name, write_zip(replace(entries, ".so", lambda d, edited=edited: edited))
    yield "stub_library_empty", write_zip(replace(entries, ".so", lambda d: b""))
    yield "stub_library_text", write_zip(replace(entries, ".so", lambda d: b"#!/bin/sh\necho not a library\n" * 40))
    yield "stub_library_no_container", write_zip(replace(entries, ".so", lambda d: stub_library(tmp)))
    yield "no_library", write_zip([(n, d) for n, d in entries if not n.endswith(".so")])
    yield "no_model", write_zip([(n, d) for n, d in entries if "/aotinductor/" not in n])

    # Metadata lies.
    for label, meta in (("array", b"[1, 2]"), ("not_json", b"{\"AOTI_DEVICE_KEY\": "), ("numbers", b'{"AOTI_DEVICE_KEY": 3}'),
                        ("device_quantum", b'{"AOTI_DEVICE_KEY": "quantum"}'), ("device_empty", b'{"AOTI_DEVICE_KEY": ""}'),
                        ("not_utf8", b'{"AOTI_DEVICE_KEY": "cpu\xff"}'), ("platform", b'{"AOTI_DEVICE_KEY": "cpu", "AOTI_PLATFORM": "win32"}'),
                        ("machine", b'{"AOTI_DEVICE_KEY": "cpu", "AOTI_MACHINE": "riscv64"}'),
                        ("isa", b'{"AOTI_DEVICE_KEY": "cpu", "AOTI_CPU_ISA": "AVX512 AMX_TILE SVE NEON"}'),
                        ("deep", b"[" * 100000 + b"]" * 100000)):
        yield f"metadata_{label}", write_zip(replace(entries, "wrapper_metadata.json", lambda d, m=meta: m))

    # Weights outside the library.
    blob_entries = read_zip(os.path.join(corpus, "weights_blob", "model.pt2"))
    yield "blob_short", write_zip(replace(blob_entries, "_weights.blob", lambda d: d[:len(d) // 2]))
    yield "blob_empty", write_zip(replace(blob_entries, "_weights.blob", lambda d: b""))
    yield "blob_missing", write_zip([(n, d) for n, d in blob_entries if not n.endswith("_weights.blob")])
    pickle_entries = read_zip(os.path.join(corpus, "weights_pickle", "model.pt2"))
    for label, edit in (("not_json", lambda d: b"{"), ("array", lambda d: b"[]"),
                        ("names_missing_file", lambda d: d.replace(b"weight_0", b"weight_9")),
                        ("shape_lies", lambda d: d.replace(b"[", b"[1000, ", 1))):
        yield f"pickle_config_{label}", write_zip(replace(pickle_entries, "weights_config.json", edit))
    def short_storage(d):
        inner = read_zip(io.BytesIO(d))
        return write_zip([(n, x[:len(x) // 2] if "/data/" in n and not n.endswith(".pkl") else x) for n, x in inner])
    yield "pickle_storage_short", write_zip(replace(pickle_entries, "data/weights/weight_0", short_storage))
    yield "pickle_storage_garbage", write_zip(replace(pickle_entries, "data/weights/weight_1", lambda d: b"garbage" * 30))
    def damaged_pickle(d):
        inner = read_zip(io.BytesIO(d))
        return write_zip([(n, x[:len(x) // 2] if n.endswith(".pkl") else x) for n, x in inner])
    yield "pickle_data_pkl_cut", write_zip(replace(pickle_entries, "data/weights/weight_2", damaged_pickle))
    mmap_entries = read_zip(os.path.join(corpus, "weights_mmap", "model.pt2"))
    yield "appended_magic_wrong", write_zip(replace(mmap_entries, ".so", lambda d: d[:-8] + bytes(8)))
    yield "appended_cut", write_zip(replace(mmap_entries, ".so", lambda d: d[:-4096]))
    yield "appended_cut_one", write_zip(replace(mmap_entries, ".so", lambda d: d[:-1]))
    # The section moved by a page (its recorded size unchanged): the model would read its weights
    # 16 KiB late, the last of them as zeros.
    yield "appended_extra_page", write_zip(replace(mmap_entries, ".so", lambda d: d[:-8] + bytes(16384) + d[-8:]))
    yield "appended_page_early", write_zip(replace(mmap_entries, ".so", lambda d: d[:-16392] + d[-8:]))


def random_cases(corpus, rng):
    """Random damage to every base model: truncations anywhere, flipped bytes in every entry
    pt2run uses, and libraries cut anywhere (CRC recomputed, so only the ELF checks see it)."""
    for model in ("mlp", "cnn", "reduction", "weights_blob", "weights_pickle", "weights_mmap"):
        path = os.path.join(corpus, model, "model.pt2")
        if not os.path.exists(path):
            continue
        base = open(path, "rb").read()
        for _ in range(16):
            cut = rng.randrange(len(base))
            yield f"{model}:random_truncated_{cut}", base[:cut]
        for name, (offset, size) in stored_ranges(base).items():
            used = name.endswith((".so", ".json", ".cpp", ".blob")) or "/data/weights/" in name
            for j in range(6 if used and size > 0 else 0):
                at = offset + rng.randrange(size)
                yield f"{model}:random_crc_{os.path.basename(name)[-24:]}_{at}", flip(base, at)
        entries = read_zip(path)
        lib = next(d for n, d in entries if n.endswith(".so"))
        for _ in range(10):
            cut = rng.randrange(64, len(lib))
            yield f"{model}:random_library_cut_{cut}", write_zip(replace(entries, ".so", lambda d, cut=cut: d[:cut]))


def tensor_cases(rng):
    def npy(header, data=b""):
        h = header.encode("latin1")
        pad = 64 - (10 + len(h) + 1) % 64
        return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h) + pad + 1) + h + b" " * pad + b"\n" + data
    good = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 16), }", bytes(3 * 16 * 4))
    cases = {
        "npy_bad_magic": b"\x93NUMPZ" + good[6:],
        "npy_data_short": good[:-10],
        "npy_header_len_huge": good[:8] + b"\xff\xff" + good[10:],
        "npy_shape_huge": npy("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999, 99999999999), }"),
        "npy_shape_negative": npy("{'descr': '<f4', 'fortran_order': False, 'shape': (-3, 16), }", bytes(192)),
        "npy_dtype_unknown": npy("{'descr': '<c32', 'fortran_order': False, 'shape': (3, 16), }", bytes(3 * 16 * 32)),
        "npy_object": npy("{'descr': '|O', 'fortran_order': False, 'shape': (3,), }", bytes(24)),
        "npy_header_not_a_dict": npy("['descr', '<f4']"),
        "npy_header_unterminated": npy("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 16"),
        "npy_header_not_utf8": npy("{'descr': '<f4\xff', 'fortran_order': False, 'shape': (3, 16), }", bytes(192)),
        "npy_truncated_header": good[:20],
        "npy_empty": b"",
    }
    for k in range(10):
        cut = rng.randrange(len(good))
        cases[f"npy_truncated_{cut}"] = good[:cut]
    npz = write_zip([("arr_0.npy", good)])
    cases["npz_truncated"] = npz[:len(npz) // 2]
    cases["npz_member_damaged"] = flip(npz, stored_ranges(npz)["arr_0.npy"][0] + 3)
    cases["npz_duplicate_member"] = write_zip([("arr_0.npy", good), ("arr_0.npy", good)])
    cases["npz_member_not_npy"] = write_zip([("arr_0.npy", b"not an array")])
    cases["npz_deflated_damaged"] = flip(write_zip([("arr_0.npy", good)], zipfile.ZIP_DEFLATED), 40)

    def st(header, data=b""):
        h = header if isinstance(header, bytes) else json.dumps(header).encode()
        return struct.pack("<Q", len(h)) + h + data
    ok = {"args[0]": {"dtype": "F32", "shape": [3, 16], "data_offsets": [0, 192]}}
    cases.update({
        "st_header_len_huge": struct.pack("<Q", 1 << 62) + b"{}",
        "st_header_not_json": st(b"{\"args[0]\": "),
        "st_header_not_utf8": st(b'{"args[0\xff]": {"dtype": "F32", "shape": [3, 16], "data_offsets": [0, 192]}}', bytes(192)),
        "st_offsets_past_end": st({"args[0]": {"dtype": "F32", "shape": [3, 16], "data_offsets": [0, 1 << 40]}}, bytes(192)),
        "st_offsets_reversed": st({"args[0]": {"dtype": "F32", "shape": [3, 16], "data_offsets": [192, 0]}}, bytes(192)),
        "st_offsets_size_lies": st({"args[0]": {"dtype": "F32", "shape": [3, 16], "data_offsets": [0, 100]}}, bytes(192)),
        "st_dtype_unknown": st({"args[0]": {"dtype": "Q17", "shape": [3, 16], "data_offsets": [0, 192]}}, bytes(192)),
        "st_shape_huge": st({"args[0]": {"dtype": "F32", "shape": [1 << 40, 1 << 40], "data_offsets": [0, 192]}}, bytes(192)),
        "st_shape_negative": st({"args[0]": {"dtype": "F32", "shape": [-1, 16], "data_offsets": [0, 192]}}, bytes(192)),
        "st_data_short": st(ok, bytes(100)),
        "st_overlapping": st({"a": {"dtype": "F32", "shape": [3, 16], "data_offsets": [0, 192]},
                              "b": {"dtype": "F32", "shape": [3, 16], "data_offsets": [0, 192]}}, bytes(192)),
        "st_tensor_not_object": st({"args[0]": [1, 2, 3]}),
    })
    for name, data in cases.items():
        suffix = ".npy" if name.startswith("npy") else ".npz" if name.startswith("npz") else ".safetensors"
        yield name, data, suffix


def base_model(name):
    """The corpus model a case derives from: its inputs are the ones to run it with."""
    if ":" in name:
        return name.split(":", 1)[0]
    for prefix, model in (("blob_", "weights_blob"), ("pickle_", "weights_pickle"), ("appended_", "weights_mmap")):
        if name.startswith(prefix):
            return model
    return "mlp"


def generate(corpus, seed=0):
    """(name, kind, bytes, suffix, model): kind "package" runs as the package on `model`'s
    inputs, "tensors" is given as `model`'s inputs."""
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory(prefix="pt2run-hostile-") as tmp:
        for name, data in package_cases(corpus, rng, tmp):
            yield name, "package", data, ".pt2", base_model(name)
    for name, data in random_cases(corpus, rng):
        yield name.replace(":", "_", 1), "package", data, ".pt2", base_model(name)
    for name, data, suffix in tensor_cases(rng):
        yield name, "tensors", data, suffix, "mlp"


if __name__ == "__main__":
    corpus, out = os.environ["PT2RUN_CORPUS_DIR"], sys.argv[1]
    os.makedirs(out, exist_ok=True)
    n = 0
    for name, kind, data, suffix, _ in generate(corpus):
        with open(os.path.join(out, name + suffix), "wb") as f:
            f.write(data)
        n += 1
    print(f"{n} hostile files in {out}")
