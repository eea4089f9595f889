/**
 * The accelerated backends on files as llama-quantize writes them with its defaults
 * (golden/external/llama-quantize/: token_embd Q4_K and output Q6_K, or a tied Q6_K token_embd):
 * both decode K-quant matrices exactly on the host, so the whole-model check of the differential
 * suite (f32 and ggml-matmul logits against the reference backend, spec/tolerances.md) holds on them.
 * No op properties run here (test/accelerated/*\/differential.test.ts cover those); the model check is
 * deterministic, so there is no seed to replay.
 */

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createGpujsBackend } from "../../accelerated/gpujs/index.js";
import { createTfjsBackend } from "../../accelerated/tfjs/index.js";
import type { Backend } from "../../src/backend/backend.js";
import { createReferenceBackend } from "../../src/backend/reference-backend.js";
import { runDifferentialSuite } from "../differential/index.js";

const FILES = ["tiny-tq2_0-default.gguf", "tied-spm-tq1_0-default.gguf"];
const BACKENDS: ReadonlyArray<readonly [string, () => Promise<Backend>]> = [
  ["gpujs", createGpujsBackend],
  ["tfjs-cpu", () => createTfjsBackend("cpu")],
];

describe.each(BACKENDS)("%s on llama-quantize's default K-quant heads", (_name, create) => {
  it.each(FILES)(
    "%s: logits within spec/tolerances.md of the reference backend",
    async (file) => {
      const bytes = new Uint8Array(
        readFileSync(new URL(`../../golden/external/llama-quantize/${file}`, import.meta.url)),
      );
      const candidate = await create();
      try {
        const result = await runDifferentialSuite(candidate, createReferenceBackend(), {
          seed: 0,
          numRuns: 0,
          ops: [],
          layer99m: false,
          embeddedModel: bytes,
          log: (line) => console.log(`[${file}] ${line}`),
        });
        expect(result.failures).toEqual([]);
        expect(result.passed).toBe(1);
      } finally {
        candidate.dispose();
      }
    },
    120_000,
  );
});
