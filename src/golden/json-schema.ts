/**
 * A strict validator for the subset of JSON Schema (draft 2020-12) that
 * golden/schema/manifest.schema.json uses: `type` (one name or a list), `const`, `enum`,
 * `properties`, `required`, `additionalProperties` (false or a schema), `items`, `minItems`,
 * `minLength`, `pattern`, `minimum`, `maximum`, `$ref` to `#/$defs/<name>`, and the annotations
 * `$schema`, `$id`, `$defs`, `title`, `description`. A schema using any other keyword is refused
 * (SchemaError), so the subset cannot silently drift from the schema file. Pure: no Node APIs.
 * Spec: spec/golden.md §2.
 */

/** A value JSON.parse can return. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A schema keyword outside the supported subset, or a malformed schema. */
export class SchemaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SchemaError";
  }
}

const ANNOTATIONS = new Set(["$schema", "$id", "$defs", "title", "description"]);
const KEYWORDS = new Set([
  "type",
  "const",
  "enum",
  "properties",
  "required",
  "additionalProperties",
  "items",
  "minItems",
  "minLength",
  "pattern",
  "minimum",
  "maximum",
  "$ref",
]);

type JsonObject = { [key: string]: JsonValue };

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The JSON Schema type name of a value ("integer" for whole numbers, which are also "number"). */
function typeMatches(value: JsonValue, name: string): boolean {
  switch (name) {
    case "null":
      return value === null;
    case "boolean":
      return typeof value === "boolean";
    case "string":
      return typeof value === "string";
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "integer":
      return typeof value === "number" && Number.isInteger(value);
    case "array":
      return Array.isArray(value);
    case "object":
      return isObject(value);
    default:
      throw new SchemaError(`unknown type name '${name}'`);
  }
}

function deepEqual(a: JsonValue, b: JsonValue): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** A JSON pointer fragment for messages: `/testGroups/0/tests/3/tcId`. */
function pointer(path: readonly (string | number)[]): string {
  return path.length === 0 ? "(root)" : `/${path.join("/")}`;
}

/**
 * Validate `value` against `schema` (whose `$defs` resolve `$ref`s). Returns the first problem as
 * one line (`/testGroups/0/op: must be one of …`), or undefined when the value conforms.
 * SchemaError when the schema uses a keyword outside the subset.
 */
export function validateJsonSchema(value: JsonValue, schema: JsonValue): string | undefined {
  if (!isObject(schema)) throw new SchemaError("the schema is not an object");
  const defs = schema.$defs;
  const resolve = (ref: string): JsonValue => {
    const match = /^#\/\$defs\/([A-Za-z0-9_]+)$/.exec(ref);
    const target = match !== null && isObject(defs) ? defs[match[1]] : undefined;
    if (target === undefined) throw new SchemaError(`unresolvable $ref '${ref}'`);
    return target;
  };
  const check = (v: JsonValue, s: JsonValue, path: (string | number)[]): string | undefined => {
    if (!isObject(s)) throw new SchemaError(`schema at ${pointer(path)} is not an object`);
    for (const key of Object.keys(s)) {
      if (!KEYWORDS.has(key) && !ANNOTATIONS.has(key)) throw new SchemaError(`unsupported schema keyword '${key}'`);
    }
    const at = pointer(path);
    if (typeof s.$ref === "string") {
      const problem = check(v, resolve(s.$ref), path);
      if (problem !== undefined) return problem;
    }
    if (s.type !== undefined) {
      const names = Array.isArray(s.type) ? s.type : [s.type];
      if (!names.some((name) => typeof name === "string" && typeMatches(v, name)))
        return `${at}: must be of type ${names.join(" or ")}`;
    }
    if (s.const !== undefined && !deepEqual(v, s.const)) return `${at}: must be ${JSON.stringify(s.const)}`;
    if (Array.isArray(s.enum) && !s.enum.some((option) => deepEqual(v, option))) {
      return `${at}: must be one of ${s.enum.map((option) => JSON.stringify(option)).join(", ")}`;
    }
    if (typeof v === "string") {
      if (typeof s.minLength === "number" && v.length < s.minLength)
        return `${at}: must have at least ${s.minLength} characters`;
      if (typeof s.pattern === "string" && !new RegExp(s.pattern, "u").test(v))
        return `${at}: ${JSON.stringify(v)} does not match ${s.pattern}`;
    }
    if (typeof v === "number") {
      if (typeof s.minimum === "number" && v < s.minimum) return `${at}: must be at least ${s.minimum}`;
      if (typeof s.maximum === "number" && v > s.maximum) return `${at}: must be at most ${s.maximum}`;
    }
    if (Array.isArray(v)) {
      if (typeof s.minItems === "number" && v.length < s.minItems)
        return `${at}: must have at least ${s.minItems} items`;
      if (s.items !== undefined) {
        for (let i = 0; i < v.length; i++) {
          const problem = check(v[i], s.items, [...path, i]);
          if (problem !== undefined) return problem;
        }
      }
    }
    if (isObject(v)) {
      const properties = isObject(s.properties) ? s.properties : {};
      if (Array.isArray(s.required)) {
        for (const name of s.required) {
          if (typeof name === "string" && !Object.hasOwn(v, name)) return `${at}: missing required property '${name}'`;
        }
      }
      for (const [key, child] of Object.entries(v)) {
        if (Object.hasOwn(properties, key)) {
          const problem = check(child, properties[key], [...path, key]);
          if (problem !== undefined) return problem;
        } else if (s.additionalProperties === false) {
          return `${at}: unexpected property '${key}'`;
        } else if (s.additionalProperties !== undefined && s.additionalProperties !== true) {
          const problem = check(child, s.additionalProperties, [...path, key]);
          if (problem !== undefined) return problem;
        }
      }
    }
    return undefined;
  };
  return check(value, schema, []);
}
