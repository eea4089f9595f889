/**
 * The teaching walk-through behind `trilm explain`: pure functions (no Node or browser APIs).
 */

export { explainBlock } from "./explain.js";
export {
  DEFAULT_EXPLAIN_SEED,
  drawTriLmBlock,
  type ExplainFormat,
  type ExplainInput,
  parseExplainFormat,
  parseSeed,
  parseValueList,
  SEEDED_SCALE_RANGE,
} from "./input.js";
export { drawTrit, mulberry32 } from "../random/index.js";
export { explainTrirunTile } from "./trirun.js";
export { parseCodeList, parseTile, type TrirunExplainInput } from "./trirun-input.js";
