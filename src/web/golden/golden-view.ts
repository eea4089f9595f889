/**
 * The golden viewer (`#golden`, `#golden/<suite>`, `#golden/<suite>/<tcId>`): the suites of
 * golden/suites (spec/golden.md), a suite's notes, groups and cases, and one case with previews
 * of its files, fetched on demand and checked against the manifest's sha256.
 */
import "./golden.css";
import schemaText from "../../../golden/schema/manifest.schema.json?raw";
import type { JsonValue } from "../../golden/json-schema.js";
import {
  parseManifestWithSchema,
  type FileEntry,
  type Manifest,
  type TestCase,
  type TestGroup,
  type TestResult,
} from "../../golden/manifest-core.js";
import { clear, h, specLink, SPEC_DOCUMENTS, type SpecDocument } from "../dom.js";
import type { View } from "../view.js";
import { linkReferences } from "../spec/spec-text.js";
import {
  caseFileGlobKey,
  casesOf,
  findCase,
  flagsUsed,
  matchesFilter,
  parseGoldenRoute,
  resultCounts,
  specSectionsOf,
  suiteOfManifestPath,
  type CaseFilter,
  type GoldenRoute,
} from "./golden-model.js";
import {
  hexBytes,
  hexDigest,
  previewFile,
  type ArrayPreview,
  type FilePreview,
  type PackedPreview,
} from "./file-preview.js";

const manifestTexts = import.meta.glob<string>("../../../golden/suites/*/manifest.json", {
  query: "?raw",
  import: "default",
  eager: true,
});
const caseFileUrls = import.meta.glob<string>("../../../golden/suites/**/*.{npy,bin}", {
  query: "?url",
  import: "default",
});

/** A suite as loaded: its manifest or why it could not be read. */
type LoadedSuite =
  { readonly name: string; readonly manifest: Manifest } | { readonly name: string; readonly error: string };

