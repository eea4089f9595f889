/**
 * The differential suite (test/differential, spec/tolerances.md) for tfjs-cpu and tfjs-wasm in Node.
 * The seed is printed; FC_SEED overrides it, FC_NUM_RUNS the cases per op.
 */

import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTfjsBackend } from "../../../accelerated/tfjs/index.js";
import type { Backend } from "../../../src/backend/backend.js";
import { createReferenceBackend } from "../../../src/backend/reference-backend.js";
import { runDifferentialSuite } from "../../differential/index.js";

const seed =
  process.env.FC_SEED !== undefined && process.env.FC_SEED !== ""
    ? Number(process.env.FC_SEED)
    : Math.floor(Math.random() * 0x7fffffff);
const numRuns =
  process.env.FC_NUM_RUNS !== undefined && process.env.FC_NUM_RUNS !== "" ? Number(process.env.FC_NUM_RUNS) : 60;
const embeddedModel = new Uint8Array(
  readFileSync(new URL("../../../golden/models/trilm-tiny-tq2_0.gguf", import.meta.url)),
);

for (const kind of ["cpu", "wasm"] as const) {
  describe(`differential suite: tfjs-${kind}`, () => {
    let candidate: Backend;
    beforeAll(async () => {
      candidate = await createTfjsBackend(kind);
    });
    afterAll(() => candidate.dispose());

    it(`every op and the whole model agree with the reference (seed=${seed})`, async () => {
      process.stdout.write(
        `[fast-check] differential tfjs-${kind} seed=${seed} (replay: FC_SEED=${seed} npx vitest run test/accelerated/tfjs)\n`,
      );
      const result = await runDifferentialSuite(candidate, createReferenceBackend(), {
        seed,
        numRuns,
        embeddedModel,
        layer99m: kind === "wasm", // the 99m-shaped layer once (the slowest check), on the backend the CLI uses
        log: (line) => process.stdout.write(`${line}\n`),
      });
      expect(result.failures).toEqual([]);
      expect(result.passed).toBeGreaterThan(0);
    });
  });
}
