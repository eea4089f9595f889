/**
 * 4096×4096 TQ2_0 matmul timing (batch 1 and 16) on the gpujs backend. Skipped unless GPUJS_BENCH=1:
 *   GPUJS_BENCH=1 npx vitest run test/accelerated/gpujs/bench.test.ts
 */
import { describe, it } from "vitest";
import { GgmlType } from "../../../reference/codec/index.js";
import { createGpujsBackend } from "../../../accelerated/gpujs/index.js";
import { createReferenceBackend } from "../../../src/backend/reference-backend.js";

const RUNS = Number(process.env.GPUJS_BENCH_RUNS ?? 5);

describe.skipIf(process.env.GPUJS_BENCH !== "1")("gpujs 4096×4096 TQ2_0 matmul timing", () => {
  it("batch 1 and 16", async () => {
    const backend = await createGpujsBackend();
    const rows = 4096;
    const cols = 4096;
    const data = new Uint8Array(rows * (cols / 256) * 66);
    for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761) >>> 24;
    for (let k = 0; k < data.length / 66; k++) {
      data[k * 66 + 64] = 0x00;
      data[k * 66 + 65] = 0x2c; // fp16 0.0625
    }
    let t = performance.now();
    const weight = backend.prepareMatrix({ type: GgmlType.TQ2_0, rows, cols, data });
    const prepareMs = performance.now() - t;
    console.log(`${backend.describe()}; prepareMatrix ${prepareMs.toFixed(1)} ms`);
    for (const [batch, orientation] of [
      [1, "rows"],
      [16, "rows"],
      [16, "batch"],
    ] as const) {
      backend.orientation = orientation;
      const x = new Float32Array(batch * cols).map((_, i) => Math.sin(i));
      for (const mode of ["f32", "ggml"] as const) {
        const compileBefore = backend.kernels.compileMs;
        t = performance.now();
        backend.matmul(weight, x, batch, mode);
        const firstMs = performance.now() - t;
        const compileMs = backend.kernels.compileMs - compileBefore;
        const times: number[] = [];
        for (let i = 0; i < RUNS; i++) {
          t = performance.now();
          backend.matmul(weight, x, batch, mode);
          times.push(performance.now() - t);
        }
        times.sort((a, b) => a - b);
        const median = times[Math.floor(times.length / 2)];
        console.log(
          `batch ${batch} ${mode} x=${orientation}: first call ${firstMs.toFixed(1)} ms (kernel's first run ${compileMs.toFixed(1)} ms, ≈ compile ${(compileMs > 0 ? compileMs - median : 0).toFixed(1)} ms + one run), ` +
            `median of ${RUNS} ${median.toFixed(1)} ms [${times.map((v) => v.toFixed(1)).join(", ")}], ` +
            `${((2 * rows * cols * batch) / median / 1e6).toFixed(2)} GFLOP/s`,
        );
      }
    }
    const reference = createReferenceBackend();
    const refWeight = reference.prepareMatrix({ type: GgmlType.TQ2_0, rows, cols, data });
    const x1 = new Float32Array(cols).map((_, i) => Math.sin(i));
    for (const mode of ["f32", "ggml"] as const) {
      t = performance.now();
      reference.matmul(refWeight, x1, 1, mode);
      console.log(`for scale: reference backend, batch 1 ${mode}: ${(performance.now() - t).toFixed(1)} ms (one run)`);
    }
    backend.dispose();
  }, 600_000);
});