/** Parse every manifest once, keeping errors instead of throwing. */
function loadSuites(): LoadedSuite[] {
  const schema = JSON.parse(schemaText) as JsonValue;
  const suites: LoadedSuite[] = [];
  for (const [path, text] of Object.entries(manifestTexts)) {
    const name = suiteOfManifestPath(path) ?? path;
    try {
      suites.push({ name, manifest: parseManifestWithSchema(text, schema) });
    } catch (error) {
      suites.push({ name, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return suites.sort((a, b) => a.name.localeCompare(b.name));
}

/** Links for every section a tolerance names. */
function toleranceLinks(spec: string): (HTMLElement | string)[] {
  const links: (HTMLElement | string)[] = [];
  for (const { doc, section } of specSectionsOf(spec)) {
    if (links.length > 0) links.push(" ");
    links.push(
      (SPEC_DOCUMENTS as readonly string[]).includes(doc)
        ? specLink(doc as SpecDocument, section)
        : `spec/${doc}.md §${section}`,
    );
  }
  return links.length > 0 ? links : [spec];
}

/** Prose with its "spec/formats.md §2.4" references turned into links into the spec reader. */
function proseWithSpecLinks(text: string): (HTMLElement | string)[] {
  return linkReferences(text, "golden").map((s) => (s.kind === "text" ? s.text : specLink(s.doc, s.section, s.text)));
}

/** "bit-exact: description", without repeating the kind when the description starts with it. */
function toleranceText(tolerance: TestGroup["tolerance"]): (HTMLElement | string)[] {
  const description = tolerance.description.startsWith(`${tolerance.kind}:`)
    ? tolerance.description.slice(tolerance.kind.length + 1).trim()
    : tolerance.description;
  return [
    h("strong", {}, tolerance.kind),
    ": ",
    ...proseWithSpecLinks(description),
    " ",
    ...toleranceLinks(tolerance.spec),
  ];
}

/** A group's params as "name = value" lines. */
function paramsList(params: TestGroup["params"]): HTMLElement {
  const entries = Object.entries(params);
  if (entries.length === 0) return h("span", { class: "muted" }, "none");
  return h(
    "span",
    { class: "mono golden-params" },
    entries.map(([k, v]) => h("span", {}, `${k} = ${Array.isArray(v) ? `[${v.join(", ")}]` : String(v)}`)),
  );
}

function resultBadge(result: TestResult): HTMLElement {
  return h("span", { class: `golden-result golden-result-${result}` }, result);
}

function flagChips(flags: readonly string[]): HTMLElement {
  return h(
    "span",
    { class: "golden-flags" },
    flags.map((flag) => h("span", { class: "golden-flag" }, flag)),
  );
}

function suiteLink(name: string, label: string = name): HTMLAnchorElement {
  return h("a", { href: `#golden/${name}`, "data-suite": name }, label);
}

function breadcrumbs(route: GoldenRoute): HTMLElement {
  const parts: (Node | string)[] = [h("a", { href: "#golden" }, "Golden suites")];
  if (route.kind !== "suites")
    parts.push(" › ", route.kind === "case" ? h("a", { href: `#golden/${route.suite}` }, route.suite) : route.suite);
  if (route.kind === "case") parts.push(" › ", `test ${route.tcId}`);
  return h("nav", { class: "golden-crumbs" }, parts);
}

function renderSuiteList(suites: readonly LoadedSuite[]): HTMLElement {
  const rows = suites.map((suite) =>
    "error" in suite
      ? h(
          "tr",
          {},
          h("td", {}, suiteLink(suite.name)),
          h("td", { colspan: 5, class: "error" }, `manifest.json cannot be read: ${suite.error}`),
        )
      : h(
          "tr",
          {},
          h("td", {}, suiteLink(suite.name)),
          h("td", { class: "num" }, suite.manifest.numberOfTests),
          h(
            "td",
            {},
            `${suite.manifest.testGroups.length} (${[...new Set(suite.manifest.testGroups.map((g) => g.op))].join(", ")})`,
          ),
          h(
            "td",
            { class: "mono" },
            `${suite.manifest.generator.name} ${suite.manifest.generator.version} @ ${suite.manifest.generator.commit}`,
          ),
          h("td", { class: "num" }, suite.manifest.seed),
          h("td", { class: "mono" }, `v${suite.manifest.version} · ${suite.manifest.schema}`),
        ),
  );
  return h(
    "div",
    {},
    h("h1", {}, "Golden test vectors"),
    h(
      "p",
      { class: "lead" },
      "Each suite is a folder with a manifest.json and, per test, the input tensors and the " +
        "expected outputs the reference computed, in the manner of Wycheproof. Any implementation " +
        "can run them without the oracle: read the JSON, read the .npy/.bin files, compare. ",
      specLink("golden", "1", "spec/golden.md §1 Layout"),
    ),
    h(
      "div",
      { class: "panel" },
      h(
        "table",
        { class: "data", id: "golden-suites" },
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            ["suite", "tests", "groups (ops)", "generator", "seed", "schema"].map((t) => h("th", {}, t)),
          ),
        ),
        h("tbody", {}, rows),
      ),
    ),
    h(
      "section",
      { class: "panel" },
      h("h2", {}, "How to read a test"),
      h(
        "ul",
        {},
        h(
          "li",
          {},
          h("strong", {}, "valid"),
          ": every implementation must accept the input, and its output must match the expected file within the group's tolerance.",
        ),
        h(
          "li",
          {},
          h("strong", {}, "acceptable"),
          ": bytes the reference encoder never writes (non-canonical) or writes only by losing " +
            "information (lossy); an implementation may reject them, but if it accepts them its output must be ggml's.",
        ),
        h(
          "li",
          {},
          h("strong", {}, "invalid"),
          ": bytes that decode outside {−d, 0, +d} (TQ2_0 code 3); a validating decoder should reject them.",
        ),
      ),
      h(
        "p",
        { class: "muted" },
        "Flags name the edge a test exercises; each suite's notes explain them. ",
        specLink("golden", "3"),
        " · using the vectors without the oracle: ",
        specLink("golden", "8"),
      ),
    ),
  );
}

function notesTable(manifest: Manifest): HTMLElement {
  return h(
    "table",
    { class: "data", id: "golden-notes" },
    h("thead", {}, h("tr", {}, h("th", {}, "flag"), h("th", {}, "bugType"), h("th", {}, "description"))),
    h(
      "tbody",
      {},
      Object.entries(manifest.notes).map(([flag, note]) =>
        h(
          "tr",
          { "data-flag": flag },
          h("td", {}, h("span", { class: "golden-flag" }, flag)),
          h("td", { class: `mono bug-${note.bugType}` }, note.bugType),
          h("td", {}, proseWithSpecLinks(note.description)),
        ),
      ),
    ),
  );
}

function groupsTable(manifest: Manifest): HTMLElement {
  return h(
    "table",
    { class: "data", id: "golden-groups" },
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        ["#", "op", "format", "params", "inputs → outputs", "tolerance", "tests"].map((t) => h("th", {}, t)),
      ),
    ),
    h(
      "tbody",
      {},
      manifest.testGroups.map((group, index) =>
        h(
          "tr",
          {},
          h("td", { class: "num" }, index + 1),
          h("td", { class: "mono" }, group.op),
          h("td", { class: "mono" }, group.format),
          h("td", {}, paramsList(group.params)),
          h("td", { class: "mono" }, `${group.inputs.join(", ") || "—"} → ${group.outputs.join(", ")}`),
          h("td", {}, toleranceText(group.tolerance)),
          h("td", { class: "num" }, group.tests.length),
        ),
      ),
    ),
  );
}

