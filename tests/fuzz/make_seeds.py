#!/usr/bin/env python3
"""Seed corpora for the fuzzers, from the committed fixtures (no torch needed).

usage: make_seeds.py OUT_DIR   -> OUT_DIR/safetensors, OUT_DIR/torch_checkpoint, OUT_DIR/image,
                                   OUT_DIR/tokenizer, OUT_DIR/corpus, OUT_DIR/session,
                                   OUT_DIR/manifest
"""
import json
import os
import pickletools
import shutil
import struct
import sys
import zipfile
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "fixtures", "io")
ROOT = os.path.join(HERE, "..", "..")


def png(width, height, colour_type=2, bit_depth=8):
    """A valid PNG of a gradient (zlib only, no imaging library)."""
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[colour_type]
    rows = b"".join(b"\x00" + bytes((x * 17 + y * 29 + c * 71) % 256 for x in range(width) for c in range(channels))
                    for y in range(height))

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def bmp(width, height):
    row = bytes((x * 40 + c * 90) % 256 for x in range(width) for c in range(3))
    row += b"\x00" * (-len(row) % 4)
    pixels = row * height
    header = struct.pack("<2sIHHI", b"BM", 54 + len(pixels), 0, 0, 54)
    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 24, 0, len(pixels), 2835, 2835, 0, 0)
    return header + info + pixels


def image_seeds(out):
    os.makedirs(out, exist_ok=True)
    seeds = {"rgb.png": png(8, 6), "grey.png": png(5, 5, 0), "rgba.png": png(4, 7, 6), "rgb.bmp": bmp(6, 4)}
    for name, data in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    # Small JPEG and WebP files made by pae-cli (no encoder in Python's standard library).
    committed = os.path.join(HERE, "seeds", "image")
    for name in sorted(os.listdir(committed)) if os.path.isdir(committed) else []:
        shutil.copy(os.path.join(committed, name), os.path.join(out, name))


def tokenizer_seeds(out):
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(ROOT, "tests", "fixtures", "tokenizer", "goldens.jsonl"), encoding="utf-8") as f:
        for i, line in enumerate(f):
            with open(os.path.join(out, "golden-%03d" % i), "wb") as g:
                g.write(json.loads(line)["text"].encode("utf-8", "surrogatepass"))


def session_seeds(out):
    """Sessions as ui/session/Session.cpp writes them: a seed face and one edit of 2×4 latents."""
    os.makedirs(out, exist_ok=True)
    settings = {"target": "pae+", "basis": "pca", "pcaComponents": 10, "lambdas": [2.0, 5.0], "steps": 40,
                "learningRate": 0.1, "l2Weight": 0.1, "idWeight": 0.005, "resolution": "clip", "seed": "0",
                "previewEvery": 5, "previewSize": 256}
    import base64
    latent = {"numLatents": 2, "styleDim": 4,
              "float32le": base64.b64encode(struct.pack("<8f", *[0.5 * i for i in range(8)])).decode()}
    source = {"kind": "seed", "label": "seed 3", "created": "2026-01-01T00:00:00.000Z", "latent": latent, "seed": "3"}
    edit = {"kind": "edit", "label": "happy", "created": "2026-01-01T00:00:01.000Z", "latent": latent,
            "prompt": "a happy face", "corpus": "emotion", "settings": settings, "lambda": 5.0, "sweepId": "1",
            "metrics": {"lambda": 5.0, "clipToTarget": 0.3, "idSimilarity": 0.9, "l2": 0.1, "loss": 0.7}}
    for name, history, current in (("one", [source], 0), ("two", [source, edit], 1)):
        doc = {"format": "pae-studio-session", "version": 1, "settings": settings, "prompt": "a happy face",
               "corpus": "emotion", "lambdaList": "2,5", "history": history, "current": current}
        with open(os.path.join(out, name + ".paesession"), "w") as f:
            json.dump(doc, f, indent=2)


def corpus_seeds(out):
    os.makedirs(out, exist_ok=True)
    for folder in (os.path.join(ROOT, "prompts"), os.path.join(ROOT, "prompts", "synthface")):
        for name in sorted(os.listdir(folder)):
            if name.endswith(".txt"):
                shutil.copy(os.path.join(folder, name), os.path.join(out, os.path.basename(folder) + "-" + name))
    # Every header key once (the shipped corpora use only some of them).
    with open(os.path.join(out, "header-keys.txt"), "w") as f:
        f.write("# template: a {} face\n# layers: 0-3, 8\n# space: w\n# l2: 0.05\n# target: pae+corpus\nhappy\nsad\n")


