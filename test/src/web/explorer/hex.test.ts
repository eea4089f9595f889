import { describe, expect, test } from "vitest";
import { bytesToHex, parseHexBytes } from "../../../../src/web/explorer/hex.js";

describe("hex", () => {
  test("bytes → hex → bytes, with or without separators", () => {
    const bytes = Uint8Array.from([0x9a, 0x00, 0xff, 0x0b]);
    expect(bytesToHex(bytes)).toBe("9a00ff0b");
    expect(bytesToHex(bytes, " ")).toBe("9a 00 ff 0b");
    expect(parseHexBytes("9A 00\nff  0b", 4, "TQ2_0")).toEqual({ ok: true, bytes });
    expect(parseHexBytes("9a00ff0b", 4, "TQ2_0")).toEqual({ ok: true, bytes });
  });

  test("a bad hex digit is named, with the format", () => {
    const result = parseHexBytes("9a 0g ff 0b", 4, "TQ1_0");
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.startsWith("TQ1_0: ")).toBe(true);
      expect(result.error).toContain("'g'");
      expect(result.error).toContain("hex digit 4");
    }
  });

  test("the wrong length is an error saying how many bytes a block needs", () => {
    const short = parseHexBytes("9a 00 ff", 4, "TQ2_0");
    expect(short.ok === false && short.error).toBe("TQ2_0: a block is 4 bytes (8 hex digits), got 3 bytes");
    const odd = parseHexBytes("9a 00 ff 0", 4, "TQ2_0");
    expect(odd.ok === false && odd.error).toContain("7 hex digits");
    expect(parseHexBytes("", 66, "TQ2_0").ok).toBe(false);
  });
});
