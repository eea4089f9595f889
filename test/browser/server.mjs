/**
 * A tiny static server for the browser test page, on 127.0.0.1 and an ephemeral port, with the
 * cross-origin isolation headers (COOP same-origin, COEP require-corp) that SharedArrayBuffer and
 * tfjs-wasm's threaded build need.
 *   /, /index.html, /bundle.js  from the built page directory
 *   /engine.wasm                from the built page directory (the packed-wasm engine, copied by build.mjs)
 *   /engine-worker.js           from the built page directory (the runner's engine worker, bundled by build.mjs)
 *   /tfjs-wasm/<name>.wasm      from node_modules/@tensorflow/tfjs-backend-wasm/dist
 *   /golden/<name>.gguf         from golden/models (the embedded model, for the differential suite)
 */
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { join, normalize, sep } from "node:path";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".map": "application/json",
};

/** Resolve `rel` inside `root`, or null when it would leave it. */
function inside(root, rel) {
  const p = normalize(join(root, rel));
  return p === root || p.startsWith(root.endsWith(sep) ? root : root + sep) ? p : null;
}

/**
 * Start serving; resolves with { url, close() }.
 * @param {{ pageDir: string, wasmDir: string, goldenDir?: string | null, log?: (line: string) => void }} options
 */
export function startServer({ pageDir, wasmDir, goldenDir = null, log = () => {} }) {
  const server = createServer(async (req, res) => {
    const headers = {
      "Cross-Origin-Opener-Policy": "same-origin",
      "Cross-Origin-Embedder-Policy": "require-corp",
      "Cross-Origin-Resource-Policy": "same-origin",
      "Cache-Control": "no-store",
    };
    try {
      const path = decodeURIComponent(new URL(req.url ?? "/", "http://127.0.0.1").pathname);
      let file = null;
      if (path === "/" || path === "/index.html") file = join(pageDir, "index.html");
      else if (path.startsWith("/tfjs-wasm/") && path.endsWith(".wasm"))
        file = inside(wasmDir, path.slice("/tfjs-wasm/".length));
      else if (path === "/bundle.js" || path === "/engine.wasm" || path === "/engine-worker.js")
        file = join(pageDir, path.slice(1));
      else if (path.startsWith("/golden/") && path.endsWith(".gguf") && goldenDir)
        file = inside(goldenDir, path.slice("/golden/".length));
      if (file === null || (req.method !== "GET" && req.method !== "HEAD")) {
        if (path !== "/favicon.ico") log(`server: 404 ${req.method} ${path}`);
        res.writeHead(404, { ...headers, "Content-Type": "text/plain" }).end("not found\n");
        return;
      }
      const body = await readFile(file);
      const ext = file.slice(file.lastIndexOf("."));
      res.writeHead(200, {
        ...headers,
        "Content-Type": TYPES[ext] ?? "application/octet-stream",
        "Content-Length": body.length,
      });
      res.end(req.method === "HEAD" ? undefined : body);
    } catch (e) {
      log(`server: 404 ${req.url} (${e instanceof Error ? e.message : e})`);
      if (!res.headersSent) res.writeHead(404, { ...headers, "Content-Type": "text/plain" });
      res.end("not found\n");
    }
  });
  return new Promise((resolvePromise, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      resolvePromise({
        url: `http://127.0.0.1:${port}/`,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections?.();
            server.close(() => done());
          }),
      });
    });
  });
}