function selectOf(id: string, label: string, options: readonly string[], onChange: () => void): HTMLSelectElement {
  return h(
    "select",
    { id, "aria-label": label, onchange: onChange },
    h("option", { value: "" }, "all"),
    options.map((o) => h("option", { value: o }, o)),
  );
}

function renderSuite(name: string, manifest: Manifest): HTMLElement {
  const counts = resultCounts(manifest);
  const body = h("tbody", {});
  const shown = h("span", { class: "muted" });
  const flagSelect = selectOf("golden-filter-flag", "filter by flag", flagsUsed(manifest), () => fill());
  const resultSelect = selectOf("golden-filter-result", "filter by result", ["valid", "invalid", "acceptable"], () =>
    fill(),
  );
  const all = casesOf(manifest);
  function fill(): void {
    const filter: CaseFilter = { flag: flagSelect.value, result: resultSelect.value as CaseFilter["result"] };
    clear(body);
    const matching = all.filter(({ test }) => matchesFilter(test, filter));
    for (const { group, test } of matching) {
      body.appendChild(
        h(
          "tr",
          { "data-tcid": test.tcId, "data-result": test.result, "data-flags": test.flags.join(",") },
          h("td", { class: "num" }, h("a", { href: `#golden/${name}/${test.tcId}` }, test.tcId)),
          h("td", { class: "mono" }, `${group.op} ${group.format}`),
          h("td", {}, test.comment),
          h("td", {}, flagChips(test.flags)),
          h("td", {}, resultBadge(test.result)),
        ),
      );
    }
    shown.textContent = `${matching.length} of ${all.length} tests shown`;
  }
  fill();
  return h(
    "div",
    {},
    h("h1", {}, `Suite ${name}`),
    h(
      "p",
      { class: "lead" },
      `${manifest.numberOfTests} tests (${counts.valid} valid, ${counts.acceptable} acceptable, ` +
        `${counts.invalid} invalid), generated by ${manifest.generator.name} ${manifest.generator.version} from seed ${manifest.seed}. `,
      specLink("golden", "2", "spec/golden.md §2 The manifest"),
    ),
    h(
      "section",
      { class: "panel" },
      h("h2", {}, "Notes: what each flag tests"),
      h(
        "p",
        { class: "muted" },
        "A flag marks the edge a test exercises; bugType groups flags by the kind of bug they catch. ",
        specLink("golden", "3"),
      ),
      notesTable(manifest),
    ),
    h(
      "section",
      { class: "panel" },
      h("h2", {}, "Test groups"),
      h(
        "p",
        { class: "muted" },
        "A group tests one operation with shared parameters; the tolerance says how close an output must be, and where the spec defines it. ",
        specLink("golden", "6"),
      ),
      h("div", { class: "golden-scroll" }, groupsTable(manifest)),
    ),
    h(
      "section",
      { class: "panel" },
      h("h2", {}, "Tests"),
      h(
        "p",
        { class: "muted" },
        "valid: must be accepted and match; acceptable: may be rejected, must match if accepted; " +
          "invalid: should be rejected (the expected file is what ggml gives). ",
      ),
      h(
        "div",
        { class: "golden-filters" },
        h("label", {}, "flag ", flagSelect),
        h("label", {}, "result ", resultSelect),
        shown,
      ),
      h(
        "table",
        { class: "data", id: "golden-cases" },
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            ["tcId", "op", "comment", "flags", "result"].map((t) => h("th", {}, t)),
          ),
        ),
        body,
      ),
    ),
  );
}

