/**
 * The size of the GGUF file `trilm make-model` writes for a preset in each storage type, without
 * generating it: the header laid out once (the same keys, names and shapes for every type), plus
 * each type's tensors, each aligned as in the file (spec/forward.md §12).
 */

import type { TrilmPreset } from "../../reference/model/presets.js";
import { alignUp } from "../gguf/rules.js";
import { planRandomTrilm, RANDOM_MODEL_TYPES, type RandomModelType } from "./random-model.js";
import { planLayout } from "./stream-gguf.js";

/**
 * Bytes of the file for `preset` in each type of RANDOM_MODEL_TYPES, seed 0 (another seed changes
 * the digits of `general.name`, so the size by a few bytes at most).
 */
export function randomTrilmFileSizes(preset: TrilmPreset): ReadonlyMap<RandomModelType, number> {
  const layout = planLayout(planRandomTrilm(preset, 0, RANDOM_MODEL_TYPES[0]), preset.name);
  return new Map(
    RANDOM_MODEL_TYPES.map((type) => [
      type,
      layout.dataOffset +
        planRandomTrilm(preset, 0, type).tensors.reduce((sum, t) => sum + alignUp(t.byteSize, layout.alignment), 0),
    ]),
  );
}
