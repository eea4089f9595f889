/** `npm run bench` options: defaults, lists kept in canonical order, values after `=` or as the next argument, one-line errors. */
import { describe, expect, test } from "vitest";
import { BENCH_PARTS, BENCH_PRESETS, DEFAULT_BENCH_THREADS, parseBenchArguments } from "../../../src/bench/options.js";
import { NODE_BACKEND_NAMES } from "../../../src/backend/registry.js";
import { UsageError } from "../../../src/errors.js";

describe("parseBenchArguments", () => {
  test("defaults: every part, preset and backend, threads 1 and 2, no model folder, bandwidth measured", () => {
    expect(parseBenchArguments([])).toEqual({
      json: false,
      parts: BENCH_PARTS,
      presets: BENCH_PRESETS,
      presetsChosen: false,
      backends: NODE_BACKEND_NAMES,
      backendsChosen: false,
      threads: DEFAULT_BENCH_THREADS,
    });
    expect(DEFAULT_BENCH_THREADS).toEqual([1, 2]);
  });

  test("selections keep the canonical order and mark what was chosen", () => {
    const options = parseBenchArguments([
      "--only",
      "models,matvec",
      "--presets=3.9b,99m",
      "--backends",
      "packed-wasm,reference",
      "--threads",
      "2,1,2",
      "--model-dir",
      "/tmp/models",
      "--bandwidth-gbs=20.5",
      "--json",
    ]);
    expect(options).toEqual({
      json: true,
      parts: ["matvec", "models"],
      presets: ["99m", "3.9b"],
      presetsChosen: true,
      backends: ["reference", "packed-wasm"],
      backendsChosen: true,
      threads: [1, 2],
      modelDir: "/tmp/models",
      bandwidthGbs: 20.5,
    });
  });

  test("--help and -h ask for the usage", () => {
    expect(parseBenchArguments(["--only", "codecs", "--help"])).toBe("help");
    expect(parseBenchArguments(["-h"])).toBe("help");
  });

  test.each([
    [["--fast"], "bench: unknown argument '--fast'"],
    [["--only", "codecs,speed"], "bench: --only 'speed' is not one of codecs, matvec, models"],
    [["--presets", "7b"], "bench: --presets '7b' is not one of tiny, 99m, 1.1b, 3.9b"],
    [["--backends", "webgpu"], `bench: --backends 'webgpu' is not one of ${NODE_BACKEND_NAMES.join(", ")}`],
    [["--threads", "0"], "bench: --threads '0' is not a whole number from 1 to 64"],
    [["--threads", "1.5"], "bench: --threads '1.5' is not a whole number from 1 to 64"],
    [["--bandwidth-gbs", "-3"], "bench: --bandwidth-gbs '-3' is not a positive number"],
    [["--bandwidth-gbs="], "bench: --bandwidth-gbs '' is not a positive number"],
    [["--model-dir"], "bench: --model-dir needs a value"],
  ])("%j is refused: %s", (args, message) => {
    expect(() => parseBenchArguments(args)).toThrow(new UsageError(message));
  });
});
