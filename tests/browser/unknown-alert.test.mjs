// An alert no runbook answers is not a dead end (issue 29, point 8): the "page not found"
// page at `alerts/<Name>/` names the alert, offers to search the handbook for it, and lists
// alerts with similar names and their runbooks, and says whom to escalate to.

import { test } from "node:test";
import assert from "node:assert/strict";
import { servedSite } from "./lib.mjs";

const site = servedSite();

for (const [width, height] of [[1280, 800], [390, 844]]) {
  test(`an unknown alert's page names it and points somewhere (${width}px)`, async () => {
    const page = await site.browser.newPage({ viewport: { width, height } });
    const res = await page.goto(site.server.base + "alerts/CertManagerCertExpiry/");
    assert.equal(res.status(), 404);
    await page.locator(".alert-unknown li").first().waitFor();
    assert.match(await page.locator("h1").innerText(), /No runbook for alert CertManagerCertExpiry/);
    const similar = await page.locator(".alert-unknown li").allInnerTexts();
    assert.match(similar[0], /CertManagerCertExpirySoon/, JSON.stringify(similar));
    const search = page.locator(".alert-unknown a", { hasText: "Search the handbook" });
    assert.match(await search.getAttribute("href"), /search\/\?q=CertManagerCertExpiry$/);
    assert.equal(await page.locator("input[type=search]").first().inputValue(), "CertManagerCertExpiry");
    // Whom to call, from book.toml's `[book] escalation`, on the first screen.
    const escalation = page.locator(".escalation");
    assert.match(await escalation.innerText(), /incident commander/);
    assert.ok((await escalation.boundingBox()).y < height, "the escalation contact is on the first screen");
    await page.close();
  });
}

test("any other missing page stays a plain page not found", async () => {
  const page = await site.browser.newPage();
  await page.goto(site.server.base + "no-such-page/");
  assert.match(await page.locator("h1").innerText(), /Page not found/);
  assert.equal(await page.locator(".alert-unknown").count(), 0);
  await page.close();
});
