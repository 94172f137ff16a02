// Browser test of `fieldbook serve`, the live preview, in headless Chromium: an open runbook
// reloads with the new text when its file is saved (keeping the scroll position), broken front
// matter shows an overlay naming the file and line, and fixing it takes the overlay away.
//
// Needs FIELDBOOK_BIN (the fieldbook binary; set by tests/it/browser.rs, or falls back to
// target/debug/fieldbook). Serves a temporary copy of tests/fixtures/valid.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { REPO, SCREENSHOTS, formatViolations, launch, runAxe, watch } from "./lib.mjs";

const BIN = process.env.FIELDBOOK_BIN || path.join(REPO, "target/debug/fieldbook");
const RUNBOOK = "content/runbooks/db/failover.md";
const PAGE = "runbooks/db/failover/";

let site;
let server;
let origin;
let browser;
let log = "";

/** A long runbook body, so that there is something to scroll. */
function longBody(marker) {
  const steps = Array.from(
    { length: 60 },
    (_, i) => `${i + 1}. Step ${i + 1}: check the replica lag and the connection count.`,
  ).join("\n");
  return `\n## Steps\n\n${steps}\n\n## After\n\n${marker}\n`;
}

function frontMatter(title = "Database failover") {
  return `---\ntitle: ${title}\nowners: [team-db]\nreviewed: 2026-11-01\nalerts: [PostgresPrimaryDown]\nseverity: critical\n---\n`;
}

before(async () => {
  if (!existsSync(BIN)) throw new Error(`no fieldbook binary at ${BIN}: set FIELDBOOK_BIN`);
  site = mkdtempSync(path.join(os.tmpdir(), "fieldbook-serve-"));
  cpSync(path.join(REPO, "tests/fixtures/valid"), site, { recursive: true });
  writeFileSync(path.join(site, RUNBOOK), frontMatter() + longBody("First version of the text."));
  server = spawn(BIN, ["serve", site, "--port", "0", "--color", "never"], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  origin = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`fieldbook serve did not start:\n${log}`)), 60000);
    server.stderr.setEncoding("utf8");
    server.stderr.on("data", (chunk) => {
      log += chunk;
      const m = log.match(/^serving .* at (http:\/\/127\.0\.0\.1:\d+)\/$/m);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    server.on("exit", (code) => reject(new Error(`fieldbook serve exited (${code}):\n${log}`)));
  });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  server?.kill();
  if (site) rmSync(site, { recursive: true, force: true });
});

function save(text) {
  writeFileSync(path.join(site, RUNBOOK), text);
}

test("an open page reloads with the new text, at the same scroll position", async () => {
  const context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
  const page = await context.newPage();
  const trouble = watch(page);
  try {
    await page.goto(`${origin}/${PAGE}`);
    await page.waitForFunction(() => window.__fieldbookLive === true);
    // The script is connected once the server's hello has arrived; give it a moment.
    await page.waitForTimeout(300);
    // "instant": the theme scrolls smoothly when motion is allowed, and scrollY would lag.
    await page.evaluate(() => window.scrollTo({ top: 900, behavior: "instant" }));
    const y = await page.evaluate(() => window.scrollY);
    assert.ok(y > 500, `the page scrolls (scrollY ${y})`);

    const navigations = [];
    page.on("framenavigated", (f) => f === page.mainFrame() && navigations.push(f.url()));
    save(frontMatter() + longBody("Second version, saved while the page was open."));
    await page.waitForFunction(
      () => document.body.textContent.includes("Second version, saved while the page was open."),
      null,
      { timeout: 20000 },
    );
    assert.equal(navigations.length, 1, "one reload");
    await page.waitForFunction((y) => Math.abs(window.scrollY - y) < 80, y, { timeout: 5000 });
    // Reloading ends the page's event stream: that is not a failure.
    const problems = trouble.problems.filter(
      (p) => !/__fieldbook\/events: net::ERR_ABORTED/.test(p),
    );
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test("broken front matter shows an overlay with the file and line; fixing it clears it", async () => {
  const context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
  const page = await context.newPage();
  // A page elsewhere in the site shows the overlay too.
  const other = await context.newPage();
  try {
    await page.goto(`${origin}/${PAGE}`);
    await other.goto(`${origin}/about/`);
    for (const p of [page, other]) await p.waitForFunction(() => window.__fieldbookLive === true);
    await page.waitForTimeout(300);
    const before = await page.textContent("main");

    // Line 3 of the file: an unclosed list.
    save(frontMatter().replace("owners: [team-db]", "owners: [team-db") + longBody("Broken."));
    const overlay = page.getByRole("alertdialog");
    await overlay.waitFor({ timeout: 20000 });
    const text = await overlay.textContent();
    assert.match(text, /content\/runbooks\/db\/failover\.md:\d+:\d+/);
    const line = Number(text.match(/failover\.md:(\d+):/)[1]);
    assert.ok(line >= 3 && line <= 5, `the line of the error (${line})`);
    assert.match(text, /invalid-metadata/);
    // Text from the server is text, not markup.
    assert.equal(await overlay.locator("script, img").count(), 0);
    await other.getByRole("alertdialog").waitFor({ timeout: 20000 });
    // The last good page is still what is shown.
    assert.equal(await page.textContent("main"), before);

    await mkdir(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOTS, "serve-error-overlay.png") });
    const violations = await runAxe(page, [
      "aria-dialog-name",
      "aria-allowed-role",
      "button-name",
      "color-contrast",
    ]);
    assert.deepEqual(violations, [], formatViolations(violations));

    // Fixed: the overlay goes away and the page shows the new text.
    save(frontMatter() + longBody("Third version, after the fix."));
    await page.waitForFunction(
      () => document.body.textContent.includes("Third version, after the fix."),
      null,
      { timeout: 20000 },
    );
    await page.getByRole("alertdialog").waitFor({ state: "detached", timeout: 20000 });
    await other.getByRole("alertdialog").waitFor({ state: "detached", timeout: 20000 });

    // The overlay can be dismissed by hand too.
    save(frontMatter().replace("owners: [team-db]", "owners: [team-db") + longBody("Broken again."));
    await page.getByRole("alertdialog").waitFor({ timeout: 20000 });
    await page.getByRole("button", { name: "Dismiss" }).click();
    assert.equal(await page.getByRole("alertdialog").count(), 0);
    save(frontMatter() + longBody("Fourth version."));
    await page.waitForFunction(() => document.body.textContent.includes("Fourth version."), null, {
      timeout: 20000,
    });
  } finally {
    await context.close();
  }
  assert.doesNotMatch(log, /panicked/);
  assert.ok(readFileSync(path.join(site, RUNBOOK), "utf8").includes("Fourth version."));
});
