// Staleness follows the reader's clock (issue 29, point 2): a runbook built fresh shows the
// stale banner on a day past its due date, and the due-soon banner inside the warning window;
// on the build's own day the page is as built.

import { test } from "node:test";
import assert from "node:assert/strict";
import { PAGES, servedSite } from "./lib.mjs";

const site = servedSite();

async function viewOn(day) {
  const page = await site.browser.newPage();
  await page.clock.setFixedTime(new Date(`${day}T09:00:00`));
  await page.goto(site.server.base + PAGES.freshRunbook);
  const header = page.locator(".doc-header");
  const stale = await header.getAttribute("data-stale-on");
  const banners = await page.locator(".doc-header .banner-review").allInnerTexts();
  const badges = await page.locator(".doc-header .eyebrow .badge-review").allInnerTexts();
  await page.close();
  return { stale, banners, badges };
}

test("a fresh runbook turns stale with the reader's clock", async () => {
  const built = await viewOn("2026-11-27");
  assert.deepEqual(built.banners, [], "as built on the build date");
  assert.ok(built.stale, "the page carries the day it turns stale");
  const after = await viewOn(built.stale);
  assert.equal(after.banners.length, 1, JSON.stringify(after));
  assert.match(after.banners[0], /This runbook is stale/);
  assert.deepEqual(after.badges, ["Stale"]);
});

test("inside the warning window it is due soon", async () => {
  const { stale } = await viewOn("2026-11-27");
  const d = new Date(`${stale}T00:00:00`);
  d.setDate(d.getDate() - 3);
  const day = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
  const soon = await viewOn(day);
  assert.equal(soon.banners.length, 1, JSON.stringify(soon));
  assert.match(soon.banners[0], /Review due soon/);
  assert.deepEqual(soon.badges, ["Review due soon"]);
});
