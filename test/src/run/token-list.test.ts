/** `--tokens` lists: ids separated by commas and/or white space, refusals naming the option. */
import { describe, expect, test } from "vitest";
import { UsageError } from "../../../src/errors.js";
import { parseTokenList } from "../../../src/run/token-list.js";

describe("parseTokenList", () => {
  test("ids separated by commas and/or white space", () => {
    expect(parseTokenList("1,17 300,\t42", "--tokens")).toEqual([1, 17, 300, 42]);
    expect(parseTokenList(" 0 ", "--tokens")).toEqual([0]);
  });

  test("an empty list or a part that is not a non-negative integer is a UsageError naming the option", () => {
    expect(() => parseTokenList(" , ", "--tokens")).toThrow(
      new UsageError("--tokens: no token ids given (expected e.g. --tokens 1,17,300)"),
    );
    expect(() => parseTokenList("1,-2", "--tokens")).toThrow(
      new UsageError("--tokens: '-2' is not a token id (a non-negative integer)"),
    );
    expect(() => parseTokenList("1.5", "--prompt")).toThrow(/^--prompt: '1.5' is not a token id/);
    expect(() => parseTokenList("99999999999999999999", "--tokens")).toThrow(UsageError);
  });
});
