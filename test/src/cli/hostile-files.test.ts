/**
 * Every command that reads a file, given hostile files: random bytes, an empty file, a real GGUF
 * cut short at several points, a directory, a GGUF with a flipped header byte, a .npy whose header
 * lies, a bad case.json or manifest.json. Each must exit 2 with exactly one line on stderr naming
 * the file and the problem, no stack trace (with or without --debug), and no output file left.
 */

import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { describe, expect, it } from "vitest";
import { repoFile, trilm, useTempDir, type CliResult } from "./harness.js";

const temp = useTempDir();
const TINY = readFileSync(repoFile("golden/external/llama/tiny-tq2_0.gguf"));

/** `n` deterministic pseudo-random bytes (a 32-bit LCG). */
function randomBytes(n: number, seed = 7): Uint8Array {
  let state = seed >>> 0;
  return Uint8Array.from({ length: n }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state >>> 24;
  });
}

/** A hostile input: how to make it under `path`. */
interface Hostile {
  readonly name: string;
  /** Write the hostile thing at `path`; return the path the error line must name. */
  readonly make: (path: string) => string;
}

function file(name: string, bytes: Uint8Array | string): Hostile {
  return {
    name,
    make: (path) => {
      writeFileSync(path, bytes);
      return path;
    },
  };
}

const directory: Hostile = {
  name: "a directory",
  make: (path) => {
    mkdirSync(path);
    return path;
  },
};

function flipped(offset: number): Uint8Array {
  const bytes = Uint8Array.from(TINY);
  bytes[offset] ^= 0xff;
  return bytes;
}

/** Cut points of the real GGUF: inside the magic, the version, the counts, the KV section, the tensor infos, the data. */
const CUTS = [2, 6, 12, 20, 30, 200, 2000, Math.floor(TINY.length / 2), TINY.length - 1];

const GGUF_HOSTILE: readonly Hostile[] = [
  file("random bytes", randomBytes(4096)),
  file("an empty file", new Uint8Array(0)),
  ...CUTS.map((n) => file(`tiny-tq2_0.gguf cut to ${n} bytes`, TINY.subarray(0, n))),
  directory,
  file("a flipped magic byte", flipped(0)),
  file("a flipped version byte", flipped(4)),
  file("a flipped tensor-count byte", flipped(15)),
  file("a flipped KV-count byte", flipped(23)),
];

/** A .npy header claiming [1024, 256] float32 with 512 bytes of data. */
function lyingNpy(): Uint8Array {
  let header = "{'descr': '<f4', 'fortran_order': False, 'shape': (1024, 256), }";
  while ((10 + header.length + 1) % 64 !== 0) header += " ";
  header += "\n";
  const bytes = new Uint8Array(10 + header.length + 512);
  bytes.set([0x93, ...Buffer.from("NUMPY"), 1, 0, header.length & 0xff, header.length >> 8], 0);
  bytes.set(Buffer.from(header, "latin1"), 10);
  return bytes;
}

/** A .npy header claiming a shape of 2^40 elements. */
function hugeNpy(): Uint8Array {
  let header = "{'descr': '<f4', 'fortran_order': False, 'shape': (1099511627776, 256), }";
  while ((10 + header.length + 1) % 64 !== 0) header += " ";
  header += "\n";
  const bytes = new Uint8Array(10 + header.length + 1024);
  bytes.set([0x93, ...Buffer.from("NUMPY"), 1, 0, header.length & 0xff, header.length >> 8], 0);
  bytes.set(Buffer.from(header, "latin1"), 10);
  return bytes;
}

const NPY_HOSTILE: readonly Hostile[] = [
  file("random bytes", randomBytes(4096)),
  file("an empty file", new Uint8Array(0)),
  directory,
  file("a .npy header that lies about its shape", lyingNpy()),
  file("a .npy header claiming 2^48 values", hugeNpy()),
  file("a .npy cut inside its header", lyingNpy().subarray(0, 40)),
];

