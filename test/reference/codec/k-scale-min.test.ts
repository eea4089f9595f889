/** reference/codec/k-scale-min.ts: get_scale_min_k4 inverts the packing for every 6-bit scale and min. */
import fc from "fast-check";
import { expect, test } from "vitest";
import { packScaleMinK4, scaleMinK4 } from "../../../reference/codec/index.js";
import { checkProperty } from "../../support/property.js";

test("scaleMinK4(j, packScaleMinK4(ls, lm)) = (ls[j], lm[j]) (property)", () => {
  const sixBits = fc.uint8Array({ min: 0, max: 63, minLength: 8, maxLength: 8 });
  checkProperty(
    "K-quant scale/min packing round trip",
    fc.property(sixBits, sixBits, (ls, lm) => {
      const q = packScaleMinK4(ls, lm);
      for (let j = 0; j < 8; j++) expect(scaleMinK4(j, q)).toEqual({ scale: ls[j], min: lm[j] });
    }),
  );
});

test("the high two bits of sub-blocks 4..7 ride in bits 6..7 of bytes 0..7", () => {
  const ls = Uint8Array.from([0, 0, 0, 0, 0x30, 0, 0, 0]);
  const lm = Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0x21]);
  expect(Array.from(packScaleMinK4(ls, lm))).toEqual([0xc0, 0, 0, 0, 0, 0, 0, 0x80, 0, 0, 0, 0x10]);
});
