/**
 * Seeded, time-bounded fuzzing of every parser (GGUF, safetensors, .npy, golden manifests,
 * case.json). See spec/gguf.md §9 "Hostile input".
 */

export {
  allocationBound,
  runFuzz,
  TIME_LIMIT_MS,
  tryInput,
  type FuzzFailure,
  type FuzzRunOptions,
  type FuzzReport,
  type TargetCounts,
} from "./engine.js";
export { buildSeeds, type DiskSeeds, type FuzzSeeds } from "./seeds.js";
export { fuzzTargets, type FuzzInput, type FuzzTarget, type FuzzTargetName } from "./targets.js";
export { FuzzRng } from "./rng.js";
