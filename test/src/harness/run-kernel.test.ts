import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { builtinCases } from "../../../src/harness/check.js";
import { caseFailed, type KernelCase } from "../../../src/harness/protocol.js";
import { OUTPUT_CAP_BYTES, runKernelOnCase, runKernelProcess, shellQuote } from "../../../src/harness/run-kernel.js";
import { bundleTestKernel, type TestKernel } from "./kernel-fixture.js";

let kernel: TestKernel;
let scratch = "";
const savedTmp = process.env.TMPDIR;

beforeAll(() => {
  kernel = bundleTestKernel();
});
afterAll(() => kernel.dispose());
beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), "trilm-run-"));
  process.env.TMPDIR = join(scratch, "tmp");
  mkdirSync(process.env.TMPDIR, { recursive: true });
});
afterEach(() => {
  if (savedTmp === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmp;
  rmSync(scratch, { recursive: true, force: true });
});

/** The harness's temp dirs left behind (none expected). */
function leftovers(): string[] {
  return readdirSync(process.env.TMPDIR!).filter((n) => n.startsWith("trilm-case-"));
}

const matmulCases = builtinCases("matmul", "tq2_0", { seed: 3 }).filter((c) => c.label!.includes("4x2-blocks-batch3"));
const [matmulF32, matmulGgml] = matmulCases as [KernelCase, KernelCase];

describe("runKernelOnCase", () => {
  it("passes a correct kernel on every op, format and activation mode, and removes its temp dirs", async () => {
    for (const format of ["tq1_0", "tq2_0"] as const) {
      for (const op of ["matmul", "dequantize", "quantize"] as const) {
        for (const c of builtinCases(op, format, { seed: 5 }).slice(0, 4)) {
          const v = await runKernelOnCase(kernel.command("correct"), c, { timeoutS: 20 });
          expect(v, c.label).toMatchObject({ passed: true });
        }
      }
    }
    expect(leftovers()).toEqual([]);
  }, 60_000);

  it.each([
    ["crash", /exited with status 4 \(stderr: segmentation fault \(pretend\)\)/],
    ["no-output", /exited 0 but wrote no y.npy/],
    ["wrong-shape", /y.npy has shape \(12,\), expected \(3, 4\)/],
    ["wrong-dtype", /dtype '\|u1', expected float32/],
    ["nan", /y\[2,3\] = NaN/],
    ["layout", /out of tolerance/],
  ])(
    "fails a %s kernel with a clear reason and cleans up",
    async (mode, reason) => {
      const v = await runKernelOnCase(kernel.command(mode), matmulGgml, { timeoutS: 20 });
      expect(v.passed).toBe(false);
      expect(v.reason).toMatch(reason);
      expect(leftovers()).toEqual([]);
    },
    30_000,
  );

  it("locates a TQ2_0 layout bug in dequantize at a block, byte and bit", async () => {
    const c = builtinCases("dequantize", "tq2_0", { seed: 1 })[0];
    const v = await runKernelOnCase(kernel.command("layout"), c, { timeoutS: 20 });
    expect(v.passed).toBe(false);
    expect(v.worst).toMatchObject({ block: 0 });
    expect(v.worst?.bit).toBeDefined();
    expect(v.reason).toMatch(/values differ \(bit-exact required\)/);
  }, 30_000);

  it("kills the whole process group of a kernel that hangs", async () => {
    const pidFile = join(scratch, "grandchild.pid");
    process.env.HANG_PID_FILE = pidFile;
    const start = Date.now();
    const v = await runKernelOnCase(kernel.command("hang"), matmulF32, { timeoutS: 1 });
    expect(Date.now() - start).toBeLessThan(10_000);
    expect(v).toMatchObject({
      passed: false,
      reason: expect.stringMatching(/timed out after 1 s; the kernel's process group was killed/),
    });
    const pid = Number(readFileSync(pidFile, "utf8"));
    let alive = true;
    for (let i = 0; i < 50 && alive; i++) {
      try {
        process.kill(pid, 0);
        await new Promise((r) => setTimeout(r, 50));
      } catch {
        alive = false;
      }
    }
    expect(alive).toBe(false);
    expect(leftovers()).toEqual([]);
  }, 30_000);

  it("fails a command that does not exist, and keeps the case directory when asked", async () => {
    const keep = join(scratch, "kept");
    const v = await runKernelOnCase("/nonexistent/kernel", matmulF32, { timeoutS: 5, keepDir: keep });
    expect(v.passed).toBe(false);
    expect(v.reason).toMatch(/exited with status 127/);
    expect(existsSync(join(keep, "case.json"))).toBe(true);
  });

  it("caps what it keeps of a kernel that floods stdout and stderr (megabytes), and still judges its outputs", async () => {
    // 8 MB on stdout, 4 MB on stderr, then the kernel proper (the case directory is appended to it)
    const flood = `head -c 8000000 /dev/zero | tr '\\0' x; head -c 4000000 /dev/zero | tr '\\0' y >&2; `;
    const exit = await runKernelProcess(`${flood}${kernel.command("correct")}`, scratch, 20);
    expect(exit.code).not.toBeNull();
    expect(exit.stdout.length).toBe(OUTPUT_CAP_BYTES);
    expect(exit.stderr.length).toBe(OUTPUT_CAP_BYTES);
    const passed = await runKernelOnCase(`${flood}${kernel.command("correct")}`, matmulF32, { timeoutS: 20 });
    expect(passed).toMatchObject({ passed: true });
    const failed = await runKernelOnCase(`${flood}${kernel.command("nan")}`, matmulF32, { timeoutS: 20 });
    expect(failed.passed).toBe(false);
    expect(failed.reason).toMatch(/NaN/);
    const crashed = await runKernelOnCase(`${flood}exit 4; :`, matmulF32, { timeoutS: 20 });
    expect(crashed.passed).toBe(false);
    expect(crashed.reason!.length).toBeLessThan(400);
    expect(crashed.reason).toMatch(/exited with status 4 \(stderr: y+…\)/);
    // and the next case runs normally
    expect(await runKernelOnCase(kernel.command("correct"), matmulGgml, { timeoutS: 20 })).toMatchObject({
      passed: true,
    });
    expect(leftovers()).toEqual([]);
  }, 60_000);

  it("marks a case the kernel declines with exit status 3 unsupported (skipped, not failed), with its message", async () => {
    const v = await runKernelOnCase(kernel.command("unsupported"), matmulF32, { timeoutS: 20 });
    expect(v).toEqual({
      passed: false,
      unsupported: true,
      reason: "unsupported (exit status 3: kernel: unsupported op: matmul)",
    });
    expect(caseFailed(v)).toBe(false);
    const crashed = await runKernelOnCase(kernel.command("crash"), matmulF32, { timeoutS: 20 });
    expect(crashed.unsupported).toBeUndefined();
    expect(caseFailed(crashed)).toBe(true);
    expect(leftovers()).toEqual([]);
  }, 30_000);

  it("quotes the case directory for the shell", () => {
    expect(shellQuote("a b'c")).toBe(`'a b'\\''c'`);
  });
});
