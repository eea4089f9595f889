import { test } from "vitest";
import { trilm } from "../src/cli/harness.js";
test("run", async () => {
  const args = JSON.parse(process.env.F1_ARGS ?? "[]") as string[];
  const r = await trilm(...args);
  console.log(`code ${r.code}\n${r.stdout}\n${r.stderr}`);
}, 600000);
