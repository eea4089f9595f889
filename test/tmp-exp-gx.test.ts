import { readFileSync } from "node:fs"; import { test } from "vitest";
import { parseGguf } from "../src/gguf/index.js"; import { modelFromGguf } from "../src/model/gguf-model.js";
import { rmsNorm } from "../reference/model/rmsnorm.js";
import { decodeMatrixRow, type PackedMatrix } from "../reference/model/packed-matrix.js";
import * as G from "../reference/ggml-x86/index.js";
import { tinyBlasDot16 } from "../reference/ggml-x86/tinyblas.js";
type Dot = (w: Float32Array, x: Float32Array) => number;
const f64: Dot = (w, x) => { let s = 0; for (let i = 0; i < w.length; i++) s += w[i] * x[i]; return Math.fround(s); };
const dots: Record<string, Dot> = { tiny: G.tinyBlasDot, t16: tinyBlasDot16, vec: G.vecDotF32Avx2, f64 };
function mv(m: PackedMatrix, x: Float32Array, d: Dot) { const y = new Float32Array(m.rows); for (let r = 0; r < m.rows; r++) y[r] = d(decodeMatrixRow(m, r), x); return y; }
test("exp", () => {
  const tokens = JSON.parse(readFileSync("golden/external/llama/tokens.json","utf8")).tokens;
  const { config, weights } = modelFromGguf(parseGguf(new Uint8Array(readFileSync(`golden/external/llama/tiny-f32.gguf`)), "f32"));
  const ref = new Float32Array(new Uint8Array(readFileSync(`golden/external/llama/logits-f32.f32`)).buffer).subarray(0, 512);
  const silus: Record<string, (g: Float32Array, u: Float32Array) => Float32Array> = {
    v: (g, u) => G.swigluAvx2(g, u),
    exp: (g, u) => g.map((x, i) => Math.fround(x / Math.fround(1 + Math.fround(Math.exp(-x)))) * u[i]) };
  for (const mmName of Object.keys(dots)) for (const sw of Object.keys(silus)) {
    const mm = dots[mmName];
    let x = decodeMatrixRow(weights.tokenEmbedding, tokens[0]);
    for (const layer of weights.layers) {
      const xn = rmsNorm(x, layer.attnNorm, config.normEps);
      const v = mv(layer.wv, xn, mm); // pos 0: attention output = v (GQA: head h uses kv head h/2)
      const att = new Float32Array(config.dim); for (let h = 0; h < config.nHeads; h++) att.set(v.subarray(Math.floor(h / 2) * 64, Math.floor(h / 2) * 64 + 64), h * 64);
      x = x.map((a, i) => a + mv(layer.wo, att, mm)[i]);
      const xn2 = rmsNorm(x, layer.ffnNorm, config.normEps);
      const hdn = silus[sw](mv(layer.wGate, xn2, mm), mv(layer.wUp, xn2, mm));
      const dn = mv(layer.wDown, hdn, mm); x = x.map((a, i) => a + dn[i]);
    }
    const h = rmsNorm(x, weights.outputNorm, config.normEps);
    const line: string[] = [];
    for (const head of Object.keys(dots)) { const lg = mv(weights.output, h, dots[head]); let same = 0; for (let i = 0; i < 512; i++) if (lg[i] === ref[i]) same++; line.push(`${head}:${same}`); }
    console.log(`body=${mmName} silu=${sw} head-> ${line.join(" ")}`);
  }
}, 120000);
