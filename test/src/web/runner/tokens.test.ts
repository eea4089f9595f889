/** The runner's token-list parsing: separators, bounds, one-line errors. */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { DEFAULT_PROMPT } from "../../../../src/model/default-prompt.js";
import { parseTokenIds } from "../../../../src/web/runner/tokens.js";

const seed = Number(process.env.FC_SEED ?? Math.floor(Math.random() * 2 ** 31));

describe("parseTokenIds", () => {
  test("commas, spaces and both", () => {
    expect(parseTokenIds("1,17, 300 42\t511\n", 512, 64)).toEqual({ ok: true, tokens: [1, 17, 300, 42, 511] });
    expect(parseTokenIds(" ,7,, ", 512, 64)).toEqual({ ok: true, tokens: [7] });
  });
  test("the default prompt as the field shows it", () => {
    expect(parseTokenIds(DEFAULT_PROMPT.join(", "), 512, 64)).toEqual({
      ok: true,
      tokens: [1, 17, 300, 42, 511, 259, 3, 88],
    });
  });
  test.each([
    ["", "no token ids"],
    ["1, x", "'x' is not a token id"],
    ["1.5", "'1.5' is not a token id"],
    ["-3", "'-3' is not a token id"],
    ["1e3", "'1e3' is not a token id"],
    ["512", "512 is outside the vocabulary of 512 tokens"],
    ["99999999999999999999", "is not a token id"],
  ])("refuses %j", (text, message) => {
    const result = parseTokenIds(text, 512, 64);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error).toContain(message);
      expect(result.error).not.toContain("\n");
    }
  });
  test("more tokens than the context", () => {
    const result = parseTokenIds("1 2 3", 512, 2);
    expect(result).toEqual({ ok: false, error: "tokens: 3 tokens are more than the context of 2 positions" });
  });
  test(`any list of ids below the vocabulary round-trips (seed ${seed})`, () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(999), { minLength: 1, maxLength: 20 }),
        fc.constantFrom(",", " ", ", ", " ,\t"),
        (ids, sep) => {
          expect(parseTokenIds(ids.join(sep), 1000, 20)).toEqual({ ok: true, tokens: ids });
        },
      ),
      { seed },
    );
  });
});
