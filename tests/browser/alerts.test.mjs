// Browser tests of alert links (docs/alerts.md) in headless Chromium: an alert URL with the
// alert's labels as query parameters lands on its runbook with the commands filled in,
// visibly marked, and the copy button copies the filled command; hostile values stay text;
// unknown variables stay as written; a choice page keeps the query string on its links.
//
// Uses the demo site (FIELDBOOK_SITE) and builds tests/fixtures/alerts (two runbooks answer
// one alert there) with FIELDBOOK_BIN.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { serve } from "./server.mjs";
import { REPO, formatViolations, launch, runAxe, siteDir, watch } from "./lib.mjs";

const BIN = process.env.FIELDBOOK_BIN || path.join(REPO, "target/debug/fieldbook");
const RUNBOOK = "runbooks/k8s/pod-crashlooping/";

let demo;
let fixture;
let fixtureOut;
let browser;

before(async () => {
  fixtureOut = mkdtempSync(path.join(os.tmpdir(), "fieldbook-alerts-"));
  // A copy: a build keeps its search index in the site directory.
  const src = path.join(fixtureOut, "src");
  cpSync(path.join(REPO, "tests/fixtures/alerts"), src, { recursive: true });
  const built = spawnSync(
    BIN,
    ["build", src, "--output", path.join(fixtureOut, "site"), "--color", "never"],
    { encoding: "utf8" },
  );
  // The fixture has failing findings on purpose (exit 1); the site is written anyway.
  assert.ok(built.status === 0 || built.status === 1, `build of the alerts fixture:\n${built.stderr}`);
  demo = await serve(siteDir());
  fixture = await serve(path.join(fixtureOut, "site"));
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await demo?.close();
  await fixture?.close();
  if (fixtureOut) rmSync(fixtureOut, { recursive: true, force: true });
});

async function open(options = {}) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  const watched = watch(page);
  return { context, page, watched, done: () => context.close() };
}

/** What went wrong on the page, except the requests the redirect cancels: an alert page
 *  leaves before its deferred scripts have loaded, and the browser aborts them. */
function problems(watched) {
  return watched.problems.filter((p) => !/^request failed: GET \S+\/static\/\w+\.js: net::ERR_ABORTED$/.test(p));
}

/** The text of the first session block's first command, as the copy button copies it. */
async function copyFirstBlock(context, page, origin) {
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin });
  await page.evaluate(() => navigator.clipboard.writeText("(before)"));
  const pre = page.locator("pre[data-prompt]").first();
  await pre.locator("xpath=..").getByRole("button", { name: /copy/i }).click();
  await page.waitForFunction(() => navigator.clipboard.readText().then((t) => t !== "(before)"), null, {
    timeout: 3000,
  });
  return page.evaluate(() => navigator.clipboard.readText());
}

