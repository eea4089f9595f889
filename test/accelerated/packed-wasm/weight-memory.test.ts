/**
 * A model file read into the packed-wasm engine's memory (engineWeightMemory, spec/performance.md §4): the heap grows
 * by the file's size once, every TQ2_0 and F16 matrix is a view of it that prepareMatrix uses where it lies (no second
 * allocation), and the logits are the bits of the same model loaded the usual way (ggml-matmul, the tiny golden model).
 */

import { statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import type { Backend } from "../../../accelerated/backend.js";
import type { PackedWasmEngine } from "../../../accelerated/packed-wasm/engine.js";
import {
  createPackedWasmBackend,
  ENGINE_RESERVED_BYTES,
  engineWeightMemory,
} from "../../../accelerated/packed-wasm/index.js";
import { createNodeEngine } from "../../../accelerated/packed-wasm/node-engine.js";
import { GgmlType } from "../../../reference/codec/index.js";
import type { PackedMatrix } from "../../../reference/model/packed-matrix.js";
import { layerLinears } from "../../../reference/model/weights.js";
import { createBackendSession } from "../../../src/backend/backend-forward.js";
import { createReferenceBackend } from "../../../src/backend/reference-backend.js";
import { loadModel, type LoadedModelFile } from "../../../src/model/load-model.js";

const TINY = fileURLToPath(new URL("../../../golden/models/trilm-tiny-tq2_0.gguf", import.meta.url));
const PROMPT = [1, 17, 300, 42, 7];

/** Every matrix of the model: each layer's linears, the output head and the token embedding. */
function matrices(model: LoadedModelFile): PackedMatrix[] {
  const w = model.weights;
  return [...w.layers.flatMap((layer) => layerLinears(layer).map(([, m]) => m)), w.output, w.tokenEmbedding];
}

/** The logits of PROMPT, one position at a time, on `backend` in ggml-matmul mode. */
function logitsOf(model: LoadedModelFile, backend: Backend): Float32Array[] {
  const config = { ...model.config, contextLength: PROMPT.length };
  const session = createBackendSession(config, model.weights, backend, { activations: "ggml-matmul", kvCache: "f32" });
  const logits = PROMPT.map((token, pos) => session.step(token, pos));
  session.dispose();
  return logits;
}

/** The bits of a float32 array. */
function bits(values: Float32Array): Uint32Array {
  return new Uint32Array(values.buffer, values.byteOffset, values.length);
}

/** A fresh single-thread engine and its backend over the reference backend. */
async function engineBackend(): Promise<{ engine: PackedWasmEngine; backend: Backend }> {
  const engine = await createNodeEngine(1);
  return { engine, backend: createPackedWasmBackend(engine, createReferenceBackend()) };
}

describe("a model file read into the packed-wasm engine's memory", () => {
  test("the backend offers the engine's memory, limited to 4 GiB less what the heap holds and keeps", async () => {
    const { engine, backend } = await engineBackend();
    const memory = backend.weightMemory;
    expect(memory).toBeDefined();
    expect(memory!.maxBytes).toBe(2 ** 32 - engine.heap.used - ENGINE_RESERVED_BYTES);
    engine.heap.allocate(1 << 20);
    expect(memory!.maxBytes).toBe(2 ** 32 - engine.heap.used - ENGINE_RESERVED_BYTES);
    backend.dispose();
  });

  test("heap grows by the file once, matrices are views prepareMatrix uses in place, the logits are the usual bits", async () => {
    const fileBytes = statSync(TINY).size;
    const { engine, backend } = await engineBackend();
    const before = engine.heap.used;
    const mapped = loadModel(TINY, { memory: engineWeightMemory(engine) });
    const afterLoad = engine.heap.used;
    expect(afterLoad - before).toBeGreaterThanOrEqual(fileBytes);
    expect(afterLoad - before).toBeLessThan(fileBytes + 64); // one allocation, aligned to 64
    const engineTypes = matrices(mapped).filter((m) => m.type === GgmlType.TQ2_0 || m.type === GgmlType.F16);
    expect(engineTypes.length).toBe(matrices(mapped).length);
    for (const m of engineTypes) {
      const address = engine.heap.addressOf(m.data);
      expect(address).toBeDefined();
      expect(address! >= before && address! + m.data.length <= afterLoad).toBe(true);
    }
    for (const m of matrices(mapped)) backend.prepareMatrix(m).dispose();
    expect(engine.heap.used).toBe(afterLoad); // prepareMatrix copied nothing

    const mappedLogits = logitsOf(mapped, backend);
    const usual = await engineBackend();
    const copied = loadModel(TINY);
    expect(usual.engine.heap.addressOf(copied.weights.output.data)).toBeUndefined();
    const copiedLogits = logitsOf(copied, usual.backend);
    expect(mappedLogits.map((l) => Array.from(bits(l)))).toEqual(copiedLogits.map((l) => Array.from(bits(l))));
    backend.dispose();
    usual.backend.dispose();
  });
});
