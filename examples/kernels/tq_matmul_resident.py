#!/usr/bin/env python3
"""A CORRECT ternary matmul kernel in Python + numpy, for trilm's kernel protocol v1 and v1.1.

  python3 tq_matmul_resident.py <case dir>   one case (protocol v1): exit 0, 2 (bad case) or 3 (unsupported)
  python3 tq_matmul_resident.py              resident (protocol v1.1, spec/kernel-protocol.md section 8):
                                             a case directory a line on stdin, one answer line each on stdout

  trilm fuzz --kernel "python3 examples/kernels/tq_matmul_resident.py" --resident --op matmul --format tq2_0 --runs 200

Formats tq2_0 and tq1_0; activations f32 (float64 sums, rounded once) and ggml (x quantized to Q8_K with
round-half-to-even, integer block sums, float32 accumulation in block order, as ggml's generic dot).
KERNEL_BUG=first-scale makes it a BUGGY kernel that applies each row's first block scale to every block
(only cases of two or more blocks catch it): a demonstration of shrinking in resident mode.
"""
import json
import os
import sys

import numpy as np

QK_K = 256
POW3 = np.array([1, 3, 9, 27, 81], dtype=np.uint16)


class Unsupported(Exception):
    """A case this kernel does not implement (exit status 3, or the answer `unsupported`)."""


def trits(qs, count):
    """TQ1_0 bytes [..., n] -> codes [..., count, n]: trit t of byte q is (uint8(q * 3**t) * 3) >> 8."""
    q = (qs[..., None, :].astype(np.uint16) * POW3[:count, None]) & 0xFF
    return (q * 3) >> 8


def codes_of(blocks, fmt):
    """Packed blocks [R, nb, bytes] -> codes 0..2 [R, nb, 256] in element order (spec/formats.md sections 4, 5)."""
    r, nb = blocks.shape[:2]
    if fmt == "tq2_0":  # element e: byte (e // 128) * 32 + e % 32, bits 2 * ((e % 128) // 32)
        qs = blocks[:, :, :64].reshape(r, nb, 2, 1, 32)
        shifts = np.array([0, 2, 4, 6], dtype=np.uint8).reshape(1, 1, 1, 4, 1)
        return ((qs >> shifts) & 3).reshape(r, nb, QK_K).astype(np.int64)
    head = trits(blocks[:, :, 0:32], 5).reshape(r, nb, 160)  # elements 0..159
    mid = trits(blocks[:, :, 32:48], 5).reshape(r, nb, 80)  # 160..239
    tail = trits(blocks[:, :, 48:52], 4).reshape(r, nb, 16)  # 240..255 (qh)
    return np.concatenate([head, mid, tail], axis=2).astype(np.int64)


def quantize_q8_k(x):
    """ggml's quantize_row_q8_K_ref per 256-block: scales d [B, nb] and int8 values [B, nb, 256]."""
    q = np.zeros(x.shape, dtype=np.int64)
    d = np.zeros(x.shape[:2], dtype=np.float32)
    for b, blk in np.ndindex(x.shape[:2]):
        v = x[b, blk]
        at = int(np.argmax(np.abs(v)))  # the first element of largest magnitude
        if v[at] == 0:
            continue
        iscale = np.float32(-127.0) / v[at]
        q[b, blk] = np.minimum(np.rint(iscale * v), 127)  # float32 product, ties to even
        d[b, blk] = np.float32(1.0) / iscale
    return d, q


def run_case(case_dir):
    with open(os.path.join(case_dir, "case.json")) as f:
        case = json.load(f)
    if case.get("protocol") != 1:
        raise ValueError(f"protocol {case.get('protocol')}, expected 1")
    op, fmt, activations = case["op"], case["format"], case.get("activations", "f32")
    if op != "matmul" or fmt not in ("tq2_0", "tq1_0"):
        raise Unsupported(f"{op} {fmt}")
    rows, cols, batch = case["shape"]["rows"], case["shape"]["cols"], case["shape"]["batch"]
    nb, size = cols // QK_K, 66 if fmt == "tq2_0" else 54
    blocks = np.fromfile(os.path.join(case_dir, case["inputs"]["weight"]), dtype=np.uint8).reshape(rows, nb, size)
    x = np.load(os.path.join(case_dir, case["inputs"]["x"])).astype(np.float32).reshape(batch, nb, QK_K)
    ternary = codes_of(blocks, fmt) - 1  # [R, nb, 256] in -1..1
    d = np.ascontiguousarray(blocks[:, :, size - 2 :]).view("<f2")[:, :, 0].astype(np.float32)  # [R, nb]
    if os.environ.get("KERNEL_BUG") == "first-scale":
        d = np.repeat(d[:, :1], nb, axis=1)
    if activations == "ggml":
        xd, xq = quantize_q8_k(x)
        sumi = np.einsum("bke,rke->brk", xq, ternary)  # exact integer block sums [B, R, nb]
        y = np.zeros((batch, rows), dtype=np.float32)
        for k in range(nb):  # float32, block order: sumf += sumi * (d * x.d)
            y = y + sumi[:, :, k].astype(np.float32) * (d[None, :, k] * xd[:, None, k])
    elif activations == "f32":
        w = ternary.astype(np.float64) * d[:, :, None].astype(np.float64)
        y = (x.reshape(batch, cols).astype(np.float64) @ w.reshape(rows, cols).T).astype(np.float32)
    else:
        raise Unsupported(f"activations {activations}")
    with open(os.path.join(case_dir, case["outputs"]["y"]), "wb") as f:
        np.save(f, y.astype("<f4"))


def serve():
    """Resident mode: answer each case directory line with ok, unsupported or error (stdout is for answers only)."""
    for line in iter(sys.stdin.readline, ""):
        case_dir = line.strip()
        if not case_dir:
            continue
        try:
            run_case(case_dir)
            answer = "ok"
        except Unsupported as why:
            answer = f"unsupported {why}"
        except Exception as why:  # noqa: BLE001 -- any fault fails this case only
            answer = f"error {type(why).__name__}: {why}".replace("\n", " ")
        sys.stdout.write(answer + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    if len(sys.argv) < 2:
        serve()
    else:
        try:
            run_case(sys.argv[-1])
        except Unsupported as why:
            print(f"kernel: unsupported {why}", file=sys.stderr)
            sys.exit(3)
        except (OSError, ValueError, KeyError) as why:
            print(f"kernel: bad case directory: {why}", file=sys.stderr)
            sys.exit(2)