test("an alert URL with labels lands on the runbook with filled, marked commands", async () => {
  const { context, page, watched, done } = await open();
  try {
    const query = "?namespace=payments&pod=api-7d9f8-x2k&container=app";
    await page.goto(`${demo.base}alerts/KubePodCrashLooping/${query}#diagnosis`);
    await page.waitForURL(`${demo.base}${RUNBOOK}${query}#diagnosis`);
    await page.waitForSelector(".cmd-var-filled");

    // Filled and marked: underlined (not colour alone) and titled.
    const filled = page.locator("pre.code .cmd-var-filled");
    const texts = await filled.allTextContents();
    assert.ok(texts.includes("payments") && texts.includes("api-7d9f8-x2k") && texts.includes("app"), texts.join());
    const first = filled.first();
    const style = await first.evaluate((e) => getComputedStyle(e).textDecorationLine);
    assert.match(style, /underline/);
    assert.match(await first.getAttribute("title"), /Filled in from the alert link \(the runbook says \$NAMESPACE\)/);

    // The note above the first filled block says what was filled, with a way back.
    const note = page.getByRole("note").filter({ hasText: "Filled in from the alert link" });
    assert.equal(await note.count(), 1);
    const noteText = await note.innerText();
    assert.match(noteText, /namespace = payments/);
    assert.match(noteText, /pod = api-7d9f8-x2k/);
    const clear = note.getByRole("link", { name: "Show the placeholders" });
    assert.equal(await clear.getAttribute("href"), `/${RUNBOOK}#diagnosis`);
    // In one evaluation, so that the browser scrolling to #diagnosis in between cannot move one
    // box and not the other.
    const above = await page.evaluate(() => {
      const n = [...document.querySelectorAll('[role="note"]')].find((e) => e.textContent.includes("Filled in from the alert link"));
      const block = document.querySelector("pre.code .cmd-var-filled").closest("pre");
      return n.getBoundingClientRect().bottom <= block.getBoundingClientRect().top;
    });
    assert.ok(above, "the note is above the first filled block");

    // The shown and the copied command are the filled one.
    const shown = await page.locator("pre[data-prompt]").first().innerText();
    assert.match(shown, /^\$ kubectl -n payments get pods /m);
    assert.equal(
      await copyFirstBlock(context, page, demo.origin),
      "kubectl -n payments get pods --sort-by='.status.containerStatuses[0].restartCount'",
    );
    const logs = page.locator("pre[data-prompt]").nth(2);
    assert.match(await logs.innerText(), /kubectl -n payments logs api-7d9f8-x2k -c app --previous/);
    // `{{namespace}}` in PromQL too; variables the URL does not name stay as written.
    assert.match(await page.locator('pre[data-lang="promql"]').innerText(), /namespace="payments", container="app"/);
    assert.match(await page.locator('pre[data-lang="dockerfile"]').innerText(), /--platform=\$BUILDPLATFORM/);

    // "Show the placeholders" goes back to them.
    await clear.click();
    await page.waitForURL(`${demo.base}${RUNBOOK}#diagnosis`);
    assert.equal(await page.locator(".cmd-var-filled").count(), 0);
    assert.match(await page.locator("pre[data-prompt]").first().innerText(), /kubectl -n \$NAMESPACE get pods/);
    assert.deepEqual(problems(watched), []);
  } finally {
    await done();
  }
});

test("hostile values are shown as text and never put into a command", async () => {
  const { context, page, watched, done } = await open();
  try {
    const img = "<img src=x onerror=window.__pwned=1>";
    const quote = `x"; rm -rf / #'`;
    const q = new URLSearchParams({ namespace: img, POD: quote, container: "ok-1" }).toString();
    await page.goto(`${demo.base}alerts/KubePodCrashLooping/?${q}`);
    await page.waitForURL(`${demo.base}${RUNBOOK}?${q}`);
    const note = page.getByRole("note").filter({ hasText: "Not filled in" });
    await note.waitFor();
    const text = await note.innerText();
    assert.ok(text.includes(`namespace = ${img}`), text);
    assert.ok(text.includes(`pod = ${quote}`), text);
    assert.match(text, /characters a shell would interpret/);
    // No element came from the values, nothing ran.
    assert.equal(await page.locator("main img").count(), 0);
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
    // The commands keep their placeholders; the safe value is filled.
    const first = await page.locator("pre[data-prompt]").first().innerText();
    assert.match(first, /kubectl -n \$NAMESPACE get pods/);
    assert.match(await page.locator("pre[data-prompt]").nth(2).innerText(), /logs \$POD -c ok-1 /);
    assert.equal(
      await copyFirstBlock(context, page, demo.origin),
      "kubectl -n $NAMESPACE get pods --sort-by='.status.containerStatuses[0].restartCount'",
    );
    assert.deepEqual(problems(watched), []);
  } finally {
    await done();
  }
});

