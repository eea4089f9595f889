import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runCli } from "../../../src/cli/cli.js";
import type { CliIo } from "../../../src/cli/cli-io.js";
import { expectRefused, repoFile, trilm } from "./harness.js";

const COMMANDS = [
  "encode",
  "decode",
  "quantize",
  "inspect",
  "explain",
  "run",
  "perplexity",
  "make-model",
  "convert",
  "bench",
];

describe("trilm", () => {
  it("--version prints the version in package.json", async () => {
    const { version } = JSON.parse(readFileSync(repoFile("package.json"), "utf8")) as { version: string };
    expect(await trilm("--version")).toEqual({ code: 0, stdout: `${version}\n`, stderr: "" });
  });

  it("--help lists every command, with examples", async () => {
    const result = await trilm("--help");
    expect(result.code).toBe(0);
    for (const command of COMMANDS) expect(result.stdout).toMatch(new RegExp(`^  ${command} `, "m"));
    expect(result.stdout).toContain("Examples:");
  });

  it.each(COMMANDS)("%s --help explains the command with an example", async (command) => {
    const result = await trilm(command, "--help");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Usage: trilm ${command} `);
    expect(result.stdout).toContain(`$ trilm ${command}`);
  });

  it.each([["help"], ["help", "decode"]])("%s prints help on stdout and exits 0", async (...args) => {
    const result = await trilm(...args);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout).toContain("Usage: trilm");
  });

  it("without a command prints the help on stderr and exits 2", async () => {
    const result = await trilm();
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Usage: trilm");
  });

  it("an unknown command is one line, exit 2", async () => {
    expectRefused(await trilm("frobnicate"), undefined, "unknown command 'frobnicate'");
  });

  it("an unknown option is one line, exit 2", async () => {
    expectRefused(await trilm("inspect", "x.gguf", "--colour"), undefined, "unknown option '--colour'");
  });

  it("a missing argument is one line, exit 2", async () => {
    expectRefused(await trilm("encode", "tq2_0"), undefined, "missing required argument 'input'");
  });

  it("too many arguments is one line, exit 2", async () => {
    expectRefused(await trilm("inspect", "a.gguf", "b.gguf"), undefined, "too many arguments for 'inspect'");
  });
});

describe("internal errors", () => {
  /** Run with a stdout that fails: an unexpected condition, not the user's fault. */
  async function runWithBrokenStdout(args: string[]): Promise<{ code: number; stderr: string }> {
    let stderr = "";
    const io: CliIo = {
      stdout: {
        write: () => {
          throw new Error("stdout is broken");
        },
      },
      stderr: { write: (text) => (stderr += text) },
    };
    const code = await runCli(args, io);
    return { code, stderr };
  }

  it("are one line and exit 70, without a stack trace", async () => {
    const result = await runWithBrokenStdout(["explain"]);
    expect(result).toEqual({ code: 70, stderr: "trilm: internal error: stdout is broken\n" });
  });

  it("show the stack trace with --debug", async () => {
    const result = await runWithBrokenStdout(["--debug", "explain"]);
    expect(result.code).toBe(70);
    const [first, ...rest] = result.stderr.trimEnd().split("\n");
    expect(first).toBe("trilm: internal error: stdout is broken");
    expect(rest[0]).toBe("Error: stdout is broken");
    expect(rest.slice(1).every((line) => /^\s+at /.test(line))).toBe(true);
    expect(rest.length).toBeGreaterThan(1);
  });

  it("--debug also works after the command", async () => {
    const result = await runWithBrokenStdout(["explain", "--debug"]);
    expect(result.stderr).toMatch(/^\s+at /m);
  });
});
