/**
 * The Rosetta view's tests in a real browser (M11), run by web-tests.mjs: with the pattern of `--seed S`, clicking an
 * element of the grid shows, in every layout, the byte, value and code `trilm explain rosetta --seed S --element E`
 * prints in its section 2, and lights that element's field in every layout; clicking a field of one layout selects
 * its element in every layout, at the byte and shift the CLI's section 3 gives; the arrow keys move the selection.
 */

/** Section 2 of `trilm explain rosetta` → Map(layout name → { byte, value, code }); cells are 2+ spaces apart. */
function placesOfExplain(text) {
  const section = text.slice(text.indexOf("2. Element"), text.indexOf("3. Every element"));
  const header = section.split("\n").findIndex((l) => /^ {3}layout\s{2,}where/.test(l));
  const rows = section
    .split("\n")
    .slice(header + 1)
    .filter((l) => l.startsWith("   ") && l.trim() !== "")
    .map((l) => l.trim().split(/\s{2,}/));
  return new Map(rows.map(([name, , byte, value, , code]) => [name, { byte, value, code }]));
}

/** Section 3's row of element e → its cells "byte>>shift" / "byte·tN", in layout order. */
function cellsOfExplain(text, e) {
  const section = text.slice(text.indexOf("3. Every element"), text.indexOf("4. The bytes"));
  const row = [...section.matchAll(/^ {3}\s*(\d+)\s+([+-]?[01])\s+(.+)$/gm)].find((m) => Number(m[1]) === e);
  if (row === undefined) throw new Error(`trilm explain rosetta: no row for element ${e}`);
  return row[3].trim().split(/\s+/);
}

/** The page's place line of every layout: [{ layout, byte, field, code }] in panel order. */
function placesOfPage(page) {
  return page.$$eval(".rosetta-layout", (panels) =>
    panels.map((p) => {
      const place = p.querySelector(".place");
      return {
        layout: p.getAttribute("data-layout"),
        name: p.querySelector("h2")?.textContent?.split(":")[0] ?? "",
        byte: place?.getAttribute("data-byte"),
        field: place?.getAttribute("data-field"),
        code: place?.getAttribute("data-code"),
        lit: [...p.querySelectorAll(".field.sel")].map((f) => f.getAttribute("data-e")),
      };
    }),
  );
}

/** Run the Rosetta view's checks; `open`, `check`, `step`, `shoot` are web-tests.mjs's helpers. */
export async function runRosettaWebTests({ page, cli, mulberry32, seed, open, check, step, shoot }) {
  const random = mulberry32(seed ^ 0x2053);
  const patternSeed = seed >>> 0;
  const e1 = Math.floor(random() * 256);
  await step("rosetta: a seeded pattern, one element in every layout", async () => {
    await open("#rosetta", "rosetta");
    await page.fill("#rosetta-seed", String(patternSeed));
    await page.click("#rosetta-random");
    await page.click(`#rosetta-grid [data-e="${e1}"]`);
    const expected = placesOfExplain(
      cli(["explain", "rosetta", "--seed", String(patternSeed), "--element", String(e1)]),
    );
    const shown = await placesOfPage(page);
    check(
      `rosetta: ${shown.length} layouts shown, ${expected.size} in the CLI`,
      shown.length === 8 && expected.size === 8,
    );
    for (const s of shown) {
      const want = expected.get(s.name);
      check(
        `rosetta: element ${e1} in ${s.name}: byte ${want?.byte}, code ${want?.code}`,
        want !== undefined && s.byte === want.byte && s.code === want.code,
        `page byte ${s.byte} code ${s.code}`,
      );
      check(`rosetta: element ${e1} lit in ${s.name}`, s.lit.length === 1 && s.lit[0] === String(e1), `${s.lit}`);
    }
  });

  await step("rosetta: clicking a field of W2A8 selects its element in every layout", async () => {
    const e2 = (e1 + 1 + Math.floor(random() * 254)) % 256;
    await page.click(`.rosetta-layout[data-layout="w2a8"] .field[data-e="${e2}"]`);
    const cells = cellsOfExplain(cli(["explain", "rosetta", "--seed", String(patternSeed), "--element", "0"]), e2);
    const shown = await placesOfPage(page);
    shown.forEach((s, i) => {
      const page_ = s.layout === "tq1_0" ? `${s.byte}·t${s.field}` : `${s.byte}>>${s.field}`;
      check(`rosetta: field click → element ${e2} in ${s.name} at ${cells[i]}`, page_ === cells[i], `page ${page_}`);
    });
    const selected = await page.$eval("#rosetta-grid .cell.sel", (el) => el.getAttribute("data-e"));
    check(`rosetta: the grid selects element ${e2}`, selected === String(e2), `grid ${selected}`);
  });

  await step("rosetta: arrow keys move the selection and the focus", async () => {
    await page.click('#rosetta-grid [data-e="17"]');
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("ArrowDown");
    const focused = await page.evaluate(() => {
      const el = document.activeElement;
      return el instanceof HTMLElement ? `${el.dataset.e},${el.getAttribute("aria-pressed")}` : "";
    });
    check("rosetta: ArrowRight, ArrowDown from 17 selects and focuses 34", focused === "34,true", focused);
  });

  await step("rosetta: the walking +1 follows the selection", async () => {
    await page.click("#rosetta-walk");
    await page.click('#rosetta-grid [data-e="200"]');
    const plus = await page.$$eval("#rosetta-grid .cell.t-2", (n) => n.map((c) => c.getAttribute("data-e")));
    const set = await page.$$eval('.rosetta-layout[data-layout="hf"] .field.c-set', (n) =>
      n.map((c) => c.getAttribute("data-e")),
    );
    check(
      "rosetta: one +1, at 200, and HF's only non-zero field is 200",
      plus.join() === "200" && set.join() === "200",
    );
  });
  await shoot("rosetta");
}
