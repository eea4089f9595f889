/**
 * The TriRun view's tests in a real browser (M9), run by web-tests.mjs: a strip drawn from the test's seed shows
 * the same B words as `trilm explain trirun --seed S --tile T`; clicking an element shows the word (row, column),
 * crumb, MMA lane / register / half / call / fragment / shift that reference/codec's trirunElementLocation and
 * trirunFragmentPosition give, and outlines exactly the elements trirunElementAt puts in the same word; the arrow
 * keys move the selection and the focus; typed codes repack the word as spec/trirun.md §5 says.
 */

/** "B[0][13] = 0x…" lines of `trilm explain trirun` → Map(column → hex word). */
function wordsOfExplain(text) {
  return new Map([...text.matchAll(/B\[0\]\[\s*(\d+)\] = (0x[0-9a-f]{8})/g)].map((m) => [Number(m[1]), m[2]]));
}

/** Section 1 of `trilm explain trirun` ("k= 3 |  1  0 …") → the tile's codes, [k][c]. */
function tileCodesOfExplain(text) {
  const rows = [...text.matchAll(/^ {3}k=\s*(\d+) \|((?: +\d){16})$/gm)].slice(0, 16);
  if (rows.length !== 16) throw new Error(`trilm explain trirun: ${rows.length} code rows, expected 16`);
  return rows.map((m) => m[2].trim().split(/ +/).map(Number));
}

/** `0x…` of an unsigned 32-bit word. */
const hexWord = (w) => `0x${(w >>> 0).toString(16).padStart(8, "0")}`;

/**
 * Run the TriRun view's checks. `trirun` and `trirunFragment` are reference/codec/trirun.ts and trirun-fragment.ts
 * (bundled with the CLI); `open`, `check`, `step`, `shoot`, `attr` are web-tests.mjs's helpers.
 */
