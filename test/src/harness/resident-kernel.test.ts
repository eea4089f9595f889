/**
 * Resident kernels (protocol v1.1): one process answers many cases; a crash, a hang or an answer out
 * of protocol fails that case only and the kernel is restarted; `unsupported` takes exit status 3's path.
 * The kernels are sh loops around the correct C example (examples/kernels/tq2_0_matmul.c), compiled with cc.
 */

import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtinCases, runCheck } from "../../../src/harness/check.js";
import { answerExit, ResidentKernel } from "../../../src/harness/resident-kernel.js";
import { runKernelOnCase, shellQuote } from "../../../src/harness/run-kernel.js";
import { repoFile } from "../cli/harness.js";
import { HAS_CC } from "../../support/toolchain.js";

if (!HAS_CC) console.warn("\n*** test/src/harness/resident-kernel.test.ts: SKIPPED, no C compiler `cc` on PATH ***\n");

const cases = builtinCases("matmul", "tq2_0", { seed: 2 });
const entries = cases.map((kernelCase) => ({ label: kernelCase.label!, kernelCase }));

describe.skipIf(!HAS_CC)("ResidentKernel", () => {
  let dir = "";
  /** A resident sh kernel: for each line, `body` runs with $d the case directory and $k the one-shot C kernel. */
  const residentSh = (name: string, body: string): string => {
    const path = join(dir, `${name}.sh`);
    writeFileSync(path, `k=${shellQuote(join(dir, "tq2_0_matmul"))}\nwhile read -r d; do\n${body}\ndone\n`);
    return `sh ${shellQuote(path)}`;
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "trilm-resident-"));
    execFileSync("cc", ["-O2", "-o", join(dir, "tq2_0_matmul"), repoFile("examples/kernels/tq2_0_matmul.c"), "-lm"]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("runs every case through one process", async () => {
    const kernel = new ResidentKernel(residentSh("ok", `"$k" "$d" && echo ok`), { timeoutS: 20 });
    for (const c of cases) expect(await kernel.runCase(c), c.label).toMatchObject({ passed: true });
    expect(kernel.starts).toBe(1);
    await kernel.close();
  }, 60_000);

  it("reports a case the kernel dies on, restarts it and goes on", async () => {
    const command = residentSh("crash", `grep -q zero-block "$d/case.json" && kill -SEGV $$\n"$k" "$d" && echo ok`);
    const results = await runCheck(command, entries, { timeoutS: 20, resident: true });
    for (const r of results) {
      if (r.label.includes("zero-block"))
        expect(r.verdict, r.label).toMatchObject({
          passed: false,
          reason: expect.stringMatching(/status 139 .*before answering \(resident mode; it is restarted/),
        });
      else expect(r.verdict, r.label).toMatchObject({ passed: true });
    }
    expect(results.filter((r) => r.label.includes("zero-block"))).toHaveLength(2);
  }, 60_000);

  it("fails a hanging case at the timeout and answers the next one", async () => {
    const kernel = new ResidentKernel(
      residentSh("hang", `grep -q 1x1-block "$d/case.json" && sleep 60\n"$k" "$d" && echo ok`),
      {
        timeoutS: 1,
      },
    );
    expect(await kernel.runCase(cases[0]!)).toMatchObject({
      passed: false,
      reason: expect.stringMatching(/timed out after 1 s/),
    });
    expect(await kernel.runCase(cases[4]!)).toMatchObject({ passed: true });
    expect(kernel.starts).toBe(2);
    await kernel.close();
  }, 30_000);

  it("takes `unsupported` through exit status 3's path and `error` as a failure", async () => {
    const command = residentSh(
      "decline",
      `if grep -q '"ggml"' "$d/case.json"; then echo "unsupported ggml activations"; else echo "error no luck"; fi`,
    );
    const results = await runCheck(command, entries, { timeoutS: 20, resident: true });
    const oneShot = await runKernelOnCase("exit 3 #", cases[1]!, { timeoutS: 20 });
    for (const r of results) {
      if (r.label.endsWith("-ggml")) {
        expect(r.verdict, r.label).toMatchObject({
          ...oneShot,
          reason: "unsupported (resident answer: ggml activations)",
        });
      } else expect(r.verdict, r.label).toMatchObject({ passed: false, reason: "the kernel answered error: no luck" });
    }
  }, 60_000);

  it("restarts a kernel that answers out of protocol, and ends it when stdin closes", async () => {
    const kernel = new ResidentKernel(residentSh("chatty", `echo "hello"`), { timeoutS: 20 });
    expect(await kernel.runCase(cases[0]!)).toMatchObject({
      passed: false,
      reason: expect.stringMatching(/answered 'hello', expected ok, unsupported or error/),
    });
    await kernel.runCase(cases[1]!);
    expect(kernel.starts).toBe(2);
    await kernel.close();
  }, 30_000);

  it("parses answer lines", () => {
    expect(answerExit("ok", "")).toMatchObject({ code: 0 });
    expect(answerExit("unsupported", "")).toMatchObject({ code: 3, reason: "unsupported (resident answer)" });
    expect(answerExit("error boom", "")).toMatchObject({ code: 1, reason: "the kernel answered error: boom" });
    expect(answerExit("okay", "").reason).toMatch(/answered 'okay'/);
  });
});
