import { describe, expect, it } from "vitest";
import { SchemaError, validateJsonSchema, type JsonValue } from "../../../src/golden/json-schema.js";

const schema: JsonValue = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  type: "object",
  additionalProperties: false,
  required: ["n", "items"],
  properties: {
    n: { type: "integer", minimum: 1, maximum: 10 },
    name: { type: "string", minLength: 2, pattern: "^[a-z]+$" },
    kind: { enum: ["a", "b"] },
    fixed: { const: 3 },
    items: { type: "array", minItems: 1, items: { $ref: "#/$defs/item" } },
    any: { type: "object", additionalProperties: { type: ["string", "number"] } },
  },
  $defs: { item: { type: "number" } },
};

describe("validateJsonSchema (the subset the manifest schema uses)", () => {
  it("accepts a conforming value", () => {
    expect(
      validateJsonSchema({ n: 3, name: "ab", kind: "a", fixed: 3, items: [1, 2.5], any: { x: "s", y: 1 } }, schema),
    ).toBeUndefined();
  });

  it.each([
    [{ items: [1] }, "missing required property 'n'"],
    [{ n: 1.5, items: [1] }, "/n: must be of type integer"],
    [{ n: 0, items: [1] }, "/n: must be at least 1"],
    [{ n: 11, items: [1] }, "/n: must be at most 10"],
    [{ n: 1, items: [] }, "/items: must have at least 1 items"],
    [{ n: 1, items: ["x"] }, "/items/0: must be of type number"],
    [{ n: 1, items: [1], name: "a" }, "/name: must have at least 2 characters"],
    [{ n: 1, items: [1], name: "A1" }, "does not match"],
    [{ n: 1, items: [1], kind: "c" }, "/kind: must be one of"],
    [{ n: 1, items: [1], fixed: 4 }, "/fixed: must be 3"],
    [{ n: 1, items: [1], extra: true }, "unexpected property 'extra'"],
    [{ n: 1, items: [1], any: { x: true } }, "/any/x: must be of type string or number"],
    [{ n: 1, items: [1], constructor: 1 }, "unexpected property 'constructor'"],
  ] as [JsonValue, string][])("rejects %j", (value, message) => {
    expect(validateJsonSchema(value, schema)).toContain(message);
  });

  it("refuses keywords outside the subset and unresolvable references", () => {
    expect(() => validateJsonSchema(1, { oneOf: [] })).toThrow(SchemaError);
    expect(() => validateJsonSchema(1, { $ref: "#/$defs/missing" })).toThrow(SchemaError);
  });
});