test("unknown variables stay as written and unrelated parameters change nothing", async () => {
  const { page, done } = await open();
  try {
    await page.goto(`${demo.base}${RUNBOOK}?utm_source=pager&nosuchvar=1`);
    await page.waitForLoadState("load");
    await page.waitForTimeout(200);
    assert.equal(await page.locator(".cmd-var-filled").count(), 0);
    assert.equal(await page.locator(".cmd-vars-note").count(), 0);
    assert.match(await page.locator("pre[data-prompt]").nth(1).innerText(), /get pod \$POD \\/);

    // On the fixture: `$HOME` is only filled when the URL names it; `$UNKNOWN_VAR` stays.
    await page.goto(`${fixture.base}runbooks/apps/?namespace=ns1&home=/root`);
    await page.waitForSelector(".cmd-var-filled");
    const block = await page.locator("pre[data-prompt]").first().innerText();
    assert.match(block, /kubectl -n ns1 logs \$\{POD\} --previous/);
    assert.match(block, /echo "\/root" ns1 \$UNKNOWN_VAR/);
  } finally {
    await done();
  }
});

test("the choice page keeps the query string and fragment on its links", async () => {
  const { page, watched, done } = await open();
  try {
    await page.goto(`${fixture.base}alerts/Shared/?namespace=ns2&pod=p-1#diagnosis`);
    await page.waitForLoadState("load");
    assert.equal(new URL(page.url()).pathname, "/alerts/Shared/", "no redirect with two runbooks");
    const links = page.locator(".alert-choices .card-title a");
    assert.equal(await links.count(), 2);
    assert.deepEqual(await links.evaluateAll((as) => as.map((a) => a.getAttribute("href"))), [
      "../../runbooks/apps/?namespace=ns2&pod=p-1#diagnosis",
      "../../runbooks/data/?namespace=ns2&pod=p-1#diagnosis",
    ]);
    // Owners with their channel and the freshness badge of each runbook.
    const main = await page.locator("main").innerText();
    assert.match(main, /#apps-oncall/);
    assert.match(main, /#data-oncall/);
    assert.match(main, /Stale/);
    await links.first().click();
    await page.waitForURL(`${fixture.base}runbooks/apps/?namespace=ns2&pod=p-1#diagnosis`);
    await page.waitForSelector(".cmd-var-filled");
    assert.match(await page.locator("pre[data-prompt]").first().innerText(), /kubectl -n ns2 logs p-1 --previous/);
    assert.deepEqual(problems(watched), []);
  } finally {
    await done();
  }
});

test("without JavaScript the alert page still leads to the runbook", async () => {
  const { page, done } = await open({ javaScriptEnabled: false });
  try {
    await page.goto(`${demo.base}alerts/KubePodCrashLooping/?namespace=payments`);
    await page.waitForURL(`${demo.base}${RUNBOOK}`);
    assert.match(await page.locator("main h1").innerText(), /CrashLoopBackOff/);
    // The placeholders read as written.
    assert.match(await page.locator("pre[data-prompt]").first().innerText(), /kubectl -n \$NAMESPACE/);
  } finally {
    await done();
  }
});

test("alert pages and a filled runbook are accessible (axe-core), light and dark", async (t) => {
  const pages = [
    [demo, `${RUNBOOK}?namespace=payments&pod=p&container=c`],
    [demo, `${RUNBOOK}?namespace=${encodeURIComponent("<b>")}`],
    [demo, "alerts/"],
    [fixture, "alerts/Shared/"],
  ];
  const failures = [];
  for (const scheme of ["light", "dark"]) {
    const { page, done } = await open({ colorScheme: scheme });
    try {
      for (const [server, p] of pages) {
        await page.goto(server.base + p);
        await page.waitForLoadState("load");
        if (p.includes("?")) await page.waitForSelector(".cmd-vars-note");
        const violations = await runAxe(page, scheme === "dark" ? ["color-contrast", "link-in-text-block"] : null);
        const bad = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
        if (bad.length) failures.push(`/${p} (${scheme}):\n${formatViolations(bad)}`);
        const minor = violations.filter((v) => !bad.includes(v));
        if (minor.length) t.diagnostic(`/${p} (${scheme}), not failing:\n${formatViolations(minor)}`);
      }
    } finally {
      await done();
    }
  }
  assert.ok(failures.length === 0, `axe-core violations:\n${failures.join("\n")}`);
});
