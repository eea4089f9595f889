/** Token-id files for `trilm perplexity`: parsing, UTF-8, and the vocabulary check, each naming file and line. */
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { InputError } from "../../../src/errors.js";
import { checkTokensInVocabulary, parseTokensText, readTokensFile } from "../../../src/model/tokens-file.js";

describe("parseTokensText", () => {
  test("ids separated by white space and/or commas, on any number of lines, with their lines", () => {
    expect(parseTokensText("1, 2 3\r\n\n4,5,\n", "ids.txt")).toEqual([
      { id: 1, line: 1 },
      { id: 2, line: 1 },
      { id: 3, line: 1 },
      { id: 4, line: 3 },
      { id: 5, line: 3 },
    ]);
  });

  test("anything but a non-negative integer is an InputError naming the file and the line", () => {
    expect(() => parseTokensText("1 2\n3 -4", "ids.txt")).toThrow(
      new InputError("ids.txt", 'line 2: "-4" is not a token id (a non-negative integer)'),
    );
    expect(() => parseTokensText("9".repeat(30), "ids.txt")).toThrow(/line 1: "9{20}…" is not a token id/);
    expect(() => parseTokensText(" \n,\n", "ids.txt")).toThrow(new InputError("ids.txt", "contains no token ids"));
  });
});

describe("readTokensFile", () => {
  const dir = mkdtempSync(join(tmpdir(), "trilm-tokens-"));

  test("reads UTF-8 text", () => {
    const path = join(dir, "ok.txt");
    writeFileSync(path, "7 8\n9\n");
    expect(readTokensFile(path).map((t) => t.id)).toEqual([7, 8, 9]);
  });

  test("refuses bytes that are not UTF-8", () => {
    const path = join(dir, "bad.txt");
    writeFileSync(path, Uint8Array.from([0x31, 0x20, 0xff]));
    expect(() => readTokensFile(path)).toThrow(/is not UTF-8 text/);
  });
});

describe("checkTokensInVocabulary", () => {
  test("names the first id outside the vocabulary and its line", () => {
    const tokens = parseTokensText("1 2\n64 70", "ids.txt");
    expect(() => checkTokensInVocabulary(tokens, 64, "ids.txt")).toThrow(
      new InputError("ids.txt", "line 2: token id 64 is out of range: the model's vocabulary has 64 tokens (0..63)"),
    );
    expect(() => checkTokensInVocabulary(tokens, 71, "ids.txt")).not.toThrow();
  });
});