function arrayPreviewElement(preview: ArrayPreview): HTMLElement {
  const format = (v: number | undefined): string => (v === undefined ? "—" : String(v));
  return h(
    "div",
    {},
    h(
      "div",
      { class: "golden-stats" },
      h("span", {}, `dtype ${preview.dtype}`),
      h("span", {}, `shape [${preview.shape.join(", ")}]`),
      h("span", {}, `count ${preview.count}`),
      h("span", {}, `min ${format(preview.min)}`),
      h("span", {}, `max ${format(preview.max)}`),
      preview.nanCount > 0 ? h("span", { class: "severity-lossy" }, `${preview.nanCount} NaN`) : null,
    ),
    h(
      "div",
      { class: "mono golden-values" },
      `first ${preview.first.length}: `,
      preview.first.map((v) => String(v)).join(", "),
    ),
  );
}

function packedPreviewElement(preview: PackedPreview): HTMLElement {
  return h(
    "div",
    {},
    h(
      "div",
      { class: "golden-stats" },
      h("span", {}, `${preview.blocks} block${preview.blocks === 1 ? "" : "s"} of ${preview.blockBytes} bytes`),
      h("span", {}, "first block:"),
    ),
    h(
      "table",
      { class: "data golden-block" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ["field", "bytes", "meaning", "hex"].map((t) => h("th", {}, t)),
        ),
      ),
      h(
        "tbody",
        {},
        preview.fields.map((field) =>
          h(
            "tr",
            { class: `field-${field.name}` },
            h("td", { class: "mono" }, field.name),
            h("td", { class: "mono" }, `${field.offset}–${field.offset + field.length - 1}`),
            h("td", {}, field.meaning, field.value === undefined ? null : h("strong", {}, ` = ${field.value}`)),
            h(
              "td",
              { class: "mono golden-hex" },
              hexBytes(preview.firstBlock.subarray(field.offset, field.offset + field.length)),
            ),
          ),
        ),
      ),
    ),
  );
}

function previewElement(preview: FilePreview): HTMLElement {
  if (preview.kind === "error") return h("p", { class: "error" }, preview.message);
  return preview.kind === "array" ? arrayPreviewElement(preview) : packedPreviewElement(preview);
}

/** Fetch a case file, check its sha256 and fill its preview element. */
async function loadFilePreview(
  suite: string,
  entry: FileEntry,
  element: HTMLElement,
  shaCell: HTMLElement,
  body: HTMLElement,
): Promise<void> {
  const loadUrl = caseFileUrls[caseFileGlobKey(suite, entry.file)];
  if (loadUrl === undefined) {
    body.replaceChildren(h("p", { class: "error" }, `${entry.file} is not in the page's copy of the corpus`));
    element.dataset.sha256Ok = "false";
    return;
  }
  try {
    const response = await fetch(await loadUrl());
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const bytes = new Uint8Array(await response.arrayBuffer());
    const digest = hexDigest(await crypto.subtle.digest("SHA-256", bytes));
    const ok = digest === entry.sha256;
    shaCell.append(
      " ",
      h(
        "span",
        {
          class: ok ? "golden-sha-ok" : "golden-sha-bad",
          title: ok ? "the fetched bytes hash to the manifest's sha256" : `the fetched bytes hash to ${digest}`,
        },
        ok ? "✓" : "✗",
      ),
    );
    body.replaceChildren(previewElement(previewFile(bytes, entry.dtype, entry.shape, entry.file)));
    element.dataset.sha256Ok = String(ok);
  } catch (error) {
    body.replaceChildren(
      h(
        "p",
        { class: "error" },
        `could not fetch ${entry.file}: ${error instanceof Error ? error.message : String(error)}`,
      ),
    );
    element.dataset.sha256Ok = "false";
  }
}

