// `fieldbook pack`: the offline incident pack opened from file:// with every network request
// blocked. Its search works, every in-page link lands, nothing is fetched, axe finds no
// serious or critical violation, and it prints a page per runbook.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { REPO, formatViolations, launch, runAxe } from "./lib.mjs";

let tmp;
let browser;
let file;

function fieldbook(args) {
  const built = path.join(process.env.CARGO_TARGET_DIR || path.join(REPO, "target"), "debug/fieldbook");
  const bin = process.env.FIELDBOOK_BIN || (existsSync(built) ? built : null);
  const [cmd, pre] = bin ? [bin, []] : ["cargo", ["run", "-q", "--manifest-path", path.join(REPO, "Cargo.toml"), "--"]];
  return execFileSync(cmd, [...pre, ...args], { cwd: REPO, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

before(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), "fieldbook-pack-test-"));
  file = path.join(tmp, "pack.html");
  fieldbook(["pack", REPO, "--output", file]);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** The pack from file://, every request but the file itself refused (and recorded). */
async function open() {
  const context = await browser.newContext();
  const page = await context.newPage();
  const requests = [];
  const errors = [];
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url === pathToFileURL(file).href) return route.continue();
    requests.push(url);
    return route.abort();
  });
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  await page.goto(pathToFileURL(file).href);
  return { context, page, requests, errors };
}

test("the demo's whole runbook set is under 1 MB", () => {
  assert.ok(statSync(file).size < 1024 * 1024, `${statSync(file).size} bytes`);
});

test("offline: search finds sections and its results land; nothing is fetched", async () => {
  const { context, page, requests, errors } = await open();
  try {
    await page.locator("#pack-q").fill("replication lag");
    await page.waitForFunction(() => document.querySelectorAll("#pack-results li").length > 0);
    const first = page.locator("#pack-results li a").first();
    assert.match(await first.innerText(), /replication lag/i);
    const href = await first.getAttribute("href");
    await first.click();
    await page.waitForFunction((h) => location.hash === h, href);
    const inView = await page.evaluate((id) => {
      const r = document.getElementById(id).getBoundingClientRect();
      return r.top >= -1 && r.top < innerHeight;
    }, href.slice(1));
    assert.ok(inView, `${href} is not scrolled into view`);
    // A word in no runbook says so.
    await page.locator("#pack-q").fill("zzqxjv");
    await page.waitForFunction(() => /No section/.test(document.getElementById("pack-status").textContent));
    // Every in-page link has its target.
    const dangling = await page.evaluate(() =>
      [...document.querySelectorAll('a[href^="#"]')]
        .map((a) => decodeURIComponent(a.getAttribute("href").slice(1)))
        .filter((id) => !document.getElementById(id)));
    assert.deepEqual(dangling, []);
    assert.ok(await page.locator("main article").count() >= 10);
  } finally {
    await context.close();
  }
  assert.deepEqual(requests, [], "the pack fetched something");
  assert.deepEqual(errors, []);
});

test("accessibility: axe reports no serious or critical violation", async () => {
  const { context, page } = await open();
  try {
    const serious = (await runAxe(page)).filter((v) => v.impact === "serious" || v.impact === "critical");
    assert.deepEqual(serious, [], formatViolations(serious));
  } finally {
    await context.close();
  }
});

test("print: the search is hidden and each runbook starts a page", async () => {
  const { context, page } = await open();
  try {
    await page.emulateMedia({ media: "print" });
    const style = await page.evaluate(() => ({
      search: getComputedStyle(document.querySelector(".pack-search")).display,
      breaks: [...document.querySelectorAll("main article")].map((a) => getComputedStyle(a).breakBefore),
    }));
    assert.equal(style.search, "none");
    assert.ok(style.breaks.every((b) => b === "page"), JSON.stringify(style.breaks));
  } finally {
    await context.close();
  }
});
