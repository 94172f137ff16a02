// XSS in the browser: tests/fixtures/xss (every user-controlled field holds a payload that
// sets `window.__xss` or calls `alert`) is built with raw_html = false and every page is
// loaded in Chromium; then the search UI is fed payload queries (typed, and in `?q=`), whose
// results show the payload titles and snippets. No payload may run: `window.__xss` stays
// unset, no dialog opens, and the DOM holds no event-handler attribute or script URL.
// (tests/it/xss.rs checks the same files as text.)

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { serve } from "./server.mjs";
import { REPO, builtBinary, htmlPages, launch } from "./lib.mjs";

let tmp;
let browser;
let server;
let pages = [];



before(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), "fieldbook-xss-test-"));
  const src = path.join(tmp, "src");
  cpSync(path.join(REPO, "tests/fixtures/xss"), src, { recursive: true });
  const out = path.join(tmp, "site");
  try {
    execFileSync(builtBinary(), ["build", src, "--output", out, "--color", "never"], { stdio: "pipe" });
  } catch (e) {
    // Findings (an overdue action item) exit 1 after writing the site.
    if (e.status !== 1) throw e;
  }
  pages = htmlPages(out);
  assert.ok(pages.length > 15, `only ${pages.length} pages`);
  server = await serve(out);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

async function open() {
  const page = await browser.newPage();
  const dialogs = [];
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    d.dismiss().catch(() => {});
  });
  return { page, dialogs };
}

/** What the DOM shows of a payload that got through. */
function domProblems(page) {
  return page.evaluate(() => {
    const found = [];
    if (window.__xss !== undefined) found.push(`window.__xss = ${window.__xss}`);
    for (const el of document.querySelectorAll("*")) {
      for (const a of el.attributes) {
        const v = a.value.replace(/[\s\u0000-\u001f]/g, "").toLowerCase();
        if (a.name.startsWith("on")) found.push(`<${el.localName} ${a.name}>`);
        if (["href", "src", "action", "formaction"].includes(a.name) && /^(javascript|vbscript|data:text)/.test(v)) {
          found.push(`<${el.localName} ${a.name}="${a.value}">`);
        }
      }
    }
    for (const s of document.scripts) {
      // Data blocks (JSON for the theme's script) never run.
      if (/^application\/(ld\+)?json$/.test(s.type)) continue;
      if (!s.src || !new URL(s.src).pathname.includes("/static/")) found.push(`script ${s.src || s.textContent.slice(0, 60)}`);
    }
    return found;
  });
}

test("no payload runs on any page", async () => {
  const { page, dialogs } = await open();
  for (const rel of pages) {
    await page.goto(server.base + rel, { waitUntil: "load" });
    await page.waitForTimeout(30);
    const found = await domProblems(page);
    assert.deepEqual(found, [], `${rel}: ${found.join(", ")}`);
  }
  assert.deepEqual(dialogs, [], "dialogs opened");
  await page.close();
});

test("links in hostile pages do not run script when followed", async () => {
  const { page, dialogs } = await open();
  await page.goto(server.base + "runbooks/web/payload/", { waitUntil: "load" });
  const hrefs = await page.evaluate(() =>
    [...document.querySelectorAll("main a[href]")].map((a) => a.getAttribute("href")),
  );
  for (const href of hrefs) {
    await page.goto(new URL(href, server.base + "runbooks/web/payload/").href, { waitUntil: "load" }).catch(() => {});
    assert.equal(await page.evaluate(() => window.__xss), undefined, `following ${href}`);
  }
  assert.deepEqual(dialogs, []);
  await page.close();
});

test("the search UI shows payload titles, snippets and queries as text", async () => {
  const { page, dialogs } = await open();
  await page.goto(server.base, { waitUntil: "load" });
  const input = page.locator("#search-input, #header-search-input").first();
  for (const q of ["script", "xss", "<img src=x onerror=alert(1)>", "\"><svg onload=alert(1)>", "</script><script>alert(1)</script>", "{{ 7*7 }}", "window", "onerror"]) {
    await input.fill("");
    await input.pressSequentially(q, { delay: 5 });
    await page.waitForTimeout(250);
    const found = await domProblems(page);
    assert.deepEqual(found, [], `query ${q}: ${found.join(", ")}`);
  }
  // The results really showed payload text (so the check above looked at something).
  await input.fill("");
  await input.pressSequentially("xss", { delay: 5 });
  await page.waitForFunction(() => document.body.textContent.includes("__xss"), null, { timeout: 5000 });
  for (const q of ["<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "xss", "javascript:alert(1)"]) {
    await page.goto(`${server.base}search/?q=${encodeURIComponent(q)}`, { waitUntil: "load" });
    await page.waitForTimeout(300);
    const found = await domProblems(page);
    assert.deepEqual(found, [], `search page ?q=${q}: ${found.join(", ")}`);
  }
  assert.deepEqual(dialogs, [], "dialogs opened");
  await page.close();
});
