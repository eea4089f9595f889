/** The BPE pre-tokenizers as llama.cpp's unicode_regex_split evaluates them (spec/tokenizer.md §5). */
import { expect, test } from "vitest";
import { preTokenize } from "../../../src/tokenizer/pre-tokenize.js";

test("gpt2: contractions (lower case only), optional space + run, whitespace before text", () => {
  expect(preTokenize("I'm here's DON'T", "gpt2")).toEqual(["I", "'m", " here", "'s", " DON", "'", "T"]);
  expect(preTokenize("a   b\t\n", "gpt2")).toEqual(["a", "  ", " b", "\t\n"]);
  expect(preTokenize("x2024 !? 你好", "gpt2")).toEqual(["x", "2024", " !?", " 你好"]);
});

test("default: punctuation runs first, digits in threes, numbers apart from letters", () => {
  expect(preTokenize("a+=b", "default")).toEqual(["a", "+=", "b"]);
  expect(preTokenize("12345", "default")).toEqual(["123", "45"]);
  expect(preTokenize(" 1234567", "default")).toEqual([" ", "123", "456", "7"]);
  expect(preTokenize("`x`", "default")).toEqual(["`", "x", "`"]);
});

test("the empty text has no words", () => {
  expect(preTokenize("", "default")).toEqual([]);
  expect(preTokenize("", "gpt2")).toEqual([]);
});
