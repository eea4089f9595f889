/**
 * A parser for the small subset of Python literal syntax that NumPy writes into .npy headers
 * (what `ast.literal_eval` accepts for them): dicts, tuples, lists, strings, integers, True,
 * False and None. Pure: no Node APIs.
 */

/** A parsed Python literal. Tuples and lists are kept apart: .npy shapes must be tuples. */
export type PyLiteral =
  | { readonly kind: "str"; readonly value: string }
  | { readonly kind: "int"; readonly value: bigint }
  | { readonly kind: "bool"; readonly value: boolean }
  | { readonly kind: "none" }
  | { readonly kind: "tuple"; readonly items: readonly PyLiteral[] }
  | { readonly kind: "list"; readonly items: readonly PyLiteral[] }
  | { readonly kind: "dict"; readonly entries: ReadonlyMap<string, PyLiteral> };

/** Thrown for text that is not a literal of the supported subset; `message` is one line. */
export class PyLiteralSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PyLiteralSyntaxError";
  }
}

/** Deepest nesting accepted, so hostile input cannot exhaust the stack. */
const MAX_DEPTH = 32;

const KEYWORDS: ReadonlyMap<string, PyLiteral> = new Map<string, PyLiteral>([
  ["True", { kind: "bool", value: true }],
  ["False", { kind: "bool", value: false }],
  ["None", { kind: "none" }],
]);

/** A cursor over the text being parsed. */
class LiteralParser {
  private pos = 0;

  constructor(private readonly text: string) {}

  /** Parse the whole text as one literal, surrounded by optional whitespace. */
  parseWhole(): PyLiteral {
    const value = this.parseValue(0);
    this.skipWhitespace();
    if (this.pos < this.text.length) this.fail(`unexpected ${this.describeHere()} after the value`);
    return value;
  }

  private parseValue(depth: number): PyLiteral {
    if (depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH}`);
    this.skipWhitespace();
    const c = this.text[this.pos];
    if (c === "{") return this.parseDict(depth);
    if (c === "(") return this.parseSequence("tuple", ")", depth);
    if (c === "[") return this.parseSequence("list", "]", depth);
    if (c === "'" || c === '"') return { kind: "str", value: this.parseString() };
    if (c === "-" || isDigit(c)) return this.parseInt();
    if (c !== undefined && /[A-Za-z_]/.test(c)) return this.parseKeyword();
    return this.fail(`unexpected ${this.describeHere()}`);
  }

  private parseDict(depth: number): PyLiteral {
    this.pos++;
    const entries = new Map<string, PyLiteral>();
    this.parseItems("}", () => {
      const key = this.parseValue(depth + 1);
      if (key.kind !== "str") this.fail("a dictionary key is not a string");
      this.expect(":");
      if (entries.has(key.value)) this.fail(`duplicate key '${key.value}'`);
      entries.set(key.value, this.parseValue(depth + 1));
    });
    return { kind: "dict", entries };
  }

  /** `(a, b)`, `(a,)`, `()`, `[a, b]`; `(a)` is just `a`, as in Python. */
  private parseSequence(kind: "tuple" | "list", close: string, depth: number): PyLiteral {
    this.pos++;
    const items: PyLiteral[] = [];
    const sawComma = this.parseItems(close, () => items.push(this.parseValue(depth + 1)));
    if (kind === "tuple" && items.length === 1 && !sawComma) return items[0];
    return { kind, items };
  }

  /** Comma-separated items up to `close` (a trailing comma allowed); returns whether any comma was seen. */
  private parseItems(close: string, parseItem: () => void): boolean {
    let sawComma = false;
    for (;;) {
      this.skipWhitespace();
      if (this.text[this.pos] === close) {
        this.pos++;
        return sawComma;
      }
      parseItem();
      this.skipWhitespace();
      if (this.text[this.pos] === ",") {
        this.pos++;
        sawComma = true;
      } else if (this.text[this.pos] !== close) {
        this.fail(`expected ',' or '${close}' but found ${this.describeHere()}`);
      }
    }
  }

  private parseString(): string {
    const quote = this.text[this.pos];
    const end = this.text.indexOf(quote, this.pos + 1);
    if (end < 0) this.fail("a string is not closed");
    const value = this.text.slice(this.pos + 1, end);
    if (value.includes("\\") || value.includes("\n")) this.fail("escapes and newlines in strings are not supported");
    this.pos = end + 1;
    return value;
  }

  private parseInt(): PyLiteral {
    const match = /^-?[0-9]+/.exec(this.text.slice(this.pos));
    if (match === null) return this.fail(`unexpected ${this.describeHere()}`);
    this.pos += match[0].length;
    if (/[0-9A-Za-z_.]/.test(this.text[this.pos] ?? ""))
      this.fail(`'${match[0]}' is followed by ${this.describeHere()}; only decimal integers are supported`);
    return { kind: "int", value: BigInt(match[0]) };
  }

  private parseKeyword(): PyLiteral {
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.pos))?.[0] ?? "";
    const value = KEYWORDS.get(word);
    if (value === undefined) this.fail(`'${word}' is not a literal`);
    this.pos += word.length;
    return value;
  }

  private expect(token: string): void {
    this.skipWhitespace();
    if (this.text[this.pos] !== token) this.fail(`expected '${token}' but found ${this.describeHere()}`);
    this.pos++;
  }

  private skipWhitespace(): void {
    while (this.pos < this.text.length && " \t\r\n".includes(this.text[this.pos])) this.pos++;
  }

  private describeHere(): string {
    return this.pos < this.text.length
      ? `${JSON.stringify(this.text[this.pos])} at offset ${this.pos}`
      : "the end of the text";
  }

  private fail(message: string): never {
    throw new PyLiteralSyntaxError(message);
  }
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= "0" && c <= "9";
}

/** Parse `text` as one Python literal; PyLiteralSyntaxError (one line) when it is not one. */
export function parsePyLiteral(text: string): PyLiteral {
  return new LiteralParser(text).parseWhole();
}
