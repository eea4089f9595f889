/**
 * The backend-agnostic differential suite (test/differential, runDifferentialSuite) run against
 * gpujs with the reference backend as the oracle, including the embedded tiny TQ2_0 model when
 * golden/models/trilm-tiny-tq2_0.gguf is present. The seed is printed; replay with
 * GPUJS_DIFF_SEED=<seed> (GPUJS_DIFF_RUNS sets the cases per op, default 20).
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { createReferenceBackend } from "../../../src/backend/reference-backend.js";
import { createGpujsBackend } from "../../../accelerated/gpujs/index.js";
import { runDifferentialSuite } from "../../differential/index.js";

const modelPath = fileURLToPath(new URL("../../../golden/models/trilm-tiny-tq2_0.gguf", import.meta.url));

it("differential suite: gpujs vs reference", async () => {
  const seed = Number(process.env.GPUJS_DIFF_SEED ?? Math.floor(Math.random() * 2 ** 31));
  console.log(
    `[gpujs differential] seed=${seed} (replay: GPUJS_DIFF_SEED=${seed} npx vitest run test/accelerated/gpujs/differential.test.ts)`,
  );
  const candidate = await createGpujsBackend();
  try {
    const result = await runDifferentialSuite(candidate, createReferenceBackend(), {
      seed,
      numRuns: Number(process.env.GPUJS_DIFF_RUNS ?? 20),
      log: (line) => console.log(`[gpujs differential] ${line}`),
      ...(existsSync(modelPath) ? { embeddedModel: new Uint8Array(readFileSync(modelPath)) } : {}),
    });
    expect(result.failures).toEqual([]);
    expect(result.failed).toBe(0);
  } finally {
    candidate.dispose();
  }
}, 120_000);
