// The demo handbook built with base_url "/handbook/" and served under /handbook/ only:
// links, stylesheets and the 404 page must all stay under the sub-path.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { serve } from "./server.mjs";
import { launch, siteDir, watch } from "./lib.mjs";

const PREFIX = "/handbook/";
let server;
let browser;

before(async () => {
  server = await serve(siteDir("FIELDBOOK_SUBPATH_SITE"), { prefix: PREFIX });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** Is the theme's stylesheet applied? Checked by the fieldbook.css sheet having loaded rules
 *  and by a rule of it taking effect: the skip link is taken out of the flow until focused. */
async function cssApplied(page) {
  return page.evaluate(() => {
    const sheet = [...document.styleSheets].find((s) => s.href && s.href.endsWith("/static/fieldbook.css"));
    let rules = 0;
    try {
      rules = sheet ? sheet.cssRules.length : 0;
    } catch {
      rules = -1;
    }
    const skip = document.querySelector(".skip-link");
    const position = skip ? getComputedStyle(skip).position : null;
    return { href: sheet?.href ?? null, rules, skipPosition: position };
  });
}

test("sub-path hosting: navigation from home to a runbook and back, CSS applied", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const { problems, requests } = watch(page);
  try {
    const home = await page.goto(server.base);
    assert.equal(home.status(), 200);
    let css = await cssApplied(page);
    assert.equal(css.href, `${server.base}static/fieldbook.css`, "stylesheet URL under /handbook/");
    assert.ok(css.rules > 10, `fieldbook.css rules: ${css.rules}`);
    assert.ok(
      css.skipPosition && css.skipPosition !== "static",
      `a fieldbook.css rule applies (skip link position: ${css.skipPosition})`,
    );

    // Home -> Runbooks (site nav) -> a runbook.
    await Promise.all([
      page.waitForURL(`${server.base}runbooks/`),
      page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: /runbooks/i }).click(),
    ]);
    const card = page.locator("main a[href*='runbooks/tracking/events-delayed/']").first();
    assert.equal(await card.count(), 1, "the runbook index links to the stale runbook");
    await Promise.all([page.waitForURL(`${server.base}runbooks/tracking/events-delayed/`), card.click()]);
    assert.equal(await page.locator("main h1").innerText(), "Tracking events delayed");
    css = await cssApplied(page);
    assert.equal(css.href, `${server.base}static/fieldbook.css`);
    assert.ok(css.rules > 10 && css.skipPosition !== "static", `CSS applied on the runbook: ${JSON.stringify(css)}`);

    // ... and back home with the site title link.
    await Promise.all([page.waitForURL(server.base), page.locator("header a.site-title").click()]);
    assert.equal(await page.title(), "Northwind Parcel Reliability Handbook");

    // Browser history works too.
    await page.goBack();
    assert.equal(page.url(), `${server.base}runbooks/tracking/events-delayed/`);

    // Straight from home to a runbook listed on it.
    await page.goto(server.base);
    const onHome = page.locator("main a[href*='runbooks/']").first();
    const href = await onHome.getAttribute("href");
    await onHome.click();
    await page.waitForLoadState("load");
    assert.ok(page.url().startsWith(`${server.base}runbooks/`), `home link ${href} -> ${page.url()}`);
    assert.ok((await page.locator("main h1").count()) === 1);
  } finally {
    await context.close();
  }
  const outside = requests.filter((r) => !r.startsWith(server.base));
  assert.deepEqual(outside, [], "every request stays under /handbook/");
  assert.deepEqual(problems, [], "no errors or failed requests");
});

test("sub-path hosting: the 404 page loads its CSS and links from /handbook/", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const missing = `${server.base}runbooks/no-such-runbook/`;
  const { problems, requests } = watch(page, { expectStatus: new Map([[missing, 404]]) });
  try {
    const res = await page.goto(missing);
    assert.equal(res.status(), 404);
    const css = await cssApplied(page);
    assert.equal(css.href, `${server.base}static/fieldbook.css`, "404 page stylesheet URL");
    assert.ok(css.rules > 10 && css.skipPosition !== "static", `CSS applied: ${JSON.stringify(css)}`);
    const links = await page.locator("header a[href], nav a[href]").evaluateAll((as) => as.map((a) => a.href));
    const wrong = links.filter((h) => !h.startsWith(server.base));
    assert.deepEqual(wrong, [], "404 page links point under /handbook/");
    await Promise.all([page.waitForURL(server.base), page.locator("header a.site-title").click()]);
  } finally {
    await context.close();
  }
  assert.deepEqual(requests.filter((r) => !r.startsWith(server.base)), []);
  assert.deepEqual(problems, []);
});
