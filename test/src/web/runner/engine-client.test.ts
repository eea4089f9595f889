/**
 * The page's side of the engine worker (src/web/runner/engine-client.ts) against engine-session.ts through a fake
 * worker (replies delivered on a later task, as a real worker's are): a started session steps the embedded model with
 * the reference backend's ggml-matmul logits; an "error" reply rejects the start and stops the worker; a worker error
 * event rejects the step in flight and every later one; dispose stops the worker.
 */
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, test } from "vitest";
import { createEngine } from "../../../../accelerated/packed-wasm/engine.js";
import { loadEngineModule } from "../../../../accelerated/packed-wasm/node-engine.js";
import { createBackendSession } from "../../../../src/backend/backend-forward.js";
import { createReferenceBackend } from "../../../../src/backend/reference-backend.js";
import { parseGguf } from "../../../../src/gguf/reader.js";
import { embeddedModelPath } from "../../../../src/model/embedded.js";
import { modelFromGguf } from "../../../../src/model/gguf-model.js";
import {
  startEngineWorker,
  type EngineWorkerPort,
  type EngineWorkerStart,
} from "../../../../src/web/runner/engine-client.js";
import { serveEngineSession, type EngineWorkerReply } from "../../../../src/web/runner/engine-session.js";

const path = embeddedModelPath();
const fileBytes = new Uint8Array(readFileSync(path));
const TOKENS = [1, 17, 300];

/** A fake Worker whose other side is serveEngineSession (one engine thread); `terminated` once terminate() ran. */
function fakeWorker(): EngineWorkerPort & { terminated: boolean } {
  const scope = {
    onmessage: null as ((event: { data: unknown }) => void) | null,
    postMessage: (reply: EngineWorkerReply) => setTimeout(() => worker.onmessage?.({ data: reply })),
  };
  const worker: EngineWorkerPort & { terminated: boolean } = {
    onmessage: null,
    onerror: null,
    onmessageerror: null,
    terminated: false,
    postMessage: (message) => setTimeout(() => scope.onmessage?.({ data: message })),
    terminate() {
      worker.terminated = true;
    },
  };
  serveEngineSession(scope, async (module) => createEngine(module));
  return worker;
}

let start: EngineWorkerStart;
beforeAll(async () => {
  start = {
    module: await loadEngineModule(),
    threads: 1,
    gguf: fileBytes,
    fileName: path,
    contextLength: TOKENS.length,
    activations: "ggml-matmul",
  };
});

describe("startEngineWorker", () => {
  test("steps the model: the reference backend's ggml-matmul logits, bit for bit", async () => {
    const model = modelFromGguf(parseGguf(fileBytes, path));
    const reference = createBackendSession(
      { ...model.config, contextLength: TOKENS.length },
      model.weights,
      createReferenceBackend(),
      { activations: "ggml-matmul", kvCache: "f32" },
    );
    const worker = fakeWorker();
    const session = await startEngineWorker(worker, { ...start, gguf: fileBytes.slice() });
    expect(session.description).toMatch(/, 1 thread\) in a Web Worker$/);
    expect(session.prepareMs).toBeGreaterThanOrEqual(0);
    for (let pos = 0; pos < TOKENS.length; pos++) {
      const got = await session.step(TOKENS[pos], pos);
      const want = reference.step(TOKENS[pos], pos);
      expect(Array.from(new Uint32Array(got.buffer, got.byteOffset, got.length))).toEqual(
        Array.from(new Uint32Array(want.buffer, want.byteOffset, want.length)),
      );
    }
    session.dispose();
    expect(worker.terminated).toBe(true);
    await expect(session.step(1, 0)).rejects.toThrow("packed-wasm engine worker: disposed");
  });

  test("an error reply rejects the start with its line and stops the worker", async () => {
    const worker = fakeWorker();
    const bad = { ...start, gguf: new Uint8Array(8), fileName: "zeros.gguf" };
    await expect(startEngineWorker(worker, bad)).rejects.toThrow(/^packed-wasm engine worker: zeros\.gguf/);
    expect(worker.terminated).toBe(true);
  });

  test("a worker error event rejects the step in flight and every later one", async () => {
    const worker = fakeWorker();
    const session = await startEngineWorker(worker, { ...start, gguf: fileBytes.slice() });
    worker.postMessage = () =>
      setTimeout(() => worker.onerror?.({ message: "Uncaught RangeError: out of memory", preventDefault: () => {} }));
    const message = "packed-wasm engine worker: Uncaught RangeError: out of memory";
    await expect(session.step(1, 0)).rejects.toThrow(message);
    await expect(session.step(1, 0)).rejects.toThrow(message);
  });
});
