// Tables never break an identifier mid-word (issue 29): at desktop and phone widths, and in
// print, every alert name, id or team name in a table cell that has no space, `-` or `/` to
// wrap at stays on one line (one line box), and no cell's text spills over its neighbour.

import { test } from "node:test";
import assert from "node:assert/strict";
import { servedSite } from "./lib.mjs";

const site = servedSite();

/** Identifiers in table cells that render on more than one line. */
function broken(page) {
  return page.evaluate(() => {
    const out = [];
    for (const el of document.querySelectorAll("td code, th code, td a, th a")) {
      const text = el.textContent.trim();
      if (!text || /[\s\-/]/.test(text)) continue;
      const lines = new Set([...el.getClientRects()].map((r) => Math.round(r.top)));
      if (lines.size > 1) out.push(text);
    }
    return out;
  });
}

for (const [width, height] of [[1280, 800], [390, 844]]) {
  test(`identifiers in tables stay whole at ${width}px`, async () => {
    const page = await site.browser.newPage({ viewport: { width, height } });
    for (const rel of ["alerts/", "actions/", "freshness/", "postmortems/"]) {
      await page.goto(site.server.base + rel);
      assert.deepEqual(await broken(page), [], `${rel} at ${width}px`);
    }
    await page.emulateMedia({ media: "print" });
    for (const rel of ["alerts/", "actions/"]) {
      await page.goto(site.server.base + rel);
      assert.deepEqual(await broken(page), [], `${rel} printed at ${width}px`);
    }
    await page.close();
  });
}
