#!/usr/bin/env python3
"""Writes the in-repo sample of the attention logits (data/attention/) from the full sets.

    python3 scripts/sample-attention.py [SRC] [DST]

SRC defaults to ../shared/data/attention (the full dev sets), DST to data/attention.
Numpy only. For each set it keeps the rows i with i % STRIDE == 0 of the
`<prefix>_logits.npy` / `_lengths.npy` / `_index.npy` files (same layout: float32 rows x
max_len padded with -inf, int32 lengths, int32 (rows, 4) index), and writes a
`<prefix>_meta.json` that is the source's meta with the row count, the sampling rule and the
SHA-256 of every source file added. The strides are coprime with the number of rows the
source keeps per (text, layer, head) (8, 4 and 2), so the sample mixes the fixed rows
([CLS]/[SEP] or the last row) with the random ones. The output is deterministic: running it
again on the same source writes the same bytes.
"""

import hashlib
import json
import os
import sys

import numpy as np

# prefix -> stride (rows kept: ceil(source rows / stride))
SETS = {
    "minilm_l6_dev": 13,  # 4032 rows -> 311
    "smollm2_135m_dev": 25,  # 7560 rows -> 303
    "smollm2_135m_long_dev": 3,  # 540 rows -> 180
}
KINDS = ("logits", "lengths", "index")


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "..", "shared", "data", "attention")
    dst = sys.argv[2] if len(sys.argv) > 2 else os.path.join(root, "data", "attention")
    os.makedirs(dst, exist_ok=True)
    for prefix, stride in SETS.items():
        paths = {k: os.path.join(src, f"{prefix}_{k}.npy") for k in KINDS}
        arrays = {k: np.load(p) for k, p in paths.items()}
        x, lengths, index = arrays["logits"], arrays["lengths"], arrays["index"]
        assert x.dtype == np.float32 and x.ndim == 2, (prefix, x.dtype, x.shape)
        assert lengths.dtype == np.int32 and lengths.shape == (x.shape[0],), prefix
        assert index.dtype == np.int32 and index.shape == (x.shape[0], 4), prefix
        rows = np.arange(0, x.shape[0], stride)
        for k, a in (("logits", x), ("lengths", lengths), ("index", index)):
            np.save(os.path.join(dst, f"{prefix}_{k}.npy"), np.ascontiguousarray(a[rows]))
        with open(os.path.join(src, f"{prefix}_meta.json")) as f:
            meta = json.load(f)
        meta["rows"] = int(rows.size)
        meta["files"] = {
            "logits": f"{prefix}_logits.npy float32 LE shape ({rows.size}, {x.shape[1]}); row i valid in [:lengths[i]], padding = -inf",
            "lengths": f"{prefix}_lengths.npy int32 shape ({rows.size},)",
            "index": f"{prefix}_index.npy int32 shape ({rows.size}, 4): text_id, layer, head, query_pos",
        }
        meta["sample"] = {
            "rule": f"source rows i with i % {stride} == 0 (rows 0, {stride}, {2 * stride}, ...)",
            "source_rows": int(x.shape[0]),
            "rows": int(rows.size),
            "made_by": "scripts/sample-attention.py",
            "source_sha256": {f"{prefix}_{k}.npy": sha256(p) for k, p in paths.items()},
        }
        with open(os.path.join(dst, f"{prefix}_meta.json"), "w") as f:
            json.dump(meta, f, indent=1)
            f.write("\n")
        longest = int(lengths[rows].max())
        print(f"{prefix}: {rows.size} of {x.shape[0]} rows (i % {stride} == 0), width {x.shape[1]}, longest row {longest}")


if __name__ == "__main__":
    main()