/** The common checks: exit 2, one line naming `named` (or its folder's file), no stack, no output file. */
function expectOneLine(result: CliResult, named: string, output?: string): void {
  const context = `stderr: ${JSON.stringify(result.stderr)}`;
  expect(result.code, context).toBe(2);
  expect(result.stderr.endsWith("\n"), context).toBe(true);
  expect(result.stderr.trimEnd().split("\n"), context).toHaveLength(1);
  expect(result.stderr, context).toMatch(/^trilm: /);
  expect(result.stderr, context).toContain(named);
  expect(
    result.stderr
      .replace(/^trilm: /, "")
      .replace(named, "")
      .replace(/^[:\s]+/, "").length,
    context,
  ).toBeGreaterThan(5);
  expect(result.stderr, context).not.toMatch(/^\s+at /m);
  expect(result.stderr, context).not.toMatch(/internal error/);
  if (output !== undefined) {
    expect(existsSync(output), `${output} left behind`).toBe(false);
    expect(
      readdirSync(dirname(output)).filter((n) => n.includes(".tmp") || n.startsWith(".")),
      "temp files left",
    ).toEqual([]);
  }
}

/** Run `args(path)` on each hostile input, also under --debug (the same one line: not an internal error). */
function eachHostile(
  inputs: readonly Hostile[],
  ext: string,
  args: (input: string, out: string) => string[],
  withOutput: boolean,
): void {
  it.each(inputs.map((h) => [h.name, h] as const))("%s", async (_name, hostile) => {
    const named = hostile.make(temp(`input${ext}`));
    const out = temp(`out${withOutput ? ".out" : ""}`);
    const result = await trilm(...args(named, out));
    expectOneLine(result, named, withOutput ? out : undefined);
    const debug = await trilm("--debug", ...args(named, out));
    if (process.env.HOSTILE_LOG !== undefined)
      console.log(`HOSTILE ${args(named, out)[0]} | ${hostile.name} | ${result.stderr.trim()}`);
    expect(debug).toEqual(result);
  });
}

describe("encode", () => {
  eachHostile(NPY_HOSTILE, ".npy", (input, out) => ["encode", "tq2_0", input, out], true);
  eachHostile(
    [file("random bytes, not whole floats", randomBytes(1027)), file("an empty file", new Uint8Array(0)), directory],
    ".f32",
    (input, out) => ["encode", "tq1_0", input, out],
    true,
  );
});

describe("decode", () => {
  eachHostile(
    [file("random bytes, not whole blocks", randomBytes(1000)), file("an empty file", new Uint8Array(0)), directory],
    ".bin",
    (input, out) => ["decode", "tq2_0", input, `${out}.npy`],
    false,
  );
});

describe("quantize", () => {
  eachHostile(GGUF_HOSTILE, ".gguf", (input, out) => ["quantize", input, out, "tq2_0"], true);
});

describe("inspect", () => {
  eachHostile(GGUF_HOSTILE, ".gguf", (input) => ["inspect", input], false);
});

describe("run", () => {
  eachHostile(GGUF_HOSTILE, ".gguf", (input, out) => ["run", input, "--tokens", "1,2", "--logits", out], true);
});

describe("perplexity", () => {
  describe("hostile model", () => {
    eachHostile(
      GGUF_HOSTILE,
      ".gguf",
      (input, out) => {
        writeFileSync(`${out}.tokens`, "1 2 3 4 5 6 7 8");
        return ["perplexity", input, "--tokens-file", `${out}.tokens`];
      },
      false,
    );
  });
  describe("hostile tokens file", () => {
    eachHostile(
      [
        file("random bytes", randomBytes(4096)),
        file("an empty file", ""),
        directory,
        file("a negative id", "1 2 -3 4"),
        file("an id past 2^53", "1 2 99999999999999999999 4"),
      ],
      ".txt",
      (input) => ["perplexity", repoFile("golden/external/llama/tiny-tq2_0.gguf"), "--tokens-file", input],
      false,
    );
  });
});

