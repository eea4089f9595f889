/**
 * fetchEngineModule (accelerated/packed-wasm/web-engine.ts), the page's way to get the engine module: served over HTTP
 * as the page serves it, it compiles to the module node-engine.ts loads from disk; a missing file gives one line
 * naming the URL and the command that builds it.
 */

import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createEngine } from "../../../accelerated/packed-wasm/engine.js";
import { fetchEngineModule } from "../../../accelerated/packed-wasm/web-engine.js";

const wasm = readFileSync(new URL("../../../accelerated/packed-wasm/build/engine.wasm", import.meta.url));
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === "/engine.wasm") res.writeHead(200, { "Content-Type": "application/wasm" }).end(wasm);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

test("the served engine.wasm compiles to a module createEngine instantiates", async () => {
  const module = await fetchEngineModule(`${base}/engine.wasm`);
  const engine = createEngine(module);
  expect(engine.exports.heapBase()).toBeGreaterThan(0);
  expect(typeof engine.exports.matmulQ8K).toBe("function");
  engine.runner.dispose();
});

test("a missing module is one line naming the URL and npm run build:wasm", async () => {
  const url = `${base}/missing/engine.wasm`;
  await expect(fetchEngineModule(url)).rejects.toThrow(
    `packed-wasm: ${url}: HTTP 404 (the page needs build/engine.wasm: npm run build:wasm)`,
  );
});
