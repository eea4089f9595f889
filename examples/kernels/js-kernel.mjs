// js-kernel.mjs: checking a JavaScript kernel with trilm-oracle's checkKernel.
//
//   npm run build && node examples/kernels/js-kernel.mjs
//
// "trilm-oracle" resolves to this package itself (Node's self-reference through package.json
// "exports"), exactly as it does in a project that installed trilm-oracle.
import { checkKernel } from "trilm-oracle/harness";
import { f16BitsToF32 } from "trilm-oracle/codec";

/** The kernel under test: TQ2_0 matmul, y = x·Wᵀ, decoding the 2-bit codes by hand. */
function tq2Matmul(c) {
  const nb = c.cols / 256;
  const y = new Float32Array(c.batch * c.rows);
  for (let b = 0; b < c.batch; b++) {
    for (let r = 0; r < c.rows; r++) {
      let acc = 0;
      for (let i = 0; i < nb; i++) {
        const block = c.weight.subarray((r * nb + i) * 66, (r * nb + i + 1) * 66);
        const d = f16BitsToF32(block[64] | (block[65] << 8));
        let s = 0;
        for (let e = 0; e < 256; e++) {
          const code = (block[Math.floor(e / 128) * 32 + (e % 32)] >> (2 * Math.floor((e % 128) / 32))) & 3;
          s += c.x[b * c.cols + i * 256 + e] * (code - 1);
        }
        acc += s * d;
      }
      y[b * c.rows + r] = acc;
    }
  }
  return y;
}

/** The same kernel with the classic layout bug: four consecutive elements a byte. */
function buggyTq2Matmul(c) {
  const fixed = { ...c, weight: relayout(c.weight, (c.rows * c.cols) / 256) };
  return tq2Matmul(fixed);
}
function relayout(weight, blocks) {
  const out = new Uint8Array(weight.length);
  for (let i = 0; i < blocks; i++) {
    const src = weight.subarray(i * 66, i * 66 + 66),
      dst = out.subarray(i * 66, i * 66 + 66);
    for (let e = 0; e < 256; e++) {
      const code = (src[e >> 2] >> (2 * (e % 4))) & 3; // BUG: consecutive elements
      dst[Math.floor(e / 128) * 32 + (e % 32)] |= code << (2 * Math.floor((e % 128) / 32));
    }
    dst[64] = src[64];
    dst[65] = src[65];
  }
  return out;
}

for (const [name, kernel] of [
  ["tq2Matmul", tq2Matmul],
  ["buggyTq2Matmul", buggyTq2Matmul],
]) {
  const result = await checkKernel(kernel, { op: "matmul", format: "tq2_0", activations: "f32", runs: 100, seed: 42 });
  if (result.passed) {
    console.log(`${name}: passed ${result.numRuns} random cases (seed ${result.seed})`);
  } else {
    const c = result.counterexample;
    console.log(
      `${name}: FAILED (seed ${result.seed}) on ${c.rows} row(s) x ${c.cols / 256} block(s), batch ${c.batch}`,
    );
    console.log(`  ${result.verdict.reason}`);
    const w = result.verdict.worst;
    if (w) console.log(`  worst: y[${w.batch},${w.row}], weight block ${w.block}, byte ${w.byte}, bit ${w.bit}`);
  }
}