export async function runTrirunWebTests({
  page,
  cli,
  mulberry32,
  trirun,
  trirunFragment,
  seed,
  open,
  check,
  step,
  shoot,
  attr,
}) {
  const random = mulberry32(seed ^ 0x7a1e);
  const stripSeed = seed >>> 0;
  const tile = Math.floor(random() * 4);
  let words = new Map();
  await step("trirun: random strip and tile", async () => {
    words = wordsOfExplain(cli(["explain", "trirun", "--seed", String(stripSeed), "--tile", String(tile)]));
    await open("#trirun", "trirun");
    await page.fill("#trirun-seed", String(stripSeed));
    await page.click("#trirun-random");
    await page.selectOption("#trirun-tile", String(tile));
    const shown = await attr("#trirun-grid", "data-tile");
    check(`trirun: tile ${tile} shown`, shown === String(tile), `data-tile ${shown}`);
  });

  const elements = [
    [0, 16 * tile],
    [15, 16 * tile + 15],
    ...Array.from({ length: 4 }, () => [Math.floor(random() * 16), 16 * tile + Math.floor(random() * 16)]),
  ];
  for (const [k, n] of elements) {
    await step(`trirun: click (${k}, ${n})`, async () => {
      await page.click(`#trirun-grid [data-k="${k}"][data-n="${n}"]`);
      await page.waitForSelector(`#trirun-detail[data-k="${k}"][data-n="${n}"]`, { timeout: 30_000 });
      const shown = await page.$eval("#trirun-detail", (el) => ({ ...el.dataset }));
      const place = trirun.trirunElementLocation(64, k, n);
      const position = trirunFragment.trirunFragmentPosition(k, n);
      const expected = {
        row: place.row,
        column: place.column,
        crumb: place.crumb,
        lane: position.lane,
        laneWord: position.word,
        mma: position.mma,
        fragment: position.fragment,
        register: position.register,
        half: position.half,
        shift: position.shift,
      };
      const differing = Object.entries(expected).filter(([key, value]) => shown[key] !== String(value));
      check(
        `trirun: (${k}, ${n}) is B[${place.row}][${place.column}] crumb ${place.crumb}, lane ${position.lane} ` +
          `b${position.register}.${position.half === 0 ? "lo" : "hi"} j${position.mma} f${position.fragment} >> ${position.shift}`,
        differing.length === 0,
        differing.map(([key, value]) => `${key}: page ${shown[key]}, reference ${value}`).join("; "),
      );
      check(
        `trirun: (${k}, ${n}) word = trilm explain trirun's B[0][${place.column}]`,
        shown.word === words.get(place.column),
        `page ${shown.word}, cli ${words.get(place.column)}`,
      );
      const binary = await attr("#trirun-word-binary", "data-binary");
      const marked = await page.$eval("#trirun-word-binary .crumb-selected", (el) => el.getAttribute("data-crumb"));
      check(
        `trirun: (${k}, ${n}) binary word and marked crumb ${place.crumb}`,
        binary === (parseInt(words.get(place.column) ?? "0", 16) >>> 0).toString(2).padStart(32, "0") &&
          marked === String(place.crumb),
        `binary ${binary}, marked crumb ${marked}`,
      );
      const lit = (
        await page.$$eval("#trirun-grid .cell.share", (nodes) =>
          nodes.map((c) => `${c.getAttribute("data-k")},${c.getAttribute("data-n")}`),
        )
      ).sort();
      const sharers = Array.from({ length: 16 }, (_, c) => trirun.trirunElementAt(place.row, place.column, c))
        .filter((e) => Math.floor(e.n / 16) === tile)
        .map((e) => `${e.k},${e.n}`)
        .sort();
      check(
        `trirun: (${k}, ${n}) outlines the ${sharers.length} elements of its word in tile ${tile}`,
        JSON.stringify(lit) === JSON.stringify(sharers),
        `page ${JSON.stringify(lit)}, reference ${JSON.stringify(sharers)}`,
      );
    });
  }

  await step("trirun: arrow keys move the selection and the focus", async () => {
    const n0 = 16 * tile;
    await page.click(`#trirun-grid [data-k="4"][data-n="${n0 + 4}"]`);
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowDown");
    await page.waitForSelector(`#trirun-detail[data-k="6"][data-n="${n0 + 5}"]`, { timeout: 30_000 });
    const focused = await page.evaluate(() => {
      const el = document.activeElement;
      return el instanceof HTMLElement ? `${el.dataset.k},${el.dataset.n},${el.getAttribute("aria-pressed")}` : "";
    });
    check(
      "trirun: ArrowRight, ArrowDown ×2 from (4, 4) selects and focuses (6, 5)",
      focused === `6,${n0 + 5},true`,
      focused,
    );
    await page.keyboard.press("End");
    await page.keyboard.press("Enter");
    const detail = await page.$eval("#trirun-detail", (el) => `${el.dataset.k},${el.dataset.n}`);
    check("trirun: End goes to the row's last cell", detail === `6,${n0 + 15}`, detail);
  });

  await step("trirun: typed codes repack the word", async () => {
    const typed = Array.from({ length: 256 }, () => Math.floor(random() * 4));
    await page.fill("#trirun-codes", typed.join(" "));
    await page.click("#trirun-apply");
    const error = ((await page.textContent("#trirun-error")) ?? "").trim();
    if (error !== "") throw new Error(`the page refused the codes: ${error}`);
    const neighbour = tile ^ 1; // a word spans n and n + 16: tiles 0-1, 2-3 (spec/trirun.md §5)
    const neighbourCodes = tileCodesOfExplain(
      cli(["explain", "trirun", "--seed", String(stripSeed), "--tile", String(neighbour)]),
    );
    const codeOf = (k, n) => (Math.floor(n / 16) === tile ? typed[16 * k + (n % 16)] : neighbourCodes[k][n % 16]);
    const [k, n] = [Math.floor(random() * 16), 16 * tile + Math.floor(random() * 16)];
    await page.click(`#trirun-grid [data-k="${k}"][data-n="${n}"]`);
    await page.waitForSelector(`#trirun-detail[data-k="${k}"][data-n="${n}"]`, { timeout: 30_000 });
    const { row, column } = trirun.trirunElementLocation(64, k, n);
    let word = 0;
    for (let c = 0; c < 16; c++) {
      const e = trirun.trirunElementAt(row, column, c);
      word |= codeOf(e.k, e.n) << (2 * c);
    }
    const shown = await attr("#trirun-detail", "data-word");
    check(
      `trirun: typed tile ${tile}: (${k}, ${n})'s word B[0][${column}]`,
      shown === hexWord(word),
      `page ${shown}, expected ${hexWord(word)}`,
    );
    await page.fill("#trirun-codes", "0 1 4");
    await page.click("#trirun-apply");
    const bad = await page.textContent("#trirun-error");
    check(
      "trirun: a code 4 is refused with one line naming it",
      (bad ?? "").trim() === "codes: item 3 ('4') is not a code 0..3",
      bad ?? "",
    );
  });
  await shoot("trirun");
}