def manifest_seeds(out):
    """Manifest lines as the README and tests write them: seeds, sweeps, every field once."""
    os.makedirs(out, exist_ok=True)
    lines = [
        {"id": "happy-3", "seed": 3, "prompt": "a happy face", "corpus": "emotion", "lambdas": [2, 5, 8]},
        {"seed": 7, "truncation": 0.5, "prompt": "a sad face", "corpus": "emotion", "target": "pae",
         "basis": "gram-schmidt", "steps": 40, "lr": 0.05, "l2": 0.1, "id_weight": 0.01, "resolution": "full",
         "optimizer_seed": 4},
        {"latent": "face.safetensors", "prompt": "blonde hair", "corpus": "hair-colour", "pca_k": 6},
        {"photo": "me.jpg", "face": 1, "align": True, "invert_steps": 50, "prompt": "a happy face", "corpus": "emotion"},
    ]
    for i, line in enumerate(lines):
        with open(os.path.join(out, "line-%d.jsonl" % i), "w") as f:
            f.write(json.dumps(line))
    with open(os.path.join(out, "broken.jsonl"), "w") as f:
        f.write('{"seed": -1, "prompt": 5, "lambdas": "2,5"')


def safetensors(tensors, metadata=None):
    header, data = {}, b""
    for name, (dtype, shape, raw) in tensors.items():
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    if metadata:
        header["__metadata__"] = metadata
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + data


def legacy_object_pickle(data):
    """The fourth pickle of a legacy (pre-1.6) checkpoint: the object, as the VM sees it."""
    pos = 0
    try:
        for index in range(4):
            for opcode, _arg, at in pickletools.genops(data[pos:]):
                if opcode.name == "STOP":
                    end = pos + at + 1
                    break
            if index == 3:
                return data[pos:end]
            pos = end
    except Exception:  # a malformed fixture: its whole file is a seed already
        return None
    return None


def main():
    out = sys.argv[1]
    st = os.path.join(out, "safetensors")
    pt = os.path.join(out, "torch_checkpoint")
    os.makedirs(st, exist_ok=True)
    os.makedirs(pt, exist_ok=True)
    seeds = {
        "empty": safetensors({}),
        "one": safetensors({"w": ("F32", [2], struct.pack("<2f", 1, 2))}),
        "mixed": safetensors({"a": ("F16", [2, 1], b"\x00\x3c\x00\xc0"), "b": ("BOOL", [3], b"\x01\x00\x01"),
                              "c": ("I64", [], struct.pack("<q", -5)), "d": ("U8", [0], b"")},
                             {"format": "pt"}),
    }
    for name, data in seeds.items():
        with open(os.path.join(st, name), "wb") as f:
            f.write(data)
    for name in sorted(os.listdir(FIXTURES)):
        if not name.endswith(".pt"):
            continue
        path = os.path.join(FIXTURES, name)
        with open(path, "rb") as f:
            whole = f.read()
        with open(os.path.join(pt, name), "wb") as f:
            f.write(whole)
        if whole[:2] != b"PK":
            body = legacy_object_pickle(whole)
            if body:
                with open(os.path.join(pt, name + ".pkl"), "wb") as f:
                    f.write(body)
            continue
        # The bare pickles reach the VM without the zip layer.
        with zipfile.ZipFile(path) as z:
            for entry in z.namelist():
                if entry.endswith("/data.pkl"):
                    with open(os.path.join(pt, name + ".pkl"), "wb") as f:
                        f.write(z.read(entry))
    image_seeds(os.path.join(out, "image"))
    tokenizer_seeds(os.path.join(out, "tokenizer"))
    corpus_seeds(os.path.join(out, "corpus"))
    session_seeds(os.path.join(out, "session"))
    manifest_seeds(os.path.join(out, "manifest"))
    # Inputs that once found a bug stay in the seeds, so every run checks them again.
    findings = os.path.join(HERE, "findings")
    for name in sorted(os.listdir(findings)):
        target = name.split("-", 1)[0]
        if os.path.isdir(os.path.join(out, target)):
            shutil.copy(os.path.join(findings, name), os.path.join(out, target, "finding-" + name))


if __name__ == "__main__":
    main()
