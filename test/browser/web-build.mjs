/**
 * Build the teaching page (src/web) with Vite into a directory and serve it with `vite preview`,
 * exactly as `npm run web` does (same config, so the same COOP/COEP headers), on 127.0.0.1 and a
 * free port.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build, preview } from "vite";
import { repoRoot } from "./build.mjs";

const configFile = join(repoRoot, "src/web/vite.config.ts");

/**
 * Build into a fresh temporary directory and serve it; resolves with { url, outDir, ms, close() }.
 * @param {{ log?: (line: string) => void }} options
 */
export async function buildAndServeWeb({ log = () => {} } = {}) {
  const t0 = Date.now();
  const outDir = mkdtempSync(join(tmpdir(), "trilm-web-"));
  await build({ configFile, logLevel: "warn", build: { outDir, emptyOutDir: true } });
  const ms = Date.now() - t0;
  const server = await preview({
    configFile,
    logLevel: "warn",
    build: { outDir },
    preview: { port: 0, strictPort: false, open: false },
  });
  const url = server.resolvedUrls?.local[0];
  if (url === undefined) throw new Error("vite preview did not report a local URL");
  log(`web: built src/web in ${ms} ms into ${outDir}; serving ${url}`);
  return {
    url,
    outDir,
    ms,
    close: async () => {
      await server.close();
      rmSync(outDir, { recursive: true, force: true });
    },
  };
}
