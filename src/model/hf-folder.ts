/**
 * Reading a Hugging Face checkpoint folder from disk (Node only; the rest is browser-safe):
 * config.json, then either model.safetensors or model.safetensors.index.json and every shard its
 * weight_map names, each parsed strictly. Every problem is an InputError naming the path.
 */

import { statSync } from "node:fs";
import { join } from "node:path";
import { InputError } from "../errors.js";
import { describeFileSystemError } from "../io/atomic-write.js";
import { readInputFile } from "../io/input-file.js";
import { parseSafetensors, type SafetensorsFile, type SafetensorsStoredDtype } from "../safetensors/index.js";
import { hfCheckpoint, modelFromHf, type HfCheckpoint, type HfLoadOptions } from "./hf-model.js";
import type { LoadedModel } from "./gguf-model.js";

/** The model's hyper-parameters (transformers' CONFIG_NAME). */
export const HF_CONFIG_FILE = "config.json";
/** All weights in one file (SAFE_WEIGHTS_NAME); read in preference to an index, as transformers does. */
export const HF_SINGLE_FILE = "model.safetensors";
/** The index of a sharded checkpoint (SAFE_WEIGHTS_INDEX_NAME): weight_map, tensor name → shard file. */
export const HF_INDEX_FILE = "model.safetensors.index.json";

/** Largest JSON file read (config.json, the index): far more than any real one needs. */
const MAX_JSON_BYTES = 64 * 1024 * 1024;

/** A plain JSON object? */
function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Does `path` exist (as anything)? */
function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Is `path` a directory? InputError when it cannot be looked at. */
export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch (error) {
    throw new InputError(path, describeFileSystemError(error));
  }
}

/** Read and parse the JSON file at `path`: InputError naming it when missing, unreadable or not JSON. */
function readJsonFile(path: string): unknown {
  const bytes = readInputFile(path, { maxBytes: MAX_JSON_BYTES });
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new InputError(path, "is not valid UTF-8");
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InputError(path, `is not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
}

/**
 * model.safetensors.index.json's weight_map: tensor name → shard file name (a plain file name in
 * the same folder). InputError naming the index for anything else.
 */
export function parseSafetensorsIndex(json: unknown, indexPath: string): ReadonlyMap<string, string> {
  if (!isObject(json)) throw new InputError(indexPath, "is not a JSON object");
  const weightMap = json.weight_map;
  if (!isObject(weightMap)) throw new InputError(indexPath, "has no 'weight_map' object");
  const map = new Map<string, string>();
  for (const [tensor, shard] of Object.entries(weightMap)) {
    if (typeof shard !== "string" || shard === "" || shard === "." || shard === ".." || /[/\\]/.test(shard)) {
      throw new InputError(
        indexPath,
        `weight_map puts tensor '${tensor}' in ${JSON.stringify(shard)}, which is not a file name in the same folder`,
      );
    }
    map.set(tensor, shard);
  }
  if (map.size === 0) throw new InputError(indexPath, "weight_map is empty");
  return map;
}

/** Read and strictly parse one safetensors file (float tensors, and U8 for BitNet's packed weights). */
function readSafetensorsFile(path: string): SafetensorsFile<SafetensorsStoredDtype> {
  return parseSafetensors(readInputFile(path), path, { uint8: true });
}

/** The shards an index names, read, each checked to hold exactly the tensors the index puts there. */
function readShards(dir: string, indexPath: string): SafetensorsFile<SafetensorsStoredDtype>[] {
  const weightMap = parseSafetensorsIndex(readJsonFile(indexPath), indexPath);
  const shardNames = [...new Set(weightMap.values())].sort();
  return shardNames.map((shardName) => {
    const path = join(dir, shardName);
    const file = readSafetensorsFile(path);
    for (const name of file.tensors.keys()) {
      const listed = weightMap.get(name);
      if (listed !== shardName) {
        const where = listed === undefined ? "the index does not list it" : `the index puts it in ${listed}`;
        throw new InputError(path, `holds tensor '${name}', but ${where} (${indexPath})`);
      }
    }
    for (const [name, listed] of weightMap) {
      if (listed === shardName && !file.tensors.has(name)) {
        throw new InputError(path, `has no tensor '${name}', which ${indexPath} puts in it`);
      }
    }
    return file;
  });
}

/**
 * The checkpoint in folder `dir`: config.json (parsed, checked later by modelFromHf), and
 * model.safetensors or, without it, model.safetensors.index.json with its shards. InputError
 * naming the path: not a directory, a missing config.json or weights file, a missing shard, a
 * shard that does not match the index, a file that is not valid JSON or safetensors.
 */
export function readHfCheckpoint(dir: string): HfCheckpoint {
  if (!isDirectory(dir))
    throw new InputError(dir, "is not a directory (a Hugging Face checkpoint is a folder with config.json)");
  const configFile = join(dir, HF_CONFIG_FILE);
  const config = readJsonFile(configFile);
  const single = join(dir, HF_SINGLE_FILE);
  const index = join(dir, HF_INDEX_FILE);
  let files: SafetensorsFile<SafetensorsStoredDtype>[];
  if (exists(single)) files = [readSafetensorsFile(single)];
  else if (exists(index)) files = readShards(dir, index);
  else throw new InputError(dir, `has neither ${HF_SINGLE_FILE} nor ${HF_INDEX_FILE}`);
  return hfCheckpoint(dir, configFile, config, files);
}

/** The checkpoint's files (config, weights, the index when there is one), for "do not overwrite" checks. */
export function checkpointInputPaths(checkpoint: HfCheckpoint): string[] {
  const paths = [checkpoint.configFile, ...checkpoint.files.map((f) => f.name)];
  const index = join(checkpoint.name, HF_INDEX_FILE);
  if (exists(index)) paths.push(index);
  return paths;
}

/** Read the checkpoint in `dir` and load its model (see modelFromHf). */
export function loadHfModel(dir: string, options: HfLoadOptions): LoadedModel {
  return modelFromHf(readHfCheckpoint(dir), options);
}
