import { linkSync, symlinkSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { InputError } from "../../../src/errors.js";
import { refuseOutputOverInput } from "../../../src/cli/output-path.js";
import { useTempDir } from "./harness.js";

const temp = useTempDir();

describe("refuseOutputOverInput", () => {
  it("accepts a different file, existing or not", () => {
    writeFileSync(temp("in"), "x");
    writeFileSync(temp("other"), "x");
    expect(() => refuseOutputOverInput(temp("other"), temp("in"))).not.toThrow();
    expect(() => refuseOutputOverInput(temp("new"), temp("in"))).not.toThrow();
  });

  it.each([
    ["the same path spelled differently", () => `${temp("")}/./in`],
    ["a symbolic link to the input", () => (symlinkSync(temp("in"), temp("link")), temp("link"))],
    ["a hard link to the input", () => (linkSync(temp("in"), temp("hard")), temp("hard"))],
  ])("refuses %s", (_name, output) => {
    writeFileSync(temp("in"), "x");
    const path = output();
    expect(() => refuseOutputOverInput(path, temp("in"))).toThrow(InputError);
  });
});
