// A runbooks repository adopted as it is (tests/fixtures/adopt-runbooks, issue 28), in Chromium:
// a roster made from a chat channel is never shown as lapsed or disbanded, a raw-HTML image
// loads under folder-style URLs, table-of-contents markers are not shown as text, a page with
// a repeated front matter key is built (and the link to it works), and the page of an alert a
// runbook is named after sends the reader to it.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { serve } from "./server.mjs";
import { REPO, builtBinary, htmlPages, launch, watch } from "./lib.mjs";

let tmp;
let browser;
let server;
let pages = [];



before(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), "fieldbook-adopt-test-"));
  const src = path.join(tmp, "src");
  cpSync(path.join(REPO, "tests/fixtures/adopt-runbooks"), src, { recursive: true });
  // Built from inside the repository, with no directory argument, as a user would.
  execFileSync(builtBinary(), ["build", "--color", "never"], { cwd: src, stdio: "pipe" });
  const out = path.join(src, ".site");
  pages = htmlPages(out);
  server = await serve(out);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

test("no page says an owner lapsed or was disbanded when nobody did", async () => {
  const page = await browser.newPage();
  for (const rel of pages) {
    await page.goto(`${server.base}${rel}`);
    const text = await page.locator("body").innerText();
    for (const wrong of [/disbanded/i, /\b[1-9]\d* lapsed owner/i, /^Lapsed owner$/m, /nobody owns/i, /\[owners\]/, /book\.toml/]) {
      assert.doesNotMatch(text, wrong, `${rel} says ${wrong}`);
    }
  }
  await page.goto(`${server.base}docs/db/alerts/PostgresReplicationLag/`);
  const text = await page.locator("main").innerText();
  assert.match(text, /No owner is named for this runbook/);
  assert.match(text, /Platform/);
  await page.close();
});

test("the runbook shows its image and its contents, not the marker", async () => {
  const page = await browser.newPage();
  const { problems } = watch(page);
  await page.goto(`${server.base}docs/db/alerts/PostgresReplicationLag/`);
  const img = page.locator("main img[alt='Replication lag graph']");
  await img.waitFor();
  const width = await img.evaluate((el) => (el.complete ? el.naturalWidth : -1));
  assert.equal(width, 40, "the raw-HTML image did not load");
  const main = await page.locator("main").innerText();
  assert.doesNotMatch(main, /\[TOC\]|\[\[_TOC_\]\]/);
  assert.match(main, /Symptoms/);
  assert.deepEqual(problems, []);
  await page.close();
});

test("a page with a repeated key is built and links to it work", async () => {
  const page = await browser.newPage();
  const { problems } = watch(page);
  await page.goto(`${server.base}docs/web/restart/`);
  assert.match(await page.locator("h1").innerText(), /Restart the web tier/);
  assert.doesNotMatch(await page.locator("main").innerText(), /_TOC_/);
  await page.locator("main a", { hasText: "the lag runbook" }).click();
  await page.waitForURL(/PostgresReplicationLag\/$/);
  assert.deepEqual(problems, []);
  await page.close();
});

test("the page of an alert a runbook is named after opens the runbook", async () => {
  const page = await browser.newPage();
  await page.goto(`${server.base}alerts/PostgresReplicationLag/?instance=db-1`);
  await page.waitForURL(/docs\/db\/alerts\/PostgresReplicationLag\/\?instance=db-1$/);
  assert.match(await page.locator("h1").innerText(), /PostgresReplicationLag/);
  await page.close();
});

test("search results name the ownership state readers see", async () => {
  const page = await browser.newPage();
  await page.goto(`${server.base}search/?q=PostgresReplicationLag`);
  const result = page.locator(".search-results li").first();
  await result.waitFor();
  const text = await result.innerText();
  assert.match(text, /No owner named/);
  assert.doesNotMatch(text, /Lapsed owner/);
  await page.close();
});
