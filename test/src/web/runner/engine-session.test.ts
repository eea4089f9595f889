/**
 * The engine worker's side (src/web/runner/engine-session.ts), driven in Node through a fake worker scope, the
 * engine's threads as worker_threads: on 1 and 2 threads the embedded model's logits equal the reference backend's in
 * ggml-matmul mode bit for bit (read from the file's bytes copied into engine memory); a step before the start and a
 * file that does not parse are answered with one "error" line each.
 */
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, test } from "vitest";
import { loadEngineModule } from "../../../../accelerated/packed-wasm/node-engine.js";
import { spawnNodeWorker } from "../../../../accelerated/packed-wasm/node-threads.js";
import { createThreadedEngine } from "../../../../accelerated/packed-wasm/thread-pool.js";
import { createBackendSession } from "../../../../src/backend/backend-forward.js";
import { createReferenceBackend } from "../../../../src/backend/reference-backend.js";
import { parseGguf } from "../../../../src/gguf/reader.js";
import { embeddedModelPath } from "../../../../src/model/embedded.js";
import { modelFromGguf } from "../../../../src/model/gguf-model.js";
import {
  serveEngineSession,
  type EngineWorkerReply,
  type EngineWorkerRequest,
  type MakeEngine,
} from "../../../../src/web/runner/engine-session.js";

const path = embeddedModelPath();
const fileBytes = new Uint8Array(readFileSync(path));
const TOKENS = [1, 17, 300];
const nodeEngine: MakeEngine = (module, threads) => createThreadedEngine(module, threads, spawnNodeWorker);

/** A scope served by serveEngineSession: `ask` posts a request and resolves with the worker's reply. */
function servedScope(): {
  ask(request: EngineWorkerRequest): Promise<EngineWorkerReply>;
  replies: EngineWorkerReply[];
} {
  const replies: EngineWorkerReply[] = [];
  let waiting: ((reply: EngineWorkerReply) => void) | undefined;
  const scope = {
    onmessage: null as ((event: { data: unknown }) => void) | null,
    postMessage(reply: EngineWorkerReply) {
      replies.push(reply);
      waiting?.(reply);
    },
  };
  serveEngineSession(scope, nodeEngine);
  return {
    replies,
    ask: (request) =>
      new Promise((resolve) => {
        waiting = resolve;
        scope.onmessage?.({ data: request });
      }),
  };
}

/** The float32 bits of each row. */
const bitsOf = (rows: readonly Float32Array[]): number[][] =>
  rows.map((row) => Array.from(new Uint32Array(row.buffer, row.byteOffset, row.length)));

let module: WebAssembly.Module;
beforeAll(async () => {
  module = await loadEngineModule();
});

describe("serveEngineSession", () => {
  test("1 and 2 threads: the reference backend's ggml-matmul logits, bit for bit", async () => {
    const model = modelFromGguf(parseGguf(fileBytes, path));
    const reference = createBackendSession(
      { ...model.config, contextLength: TOKENS.length },
      model.weights,
      createReferenceBackend(),
      { activations: "ggml-matmul", kvCache: "f32" },
    );
    const expected = bitsOf(TOKENS.map((token, pos) => reference.step(token, pos)));
    for (const threads of [1, 2]) {
      const { ask } = servedScope();
      const ready = await ask({
        kind: "start",
        module,
        threads,
        gguf: fileBytes.slice(),
        fileName: path,
        contextLength: TOKENS.length,
        activations: "ggml-matmul",
      });
      expect(ready.kind).toBe("ready");
      if (ready.kind === "ready")
        expect(ready.description).toMatch(new RegExp(`, ${threads} threads?\\) in a Web Worker$`));
      const logits: Float32Array[] = [];
      for (let pos = 0; pos < TOKENS.length; pos++) {
        const reply = await ask({ kind: "step", token: TOKENS[pos], pos });
        if (reply.kind !== "logits") throw new Error(`step ${pos}: ${JSON.stringify(reply)}`);
        logits.push(reply.logits);
      }
      expect(bitsOf(logits), `${threads} threads`).toEqual(expected);
    }
  }, 60_000);

  test("a step before the start and a file that does not parse: one error line each", async () => {
    const early = await servedScope().ask({ kind: "step", token: 1, pos: 0 });
    expect(early).toEqual({ kind: "error", message: "the engine worker got a step before its session started" });
    const broken = await servedScope().ask({
      kind: "start",
      module,
      threads: 1,
      gguf: new Uint8Array([0x47, 0x47, 0x55, 0x46, 1, 0, 0, 0]),
      fileName: "broken.gguf",
      contextLength: 1,
      activations: "ggml-matmul",
    });
    expect(broken.kind).toBe("error");
    if (broken.kind === "error") {
      expect(broken.message).toMatch(/^broken\.gguf/);
      expect(broken.message).not.toContain("\n");
    }
  });
});
