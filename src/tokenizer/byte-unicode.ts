/**
 * GPT-2's byte-to-unicode map: every byte 0–255 as one printable codepoint, so that BPE merges
 * work on text. Built from its definition (spec/tokenizer.md §4), not pasted as a table.
 */

/** Bytes that stand for themselves: '!'–'~', '¡'–'¬', '®'–'ÿ'. */
function selfMapped(byte: number): boolean {
  return (byte >= 0x21 && byte <= 0x7e) || (byte >= 0xa1 && byte <= 0xac) || (byte >= 0xae && byte <= 0xff);
}

/**
 * byteToUnicode[b]: the codepoint that stands for byte b. Self-mapped bytes keep their value; the
 * other 68 bytes, in increasing order, take 256, 257, … Spec §4.
 */
function buildByteToUnicode(): readonly string[] {
  const map: string[] = [];
  let next = 256;
  for (let byte = 0; byte < 256; byte++) {
    map.push(String.fromCodePoint(selfMapped(byte) ? byte : next++));
  }
  return map;
}

/** The codepoint (as a one-character string) that stands for each byte 0–255. */
export const BYTE_TO_UNICODE: readonly string[] = buildByteToUnicode();

/** The inverse of BYTE_TO_UNICODE: codepoint → byte. */
export const UNICODE_TO_BYTE: ReadonlyMap<number, number> = new Map(
  BYTE_TO_UNICODE.map((ch, byte) => [ch.codePointAt(0) ?? 0, byte]),
);

const UTF8 = new TextEncoder();

/** `text`'s UTF-8 bytes, each written as its BYTE_TO_UNICODE codepoint (llama.cpp unicode_byte_encoding_process). */
export function byteEncode(text: string): string {
  let out = "";
  for (const byte of UTF8.encode(text)) out += BYTE_TO_UNICODE[byte];
  return out;
}
