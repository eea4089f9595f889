/** GPT-2's byte-to-unicode map, from its definition. */
import { expect, test } from "vitest";
import { BYTE_TO_UNICODE, UNICODE_TO_BYTE, byteEncode } from "../../../src/tokenizer/byte-unicode.js";

test("a bijection of the 256 bytes onto single codepoints", () => {
  expect(new Set(BYTE_TO_UNICODE).size).toBe(256);
  BYTE_TO_UNICODE.forEach((ch, byte) => expect(UNICODE_TO_BYTE.get(ch.codePointAt(0) ?? -1)).toBe(byte));
});

test("printable bytes stand for themselves; the other 68 take U+0100… in byte order", () => {
  expect(BYTE_TO_UNICODE[0x21]).toBe("!");
  expect(BYTE_TO_UNICODE[0xff]).toBe("ÿ");
  expect(BYTE_TO_UNICODE[0x00]).toBe("\u0100");
  expect(BYTE_TO_UNICODE[0x20]).toBe("Ġ");
  expect(BYTE_TO_UNICODE[0x0a]).toBe("Ċ");
  expect(BYTE_TO_UNICODE[0xad]).toBe("\u0143");
  expect(Math.max(...BYTE_TO_UNICODE.map((ch) => ch.codePointAt(0) ?? 0))).toBe(0x143);
});

test("byteEncode writes each UTF-8 byte as its codepoint", () => {
  expect(byteEncode(" é\n")).toBe("ĠÃ©Ċ");
});
