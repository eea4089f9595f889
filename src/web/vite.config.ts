/**
 * Vite configuration of the teaching page (src/web). `npm run web` builds it into dist-web/ and
 * serves that build with `vite preview`; both the dev server and the preview send COOP/COEP so the
 * page is cross-origin isolated (SharedArrayBuffer, hence tfjs-wasm threads).
 *
 * Two plugins:
 * - `tfjsWasmBinaries` serves (dev) and emits (build) tfjs-backend-wasm's three .wasm files under
 *   /tfjs-wasm/, the prefix the page passes to createTfjsBackend("wasm", { wasmPaths }).
 * - `refuseNodeBuiltins` fails the build when any module of the page imports a Node built-in: the
 *   page must run on the browser-safe modules only (reference/, accelerated/, the pure parts of src/).
 *   The one Node-only module reachable by a dynamic import (accelerated/tfjs/node-wasm-paths.ts,
 *   behind an `isNode` check) is replaced by a module that throws if it is ever called.
 */
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";

const webRoot = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(webRoot, "../..");
const wasmDir = join(repoRoot, "node_modules/@tensorflow/tfjs-backend-wasm/dist");
const WASM_FILES = ["tfjs-backend-wasm.wasm", "tfjs-backend-wasm-simd.wasm", "tfjs-backend-wasm-threaded-simd.wasm"];

/** COOP + COEP: the page is cross-origin isolated (crossOriginIsolated === true). */
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
  "Cross-Origin-Resource-Policy": "same-origin",
};

function tfjsWasmBinaries(): Plugin {
  return {
    name: "trilm-tfjs-wasm-binaries",
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const name = req.url?.startsWith("/tfjs-wasm/") ? req.url.slice("/tfjs-wasm/".length).split("?")[0] : undefined;
        if (name === undefined || !WASM_FILES.includes(name)) return next();
        res.setHeader("Content-Type", "application/wasm");
        for (const [k, v] of Object.entries(ISOLATION_HEADERS)) res.setHeader(k, v);
        res.end(readFileSync(join(wasmDir, name)));
      });
    },
    generateBundle() {
      for (const name of WASM_FILES)
        this.emitFile({ type: "asset", fileName: `tfjs-wasm/${name}`, source: readFileSync(join(wasmDir, name)) });
    },
  };
}

const NODE_ONLY_STUB = "\0trilm-node-only-stub";

function refuseNodeBuiltins(): Plugin {
  return {
    name: "trilm-refuse-node-builtins",
    enforce: "pre",
    resolveId(source, importer) {
      if (source.endsWith("node-wasm-paths.js") && importer?.includes("/accelerated/tfjs/")) return NODE_ONLY_STUB;
      if (source.startsWith("node:")) {
        throw new Error(
          `src/web: ${importer ?? "?"} imports the Node built-in ${source}; the page may only use browser-safe modules`,
        );
      }
      return null;
    },
    load(id) {
      if (id === NODE_ONLY_STUB)
        return `export function nodeWasmPaths() { throw new Error("node-wasm-paths is Node-only; the page passes wasmPaths"); }`;
      return null;
    },
  };
}

export default defineConfig({
  root: webRoot,
  base: "./",
  publicDir: false,
  plugins: [refuseNodeBuiltins(), tfjsWasmBinaries()],
  define: { "process.env.NODE_ENV": JSON.stringify("production") },
  build: {
    outDir: join(repoRoot, "dist-web"),
    emptyOutDir: true,
    target: "es2022",
    chunkSizeWarningLimit: 4096,
    // Not minified: gpu.js compiles kernels from the source text of JavaScript functions (renamed
    // identifiers break its parser: "Unhandled binary expression between Array & LiteralInteger"),
    // and tfjs-wasm's threaded worker is built from its factory's source (minified: "e is not
    // defined"). A teaching page is better read unminified anyway.
    minify: false,
    assetsInlineLimit: 0,
  },
  server: { headers: { ...ISOLATION_HEADERS }, fs: { allow: [repoRoot] }, host: "127.0.0.1" },
  preview: { headers: { ...ISOLATION_HEADERS }, host: "127.0.0.1" },
});
