// On a phone (390 × 844) the sections sit behind a menu button, so a runbook's header does
// not push its page down (issue 29, point 3); the button opens and closes them, and on a
// desktop there is no button and the sections show. A runbook shows one line of owners,
// channel and review state instead of its metadata card, and its card and table of contents
// fold behind buttons, so that the procedure starts on the first screen; on a desktop the
// card and contents show as before and the line is hidden.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { PAGES, builtBinary, formatViolations, runAxe, servedSite } from "./lib.mjs";
import { serve } from "./server.mjs";

const site = servedSite();
const PHONE = { width: 390, height: 844 };

// A handbook whose runbook starts, as a runbook should, with a short summary and then its
// first command: on a phone that command must be on the first screen (the demo's runbooks
// have long Summary, Impact and Symptoms sections before their first command).
let tmp;
let quick;
before(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), "fieldbook-phone-"));
  const src = path.join(tmp, "src");
  mkdirSync(path.join(src, "content/runbooks"), { recursive: true });
  writeFileSync(path.join(src, "book.toml"), '[book]\ntitle = "Phone Handbook"\n[build]\ntoday = "2026-11-27"\n');
  writeFileSync(
    path.join(src, "owners.yaml"),
    'people:\n  ana: { name: Ana Lima }\nteams:\n  team-web:\n    name: Web Platform\n    members: [ana]\n    channel: "#web-oncall"\n',
  );
  writeFileSync(
    path.join(src, "content/runbooks/web-5xx.md"),
    [
      "---",
      "title: Web frontend returns 5xx errors",
      "owners: [team-web]",
      "reviewed: 2026-11-01",
      "services: [web, ingress, cdn]",
      "alerts: [WebHigh5xxRate, WebIngressErrors]",
      "tags: [web, http, triage, ingress, cdn]",
      "severity: critical",
      "---",
      "",
      "## Summary",
      "",
      "The web frontend answers with 5xx: check the pods first, then the last deploy.",
      "",
      "## Diagnosis",
      "",
      "1. **List the pods:**",
      "",
      "   ```console",
      "   $ kubectl -n web get pods -l app=frontend",
      "   ```",
      "",
      "2. **Read the logs:**",
      "",
      "   ```console",
      "   $ kubectl -n web logs deploy/frontend --tail=50",
      "   ```",
      "",
      "## Mitigation",
      "",
      "Roll back the last deploy.",
      "",
      "## Escalation",
      "",
      "Ask `#web-oncall`.",
      "",
    ].join("\n"),
  );
  const out = path.join(tmp, "site");
  try {
    execFileSync(builtBinary(), ["build", src, "--output", out, "--color", "never"], { stdio: "pipe" });
  } catch (e) {
    // Findings may fail the build's exit code; the site is written anyway.
    if (e.status !== 1) throw e;
  }
  quick = await serve(out);
});
after(async () => {
  await quick?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

test("on a phone the navigation is behind a menu button", async () => {
  const page = await site.browser.newPage({ viewport: { width: 390, height: 844 } });
  await page.goto(site.server.base + PAGES.freshRunbook);
  const nav = page.locator("#site-nav");
  const button = page.locator(".nav-toggle");
  assert.ok(await button.isVisible(), "the menu button shows");
  assert.ok(!(await nav.isVisible()), "the sections are folded away");
  const header = await page.locator(".site-header").boundingBox();
  assert.ok(header.height < 160, `the site header is ${header.height}px tall`);
  await button.click();
  assert.ok(await nav.isVisible(), "the button opens the sections");
  assert.equal(await button.getAttribute("aria-expanded"), "true");
  await button.click();
  assert.ok(!(await nav.isVisible()));
  assert.equal(await button.getAttribute("aria-expanded"), "false");
  await page.close();
});

test("on a desktop the sections show and there is no button", async () => {
  const page = await site.browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(site.server.base + PAGES.freshRunbook);
  assert.ok(await page.locator("#site-nav").isVisible());
  assert.ok(!(await page.locator(".nav-toggle").isVisible()));
  await page.close();
});

test("on a phone a runbook's first command is on the first screen", async () => {
  const page = await site.browser.newPage({ viewport: PHONE });
  try {
    await page.goto(quick.base + "runbooks/web-5xx/");
    const top = await page.locator(".doc-body pre.code").first().evaluate((e) => e.getBoundingClientRect().top);
    assert.ok(top < 844, `the first command starts ${top}px down`);
    await page.screenshot({ path: path.join(process.env.FIELDBOOK_SCREENSHOTS || "target/browser-screenshots", "phone-runbook.png") });
  } finally {
    await page.close();
  }
});

test("on a phone a runbook shows a metadata line and folds its card and contents", async () => {
  const page = await site.browser.newPage({ viewport: PHONE });
  try {
    await page.goto(site.server.base + PAGES.freshRunbook);
    // One line: owners with their channel, and the review state in words.
    const line = page.locator(".meta-line");
    assert.ok(await line.isVisible());
    assert.match(await line.innerText(), /^Owners: Data Reliability #db-oncall · Reviewed 2026-07-14: (fresh|review due soon|stale)$/);
    // The card and the table of contents are folded; what is above the procedure is short.
    assert.ok(!(await page.locator("dl.meta").isVisible()));
    assert.ok(!(await page.locator(".toc ol").isVisible()));
    const body = await page.locator(".doc-body").evaluate((e) => e.getBoundingClientRect().top);
    assert.ok(body < 420, `the runbook's text starts ${body}px down`);
    // The buttons unfold them, and say so.
    const details = page.getByRole("button", { name: "All details" });
    await details.click();
    assert.equal(await details.getAttribute("aria-expanded"), "true");
    assert.ok(await page.locator("dl.meta").isVisible());
    const contents = page.locator(".toc").getByRole("button", { name: "On this page" });
    await contents.focus();
    await page.keyboard.press("Enter");
    assert.equal(await contents.getAttribute("aria-expanded"), "true");
    assert.ok(await page.locator(".toc ol").isVisible());
    // Printed, nothing is folded: the whole card, no line, no buttons.
    await details.click();
    await page.emulateMedia({ media: "print" });
    assert.ok(await page.locator("dl.meta").isVisible());
    assert.ok(!(await page.locator(".meta-line").isVisible()));
    assert.equal(await page.locator(".fold-toggle:visible").count(), 0);
  } finally {
    await page.close();
  }
});

test("the stale state of the line follows the reader's clock", async () => {
  const page = await site.browser.newPage({ viewport: PHONE });
  try {
    await page.clock.setFixedTime(new Date("2031-01-01T12:00:00"));
    await page.goto(site.server.base + PAGES.freshRunbook);
    await page.waitForFunction(() => document.querySelector(".doc-header[data-review-now]"));
    assert.match(await page.locator(".meta-line").innerText(), /: stale$/);
  } finally {
    await page.close();
  }
});

test("on a desktop the metadata card and contents show as before, without the line", async () => {
  const page = await site.browser.newPage({ viewport: { width: 1280, height: 800 } });
  try {
    await page.goto(site.server.base + PAGES.freshRunbook);
    assert.ok(!(await page.locator(".meta-line").isVisible()));
    assert.ok(await page.locator("dl.meta").isVisible());
    assert.ok(await page.locator(".toc ol").isVisible());
    assert.equal(await page.locator(".fold-toggle:visible").count(), 0);
    // The contents keep their heading and name.
    assert.equal(await page.getByRole("navigation", { name: "On this page", exact: true }).count(), 1);
    assert.equal(await page.getByRole("heading", { name: "On this page", exact: true }).count(), 1);
  } finally {
    await page.close();
  }
});

test("the folded runbook is accessible on a phone (axe-core), light and dark", async () => {
  const failures = [];
  for (const colorScheme of ["light", "dark"]) {
    const context = await site.browser.newContext({ viewport: PHONE, colorScheme });
    const page = await context.newPage();
    try {
      await page.goto(site.server.base + PAGES.staleRunbook);
      const violations = await runAxe(page, colorScheme === "dark" ? ["color-contrast"] : null);
      const bad = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
      if (bad.length) failures.push(`${colorScheme}:\n${formatViolations(bad)}`);
    } finally {
      await context.close();
    }
  }
  assert.ok(failures.length === 0, `axe-core violations:\n${failures.join("\n")}`);
});