describe("convert", () => {
  const hf = (configJson: string | Uint8Array, safetensors?: Uint8Array): Hostile => ({
    name: "",
    make: (path) => {
      mkdirSync(path);
      writeFileSync(`${path}/config.json`, configJson);
      if (safetensors !== undefined) writeFileSync(`${path}/model.safetensors`, safetensors);
      return path;
    },
  });
  const config = JSON.stringify({
    architectures: ["LlamaForCausalLM"],
    hidden_size: 256,
    intermediate_size: 512,
    num_attention_heads: 2,
    num_hidden_layers: 1,
    num_key_value_heads: 2,
    vocab_size: 32,
    max_position_embeddings: 64,
    rms_norm_eps: 1e-5,
  });
  const inputs: Hostile[] = [
    file("a file, not a folder", randomBytes(4096)),
    file("an empty file", new Uint8Array(0)),
    { name: "an empty folder", make: (path) => (mkdirSync(path), path) },
    {
      ...hf(randomBytes(300)),
      name: "config.json of random bytes",
      make: (path) => (hf(randomBytes(300)).make(path), `${path}/config.json`),
    },
    { name: "an empty config.json", make: (path) => (hf("").make(path), `${path}/config.json`) },
    {
      name: "config.json a JSON array beside a random model.safetensors",
      make: (path) => (hf("[1,2]", randomBytes(64)).make(path), `${path}/`),
    },
    {
      name: "model.safetensors of random bytes",
      make: (path) => (hf(config, randomBytes(4096)).make(path), `${path}/model.safetensors`),
    },
    {
      name: "an empty model.safetensors",
      make: (path) => (hf(config, new Uint8Array(0)).make(path), `${path}/model.safetensors`),
    },
    {
      name: "model.safetensors a directory",
      make: (path) => (hf(config).make(path), mkdirSync(`${path}/model.safetensors`), `${path}/model.safetensors`),
    },
  ];
  eachHostile(
    inputs,
    "",
    (input, out) => ["convert", input.replace(/\/(config\.json|model\.safetensors)$/, ""), `${out}.gguf`],
    false,
  );
});

/** A copy of the codecs suite with its manifest.json replaced; names the manifest. */
function suiteWith(manifest: Uint8Array | string): Hostile {
  return {
    name: "",
    make: (path) => {
      cpSync(repoFile("golden/suites/codecs"), path, { recursive: true });
      writeFileSync(`${path}/manifest.json`, manifest);
      return `${path}/manifest.json`;
    },
  };
}

const MANIFESTS: readonly [string, Uint8Array | string][] = [
  ["manifest.json of random bytes", randomBytes(2048)],
  ["an empty manifest.json", ""],
  ["manifest.json cut in half", readFileSync(repoFile("golden/suites/codecs/manifest.json")).subarray(0, 1000)],
  ["manifest.json a JSON number", "42"],
  [
    "manifest.json with a test whose file is ../../etc/passwd",
    readFileSync(repoFile("golden/suites/codecs/manifest.json"), "utf8").replace(
      "tc0001/w.npy",
      "../../../../etc/passwd",
    ),
  ],
  [
    "manifest.json with numberOfTests a string",
    readFileSync(repoFile("golden/suites/codecs/manifest.json"), "utf8").replace(
      /"numberOfTests": \d+/,
      '"numberOfTests": "many"',
    ),
  ],
];

describe("golden verify", () => {
  eachHostile(
    MANIFESTS.map(([name, bytes]) => ({ ...suiteWith(bytes), name })),
    "",
    (input) => ["golden", "verify", dirname(input)],
    false,
  );
  eachHostile(
    [
      file("a file, not a folder", randomBytes(100)),
      { name: "an empty folder", make: (path) => (mkdirSync(path), path) },
    ],
    "",
    (input) => ["golden", "verify", input],
    false,
  );
});

describe("check --suite", () => {
  eachHostile(
    MANIFESTS.map(([name, bytes]) => ({ ...suiteWith(bytes), name })),
    "",
    (input) => ["check", "--kernel", "false", "--suite", dirname(input)],
    false,
  );
});

describe("check --case", () => {
  const caseWith = (name: string, caseJson: Uint8Array | string | undefined): Hostile => ({
    name,
    make: (path) => {
      mkdirSync(path);
      if (caseJson !== undefined) writeFileSync(`${path}/case.json`, caseJson);
      return `${path}/case.json`;
    },
  });
  const inputs: Hostile[] = [
    caseWith("case.json of random bytes", randomBytes(1000)),
    caseWith("an empty case.json", ""),
    caseWith("no case.json", undefined),
    caseWith("case.json a JSON string", '"matmul"'),
    caseWith("case.json with an unknown op", JSON.stringify({ protocol: 1, op: "conv", format: "tq2_0" })),
    caseWith(
      "case.json naming inputs that are missing",
      JSON.stringify({ protocol: 1, op: "matmul", format: "tq2_0", rows: 1, cols: 256, batch: 1, activations: "f32" }),
    ),
  ];
  eachHostile(inputs, "", (input) => ["check", "--kernel", "false", "--case", dirname(input)], false);
  eachHostile(
    [file("a file, not a folder", randomBytes(100))],
    "",
    (input) => ["check", "--kernel", "false", "--case", input],
    false,
  );
});
