// consumer.mjs: what a project that installed trilm-oracle does with its public API. Copied into
// the installed project by test/package/install.test.ts and run there with plain Node; prints one
// JSON object the test compares with the same computations done from the sources.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import * as root from "trilm-oracle";
import {
  BackendUnavailableError,
  createBackend,
  createBackendSession,
  NODE_BACKEND_NAMES,
} from "trilm-oracle/backends";
import { dequantizeRow, GgmlType, quantizeRow } from "trilm-oracle/codec";
import { parseGguf, readGgufFile, serializeGguf } from "trilm-oracle/gguf";
import { checkKernel } from "trilm-oracle/harness";
import { DEFAULT_PROMPT, embeddedModelPath, loadModel } from "trilm-oracle/model";
import { argmax, createForwardState, forward } from "trilm-oracle/reference";
import { nmse } from "trilm-oracle/tolerances";

const sha256 = (array) => createHash("sha256").update(new Uint8Array(array.buffer)).digest("hex");

// reference + model: the embedded model on the default prompt, token by token.
const { config, weights } = loadModel(embeddedModelPath());
const options = { activations: "f32", kvCache: "f32" };
const state = createForwardState(config, weights, options);
const logits = DEFAULT_PROMPT.map((token, pos) => forward(state, token, pos));

// backends: the same positions on the reference backend; the accelerated ones are not installed.
const session = createBackendSession(config, weights, await createBackend("reference"), options);
const backendLogits = DEFAULT_PROMPT.map((token, pos) => session.step(token, pos));
const unavailable = {};
for (const name of NODE_BACKEND_NAMES.filter((n) => n !== "reference")) {
  try {
    await createBackend(name);
    unavailable[name] = "created";
  } catch (error) {
    unavailable[name] = error instanceof BackendUnavailableError ? error.packageName : String(error);
  }
}

// codec: one TQ2_0 row there and back.
const row = Float32Array.from({ length: 256 }, (_, i) => ((i % 3) - 1) * 0.5);
const packed = quantizeRow(GgmlType.TQ2_0, row);

// gguf: the embedded model file read strictly and written back byte for byte.
const file = readGgufFile(embeddedModelPath());
const rewritten = serializeGguf(file);
const reparsed = parseGguf(rewritten, "rewritten");

// harness: a correct JavaScript kernel passes.
const kernel = (c) => {
  const w = dequantizeRow(c.format === "tq2_0" ? GgmlType.TQ2_0 : GgmlType.TQ1_0, c.weight, c.rows * c.cols);
  const y = new Float32Array(c.batch * c.rows);
  for (let b = 0; b < c.batch; b++)
    for (let r = 0; r < c.rows; r++)
      for (let k = 0; k < c.cols; k++) y[b * c.rows + r] += c.x[b * c.cols + k] * w[r * c.cols + k];
  return y;
};
const checked = await checkKernel(kernel, { format: "tq2_0", runs: 5, seed: 1 });

console.log(
  JSON.stringify({
    argmax: logits.map(argmax),
    logitsSha256: logits.map(sha256),
    backendNmse: nmse(backendLogits, logits),
    unavailable,
    tq2RoundTrip: Array.from(dequantizeRow(GgmlType.TQ2_0, packed, 256)).every((v, i) => v === row[i]),
    ggufTensors: [file.tensors.length, reparsed.tensors.length],
    ggufRewriteIdentical: Buffer.compare(Buffer.from(rewritten), readFileSync(embeddedModelPath())) === 0,
    checkKernelPassed: checked.passed,
    rootExports: ["checkKernel", "dequantizeRow", "InputError", "UsageError"].filter((n) => n in root),
  }),
);
