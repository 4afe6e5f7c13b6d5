#!/usr/bin/env python3
"""Writes the tiny checkpoints the documentation inspects (docs/checkpoints.md), byte by byte, standard library only.

A 4-8-3 MLP (fc1.weight [8,4], fc1.bias [8], fc2.weight [3,8], fc2.bias [3]: 67 parameters) stored three ways:
  model.safetensors           one file, F32 (safetensors format: huggingface/safetensors, README "Format")
  sharded/                    the same tensors in two shards plus model.safetensors.index.json, the layout
                              transformers' save_pretrained writes for large checkpoints
  model.gguf                  GGUF v3 (ggml/docs/gguf.md): fc1 as F16, fc2 as F32, general.* metadata
Weights are fixed ramps, not random, so the files are the same on every run: python3 make-checkpoints.py
"""
import json
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))

# name -> (shape, values); values are small ramps so a reader can check them by eye.
TENSORS = {
    "fc1.weight": ([8, 4], [round(0.01 * i - 0.16, 4) for i in range(32)]),
    "fc1.bias": ([8], [0.0] * 8),
    "fc2.weight": ([3, 8], [round(0.02 * i - 0.24, 4) for i in range(24)]),
    "fc2.bias": ([3], [0.1, 0.0, -0.1]),
}


def write_safetensors(path, names):
    header, data = {"__metadata__": {"format": "pt"}}, b""
    for name in names:
        shape, values = TENSORS[name]
        raw = struct.pack(f"<{len(values)}f", *values)
        header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)  # data starts on a multiple of 8 bytes, as the reference writer pads it
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + data)
    return len(data)


def gguf_string(s):
    b = s.encode()
    return struct.pack("<Q", len(b)) + b


def write_gguf(path):
    GGUF_STRING, GGUF_UINT32 = 8, 4
    GGML_F32, GGML_F16 = 0, 1
    alignment = 32
    metadata = [("general.architecture", GGUF_STRING, gguf_string("mlp")),
                ("general.name", GGUF_STRING, gguf_string("scalelab tiny mlp 4-8-3")),
                ("general.alignment", GGUF_UINT32, struct.pack("<I", alignment))]
    infos, data = b"", b""
    for name, (shape, values) in TENSORS.items():
        kind = GGML_F16 if name.startswith("fc1") else GGML_F32
        raw = struct.pack(f"<{len(values)}{'e' if kind == GGML_F16 else 'f'}", *values)
        data += b"\0" * (-len(data) % alignment)
        # GGUF lists dimensions fastest-varying first, the reverse of the row-major shape.
        infos += gguf_string(name) + struct.pack("<I", len(shape)) + b"".join(struct.pack("<Q", d) for d in reversed(shape))
        infos += struct.pack("<IQ", kind, len(data))
        data += raw
    head = b"GGUF" + struct.pack("<IQQ", 3, len(TENSORS), len(metadata))
    head += b"".join(gguf_string(k) + struct.pack("<I", t) + v for k, t, v in metadata) + infos
    head += b"\0" * (-len(head) % alignment)
    with open(path, "wb") as f:
        f.write(head + data)


def main():
    write_safetensors(os.path.join(HERE, "model.safetensors"), list(TENSORS))
    sharded = os.path.join(HERE, "sharded")
    os.makedirs(sharded, exist_ok=True)
    shards = {"model-00001-of-00002.safetensors": ["fc1.weight", "fc1.bias"],
              "model-00002-of-00002.safetensors": ["fc2.weight", "fc2.bias"]}
    total = sum(write_safetensors(os.path.join(sharded, f), names) for f, names in shards.items())
    index = {"metadata": {"total_size": total}, "weight_map": {n: f for f, names in shards.items() for n in names}}
    with open(os.path.join(sharded, "model.safetensors.index.json"), "w") as f:
        json.dump(index, f, indent=2)
        f.write("\n")
    write_gguf(os.path.join(HERE, "model.gguf"))


if __name__ == "__main__":
    main()
