// Browser tests of the on-call pages of the demo handbook: the action-item tracker, the
// incident history with its charts, the services index and a service page. Run by
// tests/it/browser.rs with FIELDBOOK_SITE set (see lib.mjs).

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { serve } from "./server.mjs";
import { formatViolations, launch, luminance, pageColours, runAxe, siteDir, watch } from "./lib.mjs";

const PAGES = ["actions/", "postmortems/", "services/", "services/postgres/", "teams/team-platform/"];

let server;
let browser;

before(async () => {
  server = await serve(siteDir());
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

async function withPage(options, f) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  try {
    return await f(page);
  } finally {
    await context.close();
  }
}

async function go(page, p) {
  const res = await page.goto(server.base + p);
  assert.equal(res.status(), 200, `GET /${p}`);
}

test("on-call pages have no serious or critical axe violations, light and dark", async (t) => {
  const failures = [];
  for (const scheme of ["light", "dark"]) {
    await withPage({ colorScheme: scheme }, async (page) => {
      const { problems } = watch(page);
      for (const p of PAGES) {
        await go(page, p);
        const violations = await runAxe(page);
        const bad = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
        if (bad.length) failures.push(`/${p} (${scheme}):\n${formatViolations(bad)}`);
        const minor = violations.filter((v) => !bad.includes(v));
        if (minor.length) t.diagnostic(`/${p} (${scheme}), not failing:\n${formatViolations(minor)}`);
      }
      assert.deepEqual(problems, []);
    });
  }
  assert.deepEqual(failures, [], failures.join("\n"));
});

test("no horizontal scrolling at 375px, light and dark", async () => {
  const failures = [];
  for (const scheme of ["light", "dark"]) {
    await withPage({ colorScheme: scheme, viewport: { width: 375, height: 812 } }, async (page) => {
      for (const p of PAGES) {
        await go(page, p);
        const { scroll, client } = await page.evaluate(() => ({
          scroll: document.documentElement.scrollWidth,
          client: document.documentElement.clientWidth,
        }));
        if (scroll > client + 1) failures.push(`/${p} (${scheme}): ${scroll}px wide in ${client}px`);
      }
    });
  }
  assert.deepEqual(failures, [], failures.join("\n"));
});

test("the tracker is complete without JavaScript", async () => {
  await withPage({ javaScriptEnabled: false }, async (page) => {
    await go(page, "actions/");
    const sections = await page.$$eval("main h2", (hs) => hs.map((h) => h.textContent.replace(/\s+/g, " ").trim()));
    for (const want of ["Overdue 3", "Open", "Done", "Won’t fix 4", "By owner", "By team", "By service", "By age"]) {
      assert.ok(sections.some((s) => s.startsWith(want)), `${want} in ${sections}`);
    }
    // Overdue rows say so in words.
    const overdue = await page.$$eval("#actions-overdue ~ .table-wrap tbody tr", (rows) =>
      rows.map((r) => r.textContent.replace(/\s+/g, " ")),
    );
    assert.equal(overdue.length, 3);
    for (const row of overdue) assert.match(row, /Overdue by \d+ days?/);
    // The navigation counts them.
    const nav = await page.textContent(".site-nav a[href$='actions/']");
    assert.match(nav.replace(/\s+/g, " "), /Actions 3/);
  });
});

test("charts follow the colour scheme and their numbers unfold", async () => {
  for (const scheme of ["light", "dark"]) {
    await withPage({ colorScheme: scheme }, async (page) => {
      await go(page, "postmortems/");
      const charts = await page.$$("figure.chart svg[role=img]");
      assert.equal(charts.length, 3);
      const { text } = await pageColours(page);
      // Axis labels are drawn in currentColor: the page's text colour, readable either way.
      const label = await page.$eval("figure.chart svg text", (el) => getComputedStyle(el).fill);
      assert.equal(luminance(label).toFixed(3), luminance(text).toFixed(3), `${scheme}: ${label} vs ${text}`);
      // Bars take the scheme's series colour from the style sheet.
      const bar = await page.$eval("svg.incidents-over-time rect.series-1", (el) => getComputedStyle(el).fill);
      const want = scheme === "dark" ? "rgb(255, 138, 128)" : "rgb(180, 35, 24)";
      assert.equal(bar, want, scheme);
      // The data table is folded away until asked for.
      const table = page.locator("figure.chart-incidents-chart details table");
      assert.equal(await table.isVisible(), false);
      await page.click("figure.chart-incidents-chart details summary");
      assert.equal(await table.isVisible(), true);
    });
  }
});
