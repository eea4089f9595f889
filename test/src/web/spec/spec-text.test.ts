import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import {
  classifyLink,
  headingId,
  linkReferences,
  outlineOf,
  sectionOfHeading,
  SPEC_DOCUMENT_NAMES,
  tableOfContents,
} from "../../../../src/web/spec/spec-text.js";
import { repoFile } from "../../cli/harness.js";

const markdownOf = (doc: string): string => readFileSync(repoFile(`spec/${doc}.md`), "utf8");

describe("headings", () => {
  test("section numbers and ids, as the brief's examples give them", () => {
    expect(sectionOfHeading("§4 TQ2_0")).toBe("4");
    expect(sectionOfHeading("§4.2 Element → (byte, bit) map")).toBe("4.2");
    expect(sectionOfHeading("Documents")).toBeUndefined();
    expect(sectionOfHeading("§4.2x")).toBeUndefined();
    expect(headingId("formats", "§4.2 Element → (byte, bit) map")).toBe("spec-formats-4.2");
    expect(headingId("README", "How to read a spec next to `reference/`")).toBe(
      "spec-README-how-to-read-a-spec-next-to-reference",
    );
  });

  test("the list is dom.ts SPEC_DOCUMENTS (read as text: dom.ts needs the DOM lib)", () => {
    const literal = /SPEC_DOCUMENTS = \[([^\]]*)\]/.exec(readFileSync(repoFile("src/web/dom.ts"), "utf8"))?.[1] ?? "";
    expect([...SPEC_DOCUMENT_NAMES]).toEqual([...literal.matchAll(/"([^"]+)"/g)].map((m) => m[1]));
  });

  test.each(SPEC_DOCUMENT_NAMES.map((d) => [d]))(
    "the table of contents of %s lists every '## §' / '### §' line outside code fences",
    (doc) => {
      const markdown = markdownOf(doc);
      let inFence = false;
      const expected: string[] = [];
      for (const line of markdown.split("\n")) {
        if (line.startsWith("```")) inFence = !inFence;
        const m = /^#+ §(\S+)/.exec(line);
        if (!inFence && m !== null) expected.push(m[1]);
      }
      expect(tableOfContents(markdown).map((e) => e.section)).toEqual(expected);
    },
  );

  test("formats §4.2's title", () => {
    expect(tableOfContents(markdownOf("formats")).find((e) => e.section === "4.2")?.title).toBe(
      "Element → (byte, bit) map",
    );
  });
});

describe("linkReferences", () => {
  const refs = (text: string, doc: "formats" | "forward" = "formats") =>
    linkReferences(text, doc)
      .filter((s) => s.kind === "reference")
      .map((s) => (s.kind === "reference" ? `${s.doc}/${s.section}` : ""));

  test("document references with and without a section", () => {
    expect(refs("see spec/forward.md §9.2 and spec/tolerances.md.")).toEqual(["forward/9.2", "tolerances/"]);
    expect(refs("(formats.md §4.5) acts")).toEqual(["formats/4.5"]);
  });

  test("bare § is the current document, unless it continues a list", () => {
    expect(refs("as in §5.3", "forward")).toEqual(["forward/5.3"]);
    expect(refs("spec/forward.md §3.2, §9 and later §4", "formats")).toEqual(["forward/3.2", "forward/9", "formats/4"]);
    expect(refs("§10–§13 how models", "forward")).toEqual(["forward/10", "forward/13"]);
  });

  test("the text is kept whole", () => {
    const text = "The map (spec/formats.md §4.2, §5.2) and §3 of this file.";
    expect(
      linkReferences(text, "golden")
        .map((s) => s.text)
        .join(""),
    ).toBe(text);
  });

  test("no reference, one text segment", () => {
    expect(linkReferences("plain words", "formats")).toEqual([{ kind: "text", text: "plain words" }]);
  });
});

describe("classifyLink", () => {
  test("spec documents, external pages, repository files", () => {
    expect(classifyLink("formats.md", "README")).toEqual({ kind: "spec", doc: "formats", anchor: "" });
    expect(classifyLink("./kernel-protocol.md#5-tolerances", "README")).toEqual({
      kind: "spec",
      doc: "kernel-protocol",
      anchor: "5-tolerances",
    });
    expect(classifyLink("#layout", "golden")).toEqual({ kind: "spec", doc: "golden", anchor: "layout" });
    expect(classifyLink("https://github.com/C2SP/wycheproof", "golden")).toEqual({
      kind: "external",
      href: "https://github.com/C2SP/wycheproof",
    });
    expect(classifyLink("../reference/codec/tq2_0.ts", "formats")).toEqual({
      kind: "repository",
      path: "../reference/codec/tq2_0.ts",
    });
    expect(classifyLink("../README.md", "formats")).toEqual({ kind: "repository", path: "../README.md" });
  });
});

describe("outlineOf", () => {
  test("README's headings have no §: they are listed by slug", () => {
    const outline = outlineOf(markdownOf("README"));
    expect(outline[0]).toEqual({ level: 2, target: "documents", number: "", title: "Documents" });
  });
  test("formats' outline holds its § headings", () => {
    const outline = outlineOf(markdownOf("formats"));
    expect(outline.find((e) => e.target === "4.2")).toEqual({
      level: 3,
      target: "4.2",
      number: "§4.2",
      title: "Element → (byte, bit) map",
    });
  });
});
