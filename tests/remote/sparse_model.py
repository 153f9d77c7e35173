"""Sparse safetensors files with a real-looking model header (loopback tests
of remote validation, bench/remote_bench.sh): the header is written, the
data region is a hole, so a 13 GB model costs a few kilobytes of disk."""
import json
import struct


def llama_layout(layers=32, hidden=4096, intermediate=11008, vocab=32000):
    """(name, shape) of a LLaMA-7B-style checkpoint in Hugging Face naming."""
    tensors = [("model.embed_tokens.weight", [vocab, hidden])]
    for i in range(layers):
        p = f"model.layers.{i}."
        for proj in ("q_proj", "k_proj", "v_proj", "o_proj"):
            tensors.append((p + f"self_attn.{proj}.weight", [hidden, hidden]))
        tensors.append((p + "mlp.gate_proj.weight", [intermediate, hidden]))
        tensors.append((p + "mlp.up_proj.weight", [intermediate, hidden]))
        tensors.append((p + "mlp.down_proj.weight", [hidden, intermediate]))
        tensors.append((p + "input_layernorm.weight", [hidden]))
        tensors.append((p + "post_attention_layernorm.weight", [hidden]))
    tensors.append(("model.norm.weight", [hidden]))
    tensors.append(("lm_head.weight", [vocab, hidden]))
    return tensors


def header_and_size(layout, dtype_bytes=2, dtype="BF16"):
    """The 8 + N header bytes (8-byte aligned) and the whole file's size."""
    entries = {"__metadata__": {"format": "pt"}}
    offset = 0
    for name, shape in layout:
        count = 1
        for dim in shape:
            count *= dim
        entries[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + count * dtype_bytes]}
        offset += count * dtype_bytes
    text = json.dumps(entries, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    prefix = struct.pack("<Q", len(text)) + text
    return prefix, len(prefix) + offset


def write_sparse(path, layout, dtype_bytes=2, dtype="BF16"):
    prefix, size = header_and_size(layout, dtype_bytes, dtype)
    with open(path, "wb") as out:
        out.write(prefix)
        out.truncate(size)
    return size
