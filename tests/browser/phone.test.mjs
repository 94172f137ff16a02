// On a phone (390 × 844) the sections sit behind a menu button, so a runbook's header does
// not push its page down (issue 29, point 3); the button opens and closes them, and on a
// desktop there is no button and the sections show.

import { test } from "node:test";
import assert from "node:assert/strict";
import { PAGES, servedSite } from "./lib.mjs";

const site = servedSite();

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
