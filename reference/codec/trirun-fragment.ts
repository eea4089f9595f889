/**
 * Who consumes each weight in TriRun's kernel: the m16n8k16 MMA lane, register and fp16 half that an element
 * (k, n) of the logical weight reaches. Implements spec/trirun.md §4.3, the reason for the permutation of §4.
 *
 * From `trirun/trirun_cuda_kernel.cu` (NolanoOrg/TriRun 097445fe):
 *   fetch_to_registers: lane l of the warp reading a 64-column strip loads one int2, B columns 2l and 2l+1
 *   matmul, j = 0..3:   b_quant = frag_b_quant[j/2] >> 2·(j%2);  frag_b0 = dequant(b_quant), frag_b1 = dequant(b_quant >> 8)
 *                        mma(frag_a, frag_b0, frag_c[i][j][0]);    mma(frag_a, frag_b1, frag_c[i][j][1])
 *   dequant(q):         LO = 0x00030003 → frag_b[0] (register b0), bits 0-1 (low half) and 16-17 (high half)
 *                        HI = 0x00300030 → frag_b[1] (register b1), bits 4-5 (low half) and 20-21 (high half)
 * From the PTX ISA (mma.m16n8k16, f16 B fragment), with groupID = lane / 4 and threadID_in_group = lane % 4:
 *   b0 holds B rows (k) 2·tig and 2·tig+1 (low, high half), b1 rows 2·tig+8 and 2·tig+9; column (n) = groupID.
 * MMA call j, fragment f multiplies the n8 sub-tile 2j + f of the 64-column strip (frag_c[i][j][f]).
 */

/** Where one weight (k, n) is consumed in TriRun's kernel. Spec §4.3. */
export interface TrirunFragmentPosition {
  /** Lane 0..31 of the warp that reads the element's 64-column strip: 4·groupID + threadID_in_group. */
  readonly lane: number;
  /** Which int of the lane's int2 (`frag_b_quant[..][word]`): B column 2·lane + word of the strip. */
  readonly word: 0 | 1;
  /** The `matmul` loop's j, 0..3: the pair of n8 sub-tiles 2j, 2j+1 (16 columns). */
  readonly mma: number;
  /** 0: `frag_b0` (from b_quant), 1: `frag_b1` (from b_quant >> 8): the n8 sub-tile 2·mma + fragment. */
  readonly fragment: 0 | 1;
  /** The MMA's B register: 0 = b0 (`frag_b[0]`, LO mask, k rows 0..7), 1 = b1 (`frag_b[1]`, HI mask, k rows 8..15). */
  readonly register: 0 | 1;
  /** fp16 half of the register: 0 = low 16 bits (even k), 1 = high 16 bits (odd k). */
  readonly half: 0 | 1;
  /** The kernel's total right shift of the lane's word before `dequant`: 2·(mma % 2) + 8·fragment. */
  readonly shift: number;
}

/** The bit positions `dequant`'s masks select in a shifted word: [register][half] (LO 0x00030003, HI 0x00300030). */
const DEQUANT_MASK_BIT: readonly (readonly number[])[] = [
  [0, 16], // LO: frag_b[0] = b0
  [4, 20], // HI: frag_b[1] = b1
];

/**
 * The MMA lane, register and half that consume weight (kIndex, nIndex) (Spec §4.3), from the m16n8k16 B fragment:
 *   within the 16×64 strip: k16 = k mod 16, n64 = n mod 64, n8 sub-tile = n64 / 8, column in it = n mod 8
 *   lane = 4·(n mod 8) + (k mod 8) / 2        (groupID = column, threadID_in_group = (k mod 8) / 2)
 *   register = k16 / 8,  half = k mod 2,  mma = n64 / 16,  fragment = (n64 / 8) mod 2,  word = mma / 2
 *   shift = 2·(mma mod 2) + 8·fragment
 */
export function trirunFragmentPosition(kIndex: number, nIndex: number): TrirunFragmentPosition {
  const k16 = kIndex % 16;
  const n64 = nIndex % 64;
  const mma = n64 >> 4;
  const fragment = ((n64 >> 3) & 1) as 0 | 1;
  return {
    lane: 4 * (nIndex % 8) + ((kIndex % 8) >> 1),
    word: (mma >> 1) as 0 | 1,
    mma,
    fragment,
    register: (k16 >> 3) as 0 | 1,
    half: (kIndex & 1) as 0 | 1,
    shift: 2 * (mma % 2) + 8 * fragment,
  };
}

/**
 * The inverse, read straight from the PTX fragment definition (Spec §4.3): the (k, n) within a 16×64 strip that
 * lane `lane`'s register `register`, half `half` holds in MMA call `mma`, fragment `fragment`:
 *   k = 2·(lane mod 4) + half + 8·register,   n = 8·(2·mma + fragment) + lane / 4.
 */
export function trirunFragmentElement(
  lane: number,
  mma: number,
  fragment: 0 | 1,
  register: 0 | 1,
  half: 0 | 1,
): { k: number; n: number } {
  return { k: 2 * (lane % 4) + half + 8 * register, n: 8 * (2 * mma + fragment) + (lane >> 2) };
}

/**
 * The B column (within its 64-column strip) and crumb the kernel reads for a fragment position (Spec §4.3):
 * column = 2·lane + word (the lane's int2); bit = shift + the dequant mask's bit for (register, half); crumb = bit / 2.
 * This is the kernel's side; Spec §5's packer must put the element at exactly this place.
 */
export function trirunFragmentSource(position: TrirunFragmentPosition): { column: number; crumb: number } {
  const bit = position.shift + DEQUANT_MASK_BIT[position.register][position.half];
  return { column: 2 * position.lane + position.word, crumb: bit >> 1 };
}
