import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InputError } from "../../../src/errors.js";
import {
  formatCaseJsonIn,
  positiveInteger,
  readCaseFile,
  readCaseFileOfSize,
  readCaseFileText,
  readCaseFileTextNamingCode,
} from "../../../src/harness/format-case-json.js";

let dir = "";
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "trilm-format-case-json-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const parse = (value: unknown): { format: string } => {
  if ((value as { bad?: boolean }).bad === true) throw new Error("is bad");
  return value as { format: string };
};

describe("reading case files", () => {
  it("reads bytes and text; a missing file is an InputError, worded by reader", () => {
    writeFileSync(join(dir, "a"), "héllo");
    expect(readCaseFileText(join(dir, "a"))).toBe("héllo");
    expect(readCaseFile(join(dir, "a")).length).toBe(6);
    expect(() => readCaseFile(join(dir, "missing"))).toThrow(InputError);
    expect(() => readCaseFile(join(dir, "missing"))).toThrow(/no such file/);
    expect(() => readCaseFileTextNamingCode(join(dir, "missing"))).toThrow(/cannot be read \(ENOENT\)/);
    expect(readCaseFileOfSize(join(dir, "a"), 6).length).toBe(6);
    expect(() => readCaseFileOfSize(join(dir, "a"), 5)).toThrow(/is 6 bytes, expected 5/);
  });
});

describe("formatCaseJsonIn", () => {
  for (const reader of [readCaseFileText, readCaseFileTextNamingCode])
    it(`tells the format's case.json from others (${reader.name})`, () => {
      const write = (text: string): void => writeFileSync(join(dir, "case.json"), text);
      write(JSON.stringify({ format: "mine" }));
      expect(formatCaseJsonIn(dir, "mine", parse, reader)).toEqual({ format: "mine" });
      expect(formatCaseJsonIn(dir, "other", parse, reader)).toBeUndefined();
      write("not json");
      expect(formatCaseJsonIn(dir, "mine", parse, reader)).toBeUndefined();
      write(JSON.stringify({ format: "mine", bad: true }));
      expect(() => formatCaseJsonIn(dir, "mine", parse, reader)).toThrow(/case\.json.*is bad|is bad/);
      expect(() => formatCaseJsonIn(join(dir, "none"), "mine", parse, reader)).toThrow(InputError);
    });

  it("a directory in case.json's place is an InputError", () => {
    const sub = join(dir, "sub");
    mkdirSync(join(sub, "case.json"), { recursive: true });
    expect(() => formatCaseJsonIn(sub, "mine", parse, readCaseFileTextNamingCode)).toThrow(/cannot be read \(EISDIR\)/);
  });
});

describe("positiveInteger", () => {
  it("takes positive safe integers only", () => {
    expect([1, 7, 2 ** 40].every(positiveInteger)).toBe(true);
    expect([0, -1, 1.5, "2", null, 2 ** 60].some(positiveInteger)).toBe(false);
  });
});
