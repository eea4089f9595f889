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
export { explainI2s, i2sExplainShape, type I2sExplainInput, parseI2sLayout } from "./i2s.js";
export { DEFAULT_HF_ROWS, explainHfBitnet, type HfBitnetExplainInput, parseHfRows } from "./hf-bitnet.js";
export { explainRosetta, rosettaCell } from "./rosetta.js";
export {
  parseRosettaArrangement,
  parseRosettaElement,
  resolveRosettaPattern,
  ROSETTA_ARRANGEMENTS,
  ROSETTA_ELEMENTS,
  type RosettaArrangement,
  type RosettaInput,
  type RosettaPattern,
  rosettaMatrixPosition,
} from "./rosetta-input.js";
export {
  ROSETTA_LAYOUT_IDS,
  rosettaBytesShown,
  rosettaCodeAt,
  rosettaFieldsOfByte,
  type RosettaLayout,
  type RosettaLayoutId,
  rosettaModel,
  type RosettaModel,
  type RosettaPlace,
} from "./rosetta-layouts.js";
export { parseTernaryCodes, resolveTernaryWeights, type TernaryInput, type TernaryWeights } from "./ternary-input.js";
