/**
 * A block's bytes as hex text, and the reader's edited hex parsed back into bytes.
 * Pure: no DOM, no Node APIs.
 */

/** Parsed hex: the bytes. */
export interface ParsedHex {
  readonly ok: true;
  readonly bytes: Uint8Array;
}

/** Why the hex is not a block: one line. */
export interface HexError {
  readonly ok: false;
  readonly error: string;
}

/** Lowercase hex of the bytes, two digits each, joined by `separator` ("" → `9aa20a…`). */
export function bytesToHex(bytes: Uint8Array, separator: string = ""): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(separator);
}

/**
 * Parse hex text (any whitespace between bytes, or none; upper or lower case) into exactly
 * `expectedBytes` bytes. A character that is not a hex digit, or the wrong number of digits, gives
 * a one-line error starting with `formatName`.
 */
export function parseHexBytes(text: string, expectedBytes: number, formatName: string): ParsedHex | HexError {
  const digits = text.replace(/\s+/g, "");
  const bad = /[^0-9a-f]/i.exec(digits);
  if (bad !== null) {
    return { ok: false, error: `${formatName}: '${bad[0]}' (hex digit ${bad.index + 1}) is not a hex digit 0-9 / a-f` };
  }
  if (digits.length !== 2 * expectedBytes) {
    const got = digits.length % 2 === 0 ? `${digits.length / 2} bytes` : `${digits.length} hex digits (an odd number)`;
    return {
      ok: false,
      error: `${formatName}: a block is ${expectedBytes} bytes (${2 * expectedBytes} hex digits), got ${got}`,
    };
  }
  const bytes = new Uint8Array(expectedBytes);
  for (let i = 0; i < expectedBytes; i++) bytes[i] = parseInt(digits.slice(2 * i, 2 * i + 2), 16);
  return { ok: true, bytes };
}
