/**
 * The page shell: a hash router over six views (format explorer, TriRun explorer, Rosetta stone, model runner,
 * golden viewer, spec reader). `#explorer`, `#trirun`, `#rosetta`, `#runner`, `#golden/<suite>/<tcId>`, `#spec/<document>/<section>`.
 * Views are loaded on first visit (the runner pulls in gpu.js and tfjs, which the explorer does
 * not need) and stay mounted.
 */
import { h } from "./dom.js";
import { VIEW_NAMES, type MountView, type View, type ViewName } from "./view.js";

const loaders: Readonly<Record<ViewName, () => Promise<MountView>>> = {
  explorer: async () => (await import("./explorer/explorer-view.js")).mountExplorer,
  trirun: async () => (await import("./explorer/trirun-view.js")).mountTrirunView,
  rosetta: async () => (await import("./explorer/rosetta-view.js")).mountRosettaView,
  runner: async () => (await import("./runner/runner-view.js")).mountRunner,
  golden: async () => (await import("./golden/golden-view.js")).mountGoldenViewer,
  spec: async () => (await import("./spec/spec-view.js")).mountSpecReader,
};

const main = document.getElementById("view") as HTMLElement;
const mounted = new Map<ViewName, { section: HTMLElement; view: Promise<View> }>();

/** Parse `location.hash` into a view name and the rest of the path. */
function route(): { name: ViewName; path: string[] } {
  const parts = decodeURIComponent(location.hash.replace(/^#/, ""))
    .split("/")
    .filter((p) => p !== "");
  const name = (VIEW_NAMES as readonly string[]).includes(parts[0] ?? "") ? (parts[0] as ViewName) : "explorer";
  return { name, path: name === parts[0] ? parts.slice(1) : [] };
}

async function navigate(): Promise<void> {
  const { name, path } = route();
  let entry = mounted.get(name);
  if (entry === undefined) {
    const section = h("section", { id: `view-${name}`, class: "view", "data-ready": "false" });
    main.appendChild(section);
    entry = { section, view: loaders[name]().then((mount) => mount(section)) };
    mounted.set(name, entry);
  }
  for (const [other, { section }] of mounted) section.hidden = other !== name;
  main.dataset.view = name;
  for (const link of document.querySelectorAll<HTMLAnchorElement>("#nav a"))
    link.classList.toggle("active", link.dataset.view === name);
  try {
    const view = await entry.view;
    view.show(path);
    entry.section.dataset.ready = "true";
  } catch (error) {
    entry.section.dataset.ready = "error";
    entry.section.appendChild(
      h("p", { class: "error" }, `This view failed to load: ${error instanceof Error ? error.message : String(error)}`),
    );
    console.error(error);
  }
}

window.addEventListener("hashchange", () => void navigate());
void navigate();
