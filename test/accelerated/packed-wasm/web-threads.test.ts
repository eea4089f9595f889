/**
 * The page's side of the engine's threads (spec/performance.md §3) as far as Node can run it: Node's main thread may
 * block (as a Web Worker may), one thread needs no Web Worker, and more than one where there are no Web Workers is a
 * one-line Error. The Web Workers themselves run in the browser.
 */

import { describe, expect, test } from "vitest";
import { loadEngineModule } from "../../../accelerated/packed-wasm/node-engine.js";
import { canBlockOnThisThread, createWebEngine } from "../../../accelerated/packed-wasm/web-threads.js";

describe("web-threads", () => {
  test("Node's main thread may block in Atomics.wait", () => {
    expect(canBlockOnThisThread()).toBe(true);
  });

  test("one thread runs on this thread; more need Web Workers, which Node lacks: a one-line Error", async () => {
    const module = await loadEngineModule();
    const engine = await createWebEngine(module, 1);
    expect(engine.runner.threads).toBe(1);
    engine.runner.dispose();
    await expect(createWebEngine(module, 2)).rejects.toThrow(
      /^packed-wasm: this JavaScript environment has no Web Workers$/,
    );
  });
});
