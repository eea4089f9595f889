import { readFileSync } from "node:fs"; import { test } from "vitest";
import { parseGguf } from "../src/gguf/index.js"; import { modelFromGguf } from "../src/model/gguf-model.js";
import { evaluateSequence } from "../reference/model/forward.js";
test("agree", () => { const tokens = JSON.parse(readFileSync("golden/external/llama/tokens.json","utf8")).tokens;
 for (const v of ["f32","tq2_0","tq1_0"]) { const { config, weights } = modelFromGguf(parseGguf(new Uint8Array(readFileSync(`golden/external/llama/tiny-${v}.gguf`)), v));
  const ref = new Float32Array(new Uint8Array(readFileSync(`golden/external/llama/logits-${v}.f32`)).buffer);
  const t0 = performance.now();
  const rows = evaluateSequence(config, weights, tokens, { activations: "ggml", kvCache: "f32" });
  const t1 = performance.now();
  let num = 0, den = 0; const per: string[] = []; let same = 0;
  rows.forEach((r, p) => { let n = 0, d = 0, mx = 0, am = 0, bm = 0; for (let i = 0; i < 512; i++) { const a = r[i], b = ref[p*512+i]; n += (a-b)**2; d += b*b; mx = Math.max(mx, Math.abs(a-b)); if (a > r[am]) am = i; if (b > ref[p*512+bm]) bm = i; if (a === b) same++; }
   num += n; den += d; per.push(`${p}:${(n/d).toExponential(1)}${am===bm?"":"!"}`); });
  console.log(v, "NMSE", (num/den).toExponential(2), "identical", same, "/", 16*512, "ms", (t1-t0).toFixed(0), per.join(" "));
 } }, 120000);
