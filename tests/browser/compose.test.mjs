// Search in a composed handbook (docs/many-repos.md, "Search across the handbook"): a part's
// pages, copied as its build wrote them, search every part through the handbook's merged index
// (the part's index.json points at it), and a part served alone still searches itself.
//
//   FIELDBOOK_BIN  the fieldbook binary (default: target/debug/fieldbook under cargo test)

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { serve } from "./server.mjs";
import { builtBinary, launch, watch } from "./lib.mjs";

let tmp;
let browser;
const servers = {};

const doc = (title, body) =>
  `---\ntitle: ${title}\nkind: runbook\nowners: [alice]\nreviewed: 2026-11-01\n---\n\n${body}\n`;

/** A site of `files` built as part `name`; the part's folder. */
function part(name, files) {
  const src = path.join(tmp, "src", name);
  const all = {
    "book.toml": `[book]\ntitle = "${name}"\n`,
    "owners.yaml": "people:\n  alice: { name: Alice }\n",
    ...files,
  };
  for (const [rel, text] of Object.entries(all)) {
    mkdirSync(path.dirname(path.join(src, rel)), { recursive: true });
    writeFileSync(path.join(src, rel), text);
  }
  const out = path.join(tmp, "parts", name);
  try {
    execFileSync(builtBinary(), ["build", src, "--part", name, "--output", out, "--today", "2026-11-27"], { stdio: "pipe" });
  } catch (e) {
    if (e.status !== 1) throw e; // findings: the part is written
  }
  return out;
}

before(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), "fieldbook-compose-test-"));
  const a = part("alpha", { "content/runbooks/disk.md": doc("Disk full", "Free space on the volume.") });
  const b = part("beta", { "content/runbooks/zebra.md": doc("Zebra queue stuck", "Restart the zebra consumer.") });
  const out = path.join(tmp, "handbook");
  execFileSync(builtBinary(), ["compose", a, b, "--output", out, "--today", "2026-11-27"], { stdio: "pipe" });
  servers.handbook = await serve(out);
  servers.alone = await serve(path.join(a, "alpha"));
  browser = await launch();
});

after(async () => {
  await browser?.close();
  for (const s of Object.values(servers)) await s.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** Type `text` into the search box `sel` of the page at `url` and go to the first result. */
async function firstResult(url, text, sel = "#header-search-input") {
  const page = await (await browser.newContext()).newPage();
  const w = watch(page);
  await page.goto(url);
  await page.waitForFunction(() => !!window.fieldbookSearch);
  const input = page.locator(sel);
  await input.pressSequentially(text, { delay: 15 });
  await page.waitForFunction((sel) => {
    const i = document.querySelector(sel);
    const box = document.getElementById(i.getAttribute("aria-controls"));
    return box && box.querySelector("[role=option]:not(.search-all)");
  }, sel);
  const title = await page.evaluate((sel) => {
    const i = document.querySelector(sel);
    const box = document.getElementById(i.getAttribute("aria-controls"));
    return box.querySelector("[role=option] .search-result-title").textContent;
  }, sel);
  await input.press("ArrowDown");
  await Promise.all([page.waitForNavigation(), input.press("Enter")]);
  const landed = new URL(page.url()).pathname;
  await page.context().close();
  // Leaving for the result may cancel a snippet's fetch: navigation, not a failure.
  return { title, landed, problems: w.problems.filter((p) => !/net::ERR_ABORTED/.test(p)) };
}

test("a part's page in a composed handbook finds another part's runbook", async () => {
  const r = await firstResult(servers.handbook.base + "alpha/runbooks/disk/", "zebra");
  assert.equal(r.title, "Zebra queue stuck");
  assert.equal(r.landed, "/beta/runbooks/zebra/");
  assert.deepEqual(r.problems, []);
});

test("the handbook's home page searches every part", async () => {
  const r = await firstResult(servers.handbook.base, "disk", "#search-input");
  assert.equal(r.title, "Disk full");
  assert.equal(r.landed, "/alpha/runbooks/disk/");
  assert.deepEqual(r.problems, []);
});

test("a part served alone searches itself", async () => {
  const r = await firstResult(servers.alone.base + "runbooks/disk/", "disk");
  assert.equal(r.landed, "/runbooks/disk/");
  assert.deepEqual(r.problems, []);
});

test("the handbook's search page ranks every part's documents", async () => {
  const page = await (await browser.newContext()).newPage();
  const w = watch(page);
  await page.goto(servers.handbook.base + "search/?q=runbook%20disk%20zebra");
  await page.waitForFunction(() => document.querySelectorAll("#search-results .search-result").length === 2);
  const hrefs = await page.evaluate(() =>
    [...document.querySelectorAll("#search-results .search-result a")].map((a) => new URL(a.href).pathname));
  assert.deepEqual(hrefs.sort(), ["/alpha/runbooks/disk/", "/beta/runbooks/zebra/"]);
  assert.deepEqual(w.problems, []);
  await page.context().close();
});
