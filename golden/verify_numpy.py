#!/usr/bin/env python3
"""Judge a candidate's outputs against a golden suite with numpy alone (spec/golden.md §8).
usage: python3 golden/verify_numpy.py SUITE_DIR [OUTPUTS_DIR]  (files under the manifest's names, tc0001/y.npy, ...;
without OUTPUTS_DIR the suite's own expected files are judged). Exit status 0 when every test passes, else 1."""
import json, os, sys
import numpy as np
def accepted(y, center, bound):  # §6.1: as `trilm check` decides, element by element, in float64
    d = np.abs(y.astype(np.float64) - center.astype(np.float64))
    return np.where(np.isposinf(bound), ~np.isfinite(y), (d <= np.abs(bound)) | (np.signbit(bound) & ~np.isfinite(d)))

def accepted_fp16(y, center, bound, mask):  # §6.3: NaN where mask bit 1, ±inf where bit 0, else |y - center| <= bound
    d = np.abs(y.astype(np.float64) - center)
    return np.where(np.isnan(y), (mask & 2) > 0, np.where(np.isinf(y), (mask & 1) > 0, d <= bound))

def logits_ok(g, w, tau):  # §6.2: NMSE <= tau, each position's argmax (the first maximum) equal or a near tie
    a, b = g.argmax(-1)[:, None], w.argmax(-1)[:, None]
    gap = (np.take_along_axis(w, b, 1) - np.take_along_axis(w, a, 1))[:, 0]
    near = gap <= 2 * np.sqrt(tau * np.mean(w * w, -1))
    return bool(np.sum((g - w) ** 2) <= tau * np.sum(w * w) and np.all((a == b)[:, 0] | near))

load = lambda path: np.load(path) if path.endswith(".npy") else np.fromfile(path, dtype=np.uint8)
suite, outputs = sys.argv[1], sys.argv[-1]
manifest, failed = json.load(open(os.path.join(suite, "manifest.json"))), 0
for group in manifest["testGroups"]:
    tol = group["tolerance"]
    for test in group["tests"]:
        files = {role: entry["file"] for role, entry in test["files"].items()}
        for role in group["outputs"]:
            try:
                got, want = load(os.path.join(outputs, files[role])), load(os.path.join(suite, files[role]))
                if tol["kind"] == "elementwise-bound":
                    rule = tol["bounds"][role]
                    center, bound = (load(os.path.join(suite, files[rule[k]])) for k in ("center", "bound"))
                    mask = rule.get("nonFinite") and load(os.path.join(suite, files[rule["nonFinite"]]))
                    judge = accepted if mask is None else lambda y, c, b: accepted_fp16(y, c, b, mask)
                    ok = got.shape == want.shape and bool(np.all(judge(got, center, bound)))
                elif tol["kind"] == "logits-criterion":
                    ok = got.shape == want.shape and logits_ok(got.astype(np.float64), want.astype(np.float64), tol["nmse"])
                else:  # bit-exact
                    ok = got.dtype == want.dtype and np.array_equal(got, want, equal_nan=got.dtype.kind == "f")
            except (OSError, ValueError, KeyError) as error:
                ok = print(f"tc{test['tcId']} {role}: {error!r}")
            failed += not ok
            print(f"{'PASS' if ok else 'FAIL'} tc{test['tcId']} {group['op']} {group['format']} {role} ({tol['kind']})")
print(f"{manifest['suite']}: {failed} failed")
sys.exit(1 if failed else 0)