function fileElement(suite: string, role: string, entry: FileEntry, isInput: boolean): HTMLElement {
  const body = h("div", { class: "golden-preview-body muted" }, "loading…");
  const shaCell = h("span", { class: "mono golden-sha" }, entry.sha256);
  const element = h(
    "div",
    { class: "panel golden-file", "data-file": entry.file, "data-role": role },
    h(
      "h3",
      {},
      h("span", { class: "golden-role" }, isInput ? "input" : "expected output"),
      ` ${role} `,
      h("span", { class: "mono muted" }, entry.file),
    ),
    h(
      "div",
      { class: "golden-stats" },
      h("span", {}, `dtype ${entry.dtype}`),
      h("span", {}, `shape [${entry.shape.join(", ")}]`),
      h("span", {}, "sha256 ", shaCell),
    ),
    body,
  );
  void loadFilePreview(suite, entry, element, shaCell, body);
  return element;
}

function renderCase(suite: string, manifest: Manifest, group: TestGroup, test: TestCase): HTMLElement {
  const roles = [...group.inputs.map((r) => [r, true] as const), ...group.outputs.map((r) => [r, false] as const)];
  return h(
    "div",
    { id: "golden-case", "data-tcid": test.tcId, "data-result": test.result, "data-flags": test.flags.join(",") },
    h("h1", {}, `Test ${test.tcId} of ${suite}: ${group.op} ${group.format}`),
    h("p", { class: "lead" }, test.comment),
    h(
      "section",
      { class: "panel" },
      h(
        "table",
        { class: "data" },
        h(
          "tbody",
          {},
          h(
            "tr",
            {},
            h("th", {}, "result"),
            h("td", {}, resultBadge(test.result), " ", specLink("golden", "3", "what results mean")),
          ),
          h(
            "tr",
            {},
            h("th", {}, "flags"),
            h(
              "td",
              {},
              test.flags.length === 0
                ? h("span", { class: "muted" }, "none")
                : h(
                    "ul",
                    { class: "golden-flag-list" },
                    test.flags.map((flag) =>
                      h(
                        "li",
                        {},
                        h("span", { class: "golden-flag" }, flag),
                        ` (${manifest.notes[flag]?.bugType ?? "?"}) `,
                        proseWithSpecLinks(manifest.notes[flag]?.description ?? ""),
                      ),
                    ),
                  ),
            ),
          ),
          h("tr", {}, h("th", {}, "params"), h("td", {}, paramsList(group.params))),
          h("tr", {}, h("th", {}, "tolerance"), h("td", {}, toleranceText(group.tolerance))),
        ),
      ),
    ),
    h("h2", {}, "Files"),
    h(
      "p",
      { class: "muted" },
      "Fetched when this page opens; each file's sha256 is recomputed in the browser " +
        "(crypto.subtle) and compared with the manifest. .bin files hold packed rows without header: ",
      specLink("formats", "4.1", "TQ2_0 §4.1"),
      " ",
      specLink("formats", "5.1", "TQ1_0 §5.1"),
      " ",
      specLink("formats", "6.1", "Q8_K §6.1"),
      ".",
    ),
    roles.map(([role, isInput]) => {
      const entry = test.files[role];
      return entry === undefined
        ? h("p", { class: "error" }, `role ${role} has no file`)
        : fileElement(suite, role, entry, isInput);
    }),
  );
}

/** Mount the golden viewer into `root`. */
export function mountGoldenViewer(root: HTMLElement): View {
  const suites = loadSuites();
  const content = h("div", { class: "golden" });
  root.appendChild(content);
  function render(route: GoldenRoute): HTMLElement | string {
    if (route.kind === "suites") return renderSuiteList(suites);
    const suite = suites.find((s) => s.name === route.suite);
    if (suite === undefined) return `There is no suite ${route.suite}.`;
    if ("error" in suite) return `${route.suite}/manifest.json cannot be read: ${suite.error}`;
    if (route.kind === "suite") return renderSuite(suite.name, suite.manifest);
    const found = findCase(suite.manifest, route.tcId);
    if (found === undefined) return `Suite ${suite.name} has no test ${String(route.tcId)}.`;
    return renderCase(suite.name, suite.manifest, found.group, found.test);
  }
  return {
    show(path) {
      const route = parseGoldenRoute(path);
      const rendered = render(route);
      const body = typeof rendered === "string" ? h("p", { class: "error", id: "golden-error" }, rendered) : rendered;
      content.replaceChildren(...(route.kind === "suites" ? [body] : [breadcrumbs(route), body]));
      root.dataset.route = path.join("/");
      window.scrollTo(0, 0);
    },
  };
}
