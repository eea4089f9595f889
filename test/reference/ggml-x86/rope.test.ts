/**
 * reference/ggml-x86/rope.ts — ggml's RoPE cache and fused rotation (spec/forward.md §9).
 * Oracles: recorded outputs of ggml_rope_cache_init + the NORM rotation loop compiled with GCC for
 * AVX-512 (head sizes 64 and 128, positions up to 8191, bases 10000 and 500000); position 0 is the
 * identity; the rotation is the fma formula, not the separately rounded one.
 */
import { describe, expect, test } from "vitest";
import { fmaF32 } from "../../../reference/ggml-x86/fma.js";
import { glibcCosf, glibcSinf } from "../../../reference/ggml-x86/glibc-trig.js";
import { ropeCacheGgml, ropeRotateGgml } from "../../../reference/ggml-x86/rope.js";
import { differingIndices, f32sFromHex, FIXTURES } from "./fixtures.js";

describe("ropeCacheGgml + ropeRotateGgml", () => {
  test("recorded heads bit-exact", () => {
    expect(FIXTURES.rope.length).toBe(8);
    for (const c of FIXTURES.rope) {
      const base = f32sFromHex(c.base)[0];
      expect(Math.fround(Math.pow(base, Math.fround(-2 / c.dims)))).toBe(f32sFromHex(c.theta_scale)[0]);
      const x = f32sFromHex(c.src);
      ropeRotateGgml(x, c.dims, ropeCacheGgml(c.pos, c.dims, base), "adjacent");
      expect(differingIndices(x, f32sFromHex(c.dst)), `pos ${c.pos}, dims ${c.dims}`).toEqual([]);
    }
  });

  test("the cache iterates θ in float32 and takes glibc's cosf/sinf", () => {
    const { cos, sin } = ropeCacheGgml(7, 64, 10000);
    const scale = Math.fround(Math.pow(10000, Math.fround(-2 / 64)));
    let theta = 7;
    for (let i = 0; i < 32; i++) {
      expect(cos[i]).toBe(glibcCosf(theta));
      expect(sin[i]).toBe(glibcSinf(theta));
      theta = Math.fround(theta * scale);
    }
  });

  test("position 0 leaves every element unchanged, in both pair conventions", () => {
    const x = Float32Array.from({ length: 128 }, (_, i) => Math.sin(i) * 3);
    for (const style of ["adjacent", "rotate-half"] as const) {
      const y = x.slice();
      ropeRotateGgml(y, 64, ropeCacheGgml(0, 64, 10000), style);
      expect(Array.from(y)).toEqual(Array.from(x));
    }
  });

  test("x0' = fma(x0, cos, −f32(x1·sin)), x1' = fma(x0, sin, f32(x1·cos)); dims past ropeDim untouched", () => {
    const angles = ropeCacheGgml(5, 4, 10000); // ropeDim 4 of a 6-wide head
    const x = Float32Array.from([1.1, -2.3, 0.7, 3.9, 5, 6]);
    const y = x.slice();
    ropeRotateGgml(y, 6, angles, "adjacent");
    for (let i = 0; i < 2; i++) {
      const [x0, x1, c, s] = [x[2 * i], x[2 * i + 1], angles.cos[i], angles.sin[i]];
      expect(y[2 * i]).toBe(fmaF32(x0, c, -Math.fround(x1 * s)));
      expect(y[2 * i + 1]).toBe(fmaF32(x0, s, Math.fround(x1 * c)));
    }
    expect([y[4], y[5]]).toEqual([5, 6]);
    const z = x.slice(0, 4);
    ropeRotateGgml(z, 4, angles, "rotate-half"); // pairs (0, 2), (1, 3)
    expect(z[0]).toBe(fmaF32(x[0], angles.cos[0], -Math.fround(x[2] * angles.sin[0])));
    expect(z[3]).toBe(fmaF32(x[1], angles.sin[1], Math.fround(x[3] * angles.cos[1])));
  });
});
