/**
 * The bitnet.cpp-dialect seed (spec/bitnet.md §1, spec/gguf.md §9): it is laid out as the converter
 * writes one, reads back in the bitnet.cpp dialect, and the GGUF fuzzer's mutations of it (type ids
 * 36–42, offsets, the architecture string) end in an InputError or a file that rewrites byte for byte.
 */

import { describe, expect, it } from "vitest";
import { runFuzz } from "../../../src/fuzz/engine.js";
import { bitnetCppSeedFile } from "../../../src/fuzz/bitnet-cpp-seed.js";
import { buildSeeds } from "../../../src/fuzz/seeds.js";
import { fuzzTargets } from "../../../src/fuzz/targets.js";
import { parseGguf, serializeGguf } from "../../../src/gguf/index.js";

const RUNS = 1500;
const fromEnv = process.env.FUZZ_SEED ?? process.env.FC_SEED;
const SEED = (fromEnv === undefined ? Math.floor(Math.random() * 0x100000000) : Number(fromEnv)) >>> 0;

describe("bitnetCppSeedFile", () => {
  it("holds I2_S, TL1 and TL2 tensors sized by the fork's ggml_nbytes, each scale at the start of its last 32 bytes", () => {
    const file = bitnetCppSeedFile();
    expect(file.tensors.map((t) => `${t.name} ${t.byteSize}`)).toEqual([
      "blk.0.attn_q.weight 160",
      "blk.0.ffn_up.weight 160",
      "blk.0.ffn_down.weight 2720",
      "blk.0.attn_norm.weight 512",
    ]);
    const scales = file.tensors
      .slice(0, 3)
      .map((t) => new DataView(t.data.buffer, t.data.byteOffset).getFloat32(t.byteSize - 32, true));
    expect(scales).toEqual([0.5, 0.25, 0.125]);
    expect(file.getUint32("general.file_type")).toBe(40);
    expect(parseGguf(serializeGguf(file), "s.gguf").dialect.dialect).toBe("bitnet.cpp");
  });

  it(`the GGUF fuzzer survives ${RUNS} mutations of the bitnet.cpp seeds (FUZZ_SEED=${SEED})`, () => {
    console.log(`bitnet.cpp seed fuzzing: FUZZ_SEED=${SEED}`);
    const all = buildSeeds();
    const bitnet = all.gguf.slice(-2);
    expect(bitnet.map((bytes) => parseGguf(bytes, "seed").dialect.dialect)).toEqual(["bitnet.cpp", "bitnet.cpp"]);
    const [gguf] = fuzzTargets({ ...all, gguf: bitnet, manifest: [], caseJson: [] });
    const report = runFuzz([gguf], {
      seed: SEED,
      runs: RUNS,
      now: () => performance.now(),
      memory: () => process.memoryUsage().heapUsed,
    });
    expect(report.failures.map((f) => `FUZZ_SEED=${f.seed} index ${f.index} (${f.description}): ${f.problem}`)).toEqual(
      [],
    );
    expect(report.counts.gguf.accepted).toBeGreaterThan(0);
    expect(report.counts.gguf.rejected).toBeGreaterThan(0);
  }, 120_000);
});
