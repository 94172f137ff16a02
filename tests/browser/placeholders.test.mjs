// Command placeholders fill in from a form on every runbook page, not only from an alert
// link (issue 29, point 7): one labelled field per variable, the commands and the page's
// address follow what is typed, a reload or a shared link shows the same values, the copy
// button copies the filled command, unsafe values stay out of the commands, and variables a
// block sets itself (a Dockerfile's `ARG TARGETARCH`) are no placeholders.

import { test } from "node:test";
import assert from "node:assert/strict";
import { PAGES, formatViolations, runAxe, servedSite, watch } from "./lib.mjs";

const site = servedSite();
const RUNBOOK = PAGES.shellRunbook;

async function open(options = { viewport: { width: 1280, height: 800 } }) {
  const context = await site.browser.newContext(options);
  const page = await context.newPage();
  const watched = watch(page);
  return { context, page, watched };
}

test("typing into the form fills the commands and the address; a reload keeps them", async () => {
  const { context, page, watched } = await open();
  try {
    await page.goto(site.server.base + RUNBOOK);
    const form = page.getByRole("form", { name: "Fill in the commands" });
    await form.waitFor();
    // One labelled field per variable, in the order the commands use them; Docker's build
    // arguments (`ARG TARGETOS TARGETARCH`, `$BUILDPLATFORM`) are not among them.
    const labels = await form.locator("label").allInnerTexts();
    assert.deepEqual(labels, ["$NAMESPACE", "$POD", "$CONTAINER"]);
    assert.equal(await page.locator('pre[data-lang="dockerfile"] .cmd-var').count(), 0);

    await page.getByLabel("$NAMESPACE").fill("payments");
    await page.getByLabel("$POD").fill("api-7d9f8-x2k");
    assert.match(await page.locator("pre[data-prompt]").first().innerText(), /kubectl -n payments get pods/);
    assert.match(
      await page.locator("pre[data-prompt]").nth(2).innerText(),
      /kubectl -n payments logs api-7d9f8-x2k -c \$CONTAINER --previous/,
    );
    assert.match(await page.locator('pre[data-lang="promql"]').innerText(), /namespace="payments"/);
    const url = new URL(await page.evaluate(() => location.href));
    assert.equal(url.searchParams.get("namespace"), "payments");
    assert.equal(url.searchParams.get("pod"), "api-7d9f8-x2k");
    assert.equal(url.searchParams.has("container"), false);

    // Copy copies the filled command.
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: site.server.origin });
    await page.evaluate(() => navigator.clipboard.writeText("(before)"));
    await page.locator("pre[data-prompt]").first().locator("xpath=..").getByRole("button", { name: /copy/i }).click();
    await page.waitForFunction(() => navigator.clipboard.readText().then((t) => t !== "(before)"));
    assert.equal(
      await page.evaluate(() => navigator.clipboard.readText()),
      "kubectl -n payments get pods --sort-by='.status.containerStatuses[0].restartCount'",
    );

    // Emptying a field puts the placeholder back and drops it from the address.
    await page.getByLabel("$POD").fill("");
    assert.match(await page.locator("pre[data-prompt]").nth(2).innerText(), /logs \$POD -c/);
    assert.equal(new URL(await page.evaluate(() => location.href)).searchParams.has("pod"), false);

    // The address is a filled runbook to share: reloaded, the form and commands show it.
    await page.reload();
    await page.waitForSelector(".cmd-var-filled");
    assert.equal(await page.getByLabel("$NAMESPACE").inputValue(), "payments");
    assert.match(await page.locator("pre[data-prompt]").first().innerText(), /kubectl -n payments get pods/);
    assert.deepEqual(watched.problems, []);
  } finally {
    await context.close();
  }
});

test("an alert link's values show in the form, and unsafe typed values stay text", async () => {
  const { page, watched, context } = await open();
  try {
    await page.goto(`${site.server.base}${RUNBOOK}?namespace=payments&Pod=p-1`);
    await page.waitForSelector(".cmd-var-filled");
    assert.equal(await page.getByLabel("$NAMESPACE").inputValue(), "payments");
    assert.equal(await page.getByLabel("$POD").inputValue(), "p-1");
    assert.equal(await page.getByLabel("$CONTAINER").inputValue(), "");
    // The one-line note says which values were filled.
    const note = page.getByRole("note").filter({ hasText: "Filled in from the alert link" });
    assert.match(await note.innerText(), /namespace = payments, pod = p-1/);

    const hostile = "<img src=x onerror=window.__pwned=1>; rm -rf /";
    const field = page.getByLabel("$CONTAINER");
    await field.fill(hostile);
    assert.equal(await field.getAttribute("aria-invalid"), "true");
    assert.match(await page.locator(".cmd-vars-error").filter({ hasText: /\S/ }).innerText(), /shell would interpret/);
    assert.match(await page.locator("pre[data-prompt]").nth(2).innerText(), /-c \$CONTAINER --previous/);
    assert.equal(await page.locator("main img").count(), 0);
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
    // The mixed-case parameter was replaced, not doubled, when the field changed.
    await page.getByLabel("$POD").fill("p-2");
    const params = [...new URL(await page.evaluate(() => location.href)).searchParams.keys()];
    assert.deepEqual(params.filter((k) => k.toLowerCase() === "pod"), ["pod"]);
    assert.deepEqual(watched.problems, []);
  } finally {
    await context.close();
  }
});

test("on a phone the form is folded and opens from the keyboard", async () => {
  const { page, context } = await open({ viewport: { width: 390, height: 844 } });
  try {
    await page.goto(site.server.base + RUNBOOK);
    const summary = page.locator(".cmd-vars-form summary");
    await summary.waitFor();
    assert.ok(!(await page.getByLabel("$NAMESPACE").isVisible()), "folded on a phone");
    await summary.focus();
    await page.keyboard.press("Enter");
    assert.ok(await page.getByLabel("$NAMESPACE").isVisible());
    await page.keyboard.press("Tab");
    await page.keyboard.type("ns1");
    assert.match(await page.locator("pre[data-prompt]").first().innerText(), /kubectl -n ns1 get pods/);
  } finally {
    await context.close();
  }
});

test("the form is accessible (axe-core), light and dark", async () => {
  const failures = [];
  for (const colorScheme of ["light", "dark"]) {
    const { page, context } = await open({ viewport: { width: 1280, height: 800 }, colorScheme });
    try {
      await page.goto(`${site.server.base}${RUNBOOK}?namespace=payments&container=${encodeURIComponent("a b")}`);
      await page.waitForSelector(".cmd-vars-form");
      const violations = await runAxe(page, colorScheme === "dark" ? ["color-contrast"] : null);
      const bad = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
      if (bad.length) failures.push(`${colorScheme}:\n${formatViolations(bad)}`);
    } finally {
      await context.close();
    }
  }
  assert.ok(failures.length === 0, `axe-core violations:\n${failures.join("\n")}`);
});
