/**
 * Browser: the compiled engine module fetched from a URL (the page's build emits build/engine.wasm as an asset and
 * hands its URL in; node-engine.ts is the Node way). Compiled with the asynchronous WebAssembly.compile: browsers limit
 * synchronous compilation on a page's main thread. The caller makes the engine with createEngine (engine.ts).
 */

/** Fetch and compile the engine module at `url`; a one-line Error naming the URL and the command where it is missing. */
export async function fetchEngineModule(url: string): Promise<WebAssembly.Module> {
  const response = await fetch(url);
  if (!response.ok)
    throw new Error(
      `packed-wasm: ${url}: HTTP ${response.status} (the page needs build/engine.wasm: npm run build:wasm)`,
    );
  return WebAssembly.compile(await response.arrayBuffer());
}
