import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  HF_BITNET_ABSMAX_FLOOR,
  hfBitnetLinearOutputs,
  hfBitnetOutputAccepted,
  hfBitnetQuantizeActivations,
} from "../../../reference/tolerances/hf-bitnet-linear.js";
import { checkProperty } from "../../support/property.js";

describe("hfBitnetQuantizeActivations (ActQuant in float32)", () => {
  test("σ = f32(127/max|x|), ties to even, x̂ = f32(q/σ)", () => {
    const x = new Float32Array([127, 0.5, 1.5, 2.5, -2.5, -127]);
    const { sigma, q, xhat } = hfBitnetQuantizeActivations(x);
    expect(sigma).toBe(1);
    expect(Array.from(q)).toEqual([127, 0, 2, 2, -2, -127]);
    expect(Array.from(xhat)).toEqual([127, 0, 2, 2, -2, -127]);
  });

  test("the 1e-5 floor: all-zero x gives σ = f32(127 / f32(1e-5)) and q = 0", () => {
    const { sigma, q } = hfBitnetQuantizeActivations(new Float32Array(4));
    expect(sigma).toBe(Math.fround(127 / HF_BITNET_ABSMAX_FLOOR));
    expect(q.every((v) => v === 0)).toBe(true);
  });
});

describe("hfBitnetLinearOutputs: the §13.2 bound", () => {
  const f32 = fc.float({ min: -100, max: 100, noNaN: true, noDefaultInfinity: true }).map(Math.fround);
  const caseArb = fc.array(fc.tuple(f32, fc.constantFrom(-1, 0, 1)), { minLength: 1, maxLength: 96 }).chain((pairs) =>
    fc.tuple(
      fc.constant(pairs),
      fc.shuffledSubarray(
        pairs.map((_, i) => i),
        { minLength: pairs.length },
      ),
    ),
  );

  test("accepts every float32 order of the dot and both scale ops; rejects one code changed", () => {
    checkProperty(
      "tolerances §13.2 any order",
      fc.property(caseArb, fc.constantFrom("multiply" as const, "divide" as const), ([pairs, order], convention) => {
        const x = Float32Array.from(pairs, ([v]) => v);
        const weights = Int8Array.from(pairs, ([, t]) => t);
        const activations = hfBitnetQuantizeActivations(x);
        const scale = 1.6875;
        const [output] = hfBitnetLinearOutputs(activations, weights, 1, scale, convention);
        let sum = 0;
        for (const j of order) sum = Math.fround(sum + activations.xhat[j] * weights[j]);
        const y = Math.fround(convention === "multiply" ? sum * scale : sum / scale);
        expect(hfBitnetOutputAccepted(y, output)).toBe(true);
        // BitLinear's integer form: S / (σ·s)
        const s = activations.q.reduce((acc, q, j) => acc + q * weights[j], 0);
        if (convention === "divide")
          expect(hfBitnetOutputAccepted(Math.fround(s / Math.fround(activations.sigma * scale)), output)).toBe(true);
        const changed = weights.findIndex((t, j) => t !== 1 && activations.q[j] !== 0);
        if (changed >= 0) {
          const other = weights.slice();
          other[changed] = 1;
          const [moved] = hfBitnetLinearOutputs(activations, other, 1, scale, convention);
          expect(hfBitnetOutputAccepted(moved.reference, output)).toBe(false);
        }
      }),
    );
  });

  test("cancellation: alternating signs need the Σ|x̂| term, and the bound still holds", () => {
    let needed = 0;
    for (let seed = 1; seed <= 500; seed++) {
      let state = seed;
      const random = (): number => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
      const k = 64;
      const x = Float32Array.from({ length: k }, (_, j) => (j === 0 ? 3 : random() * 2 - 1));
      const weights = Int8Array.from({ length: k }, (_, j) => (j % 2 === 0 ? -1 : 1));
      const activations = hfBitnetQuantizeActivations(x);
      const [output] = hfBitnetLinearOutputs(activations, weights, 1, 1, "multiply");
      let sum = 0;
      for (let j = 0; j < k; j++) sum = Math.fround(sum + activations.xhat[j] * weights[j]);
      expect(hfBitnetOutputAccepted(sum, output), `seed ${seed}`).toBe(true);
      if (Math.abs(sum - output.reference) > 4 * 2 ** -24 * Math.abs(output.reference) + 4 * 2 ** -149) needed++;
    }
    expect(needed).toBeGreaterThan(0);
  });
});
