/** Codepoint flags: JavaScript's \p categories, llama.cpp's whitespace set (spec/tokenizer.md §3). */
import { expect, test } from "vitest";
import { codepointFlags } from "../../../src/tokenizer/codepoint-flags.js";

test("categories", () => {
  expect(codepointFlags(0x41)).toEqual({ letter: true, number: false, punctuation: false, whitespace: false });
  expect(codepointFlags(0x4f60).letter).toBe(true); // 你
  expect(codepointFlags(0xbd).number).toBe(true); // ½
  expect(codepointFlags(0x3002).punctuation).toBe(true); // 。
  expect(codepointFlags(0x24)).toEqual({ letter: false, number: false, punctuation: false, whitespace: false }); // $ is a symbol
});

test("whitespace is llama.cpp's set, not JavaScript's \\s: U+0085 in, U+FEFF and U+200B out", () => {
  expect(codepointFlags(0x85).whitespace).toBe(true);
  expect(codepointFlags(0xfeff).whitespace).toBe(false);
  expect(codepointFlags(0x200b).whitespace).toBe(false);
  expect(codepointFlags(0x3000).whitespace).toBe(true);
});
