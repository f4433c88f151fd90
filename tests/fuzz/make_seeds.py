#!/usr/bin/env python3
"""Seed corpora for the fuzzers, from the committed fixtures (no torch needed).

usage: make_seeds.py OUT_DIR   -> OUT_DIR/safetensors, OUT_DIR/torch_checkpoint
"""
import json
import os
import pickletools
import struct
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "fixtures", "io")


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


if __name__ == "__main__":
    main()
