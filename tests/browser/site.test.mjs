// Browser tests of the demo handbook built with the default theme, in headless Chromium.
// Run by tests/it/browser.rs (`cargo test --test it browser::`), which builds the site and sets
// FIELDBOOK_SITE; see lib.mjs for the environment.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { serve } from "./server.mjs";
import {
  PAGES,
  SCREENSHOTS,
  formatViolations,
  launch,
  luminance,
  pageColours,
  runAxe,
  siteDir,
  watch,
} from "./lib.mjs";

let server;
let browser;
const url = (p) => server.base + p;

before(async () => {
  server = await serve(siteDir());
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** Pages that only some builds have (the search page), when this build has them. */
function optionalPages() {
  return ["search/"].filter((p) => existsSync(path.join(siteDir(), p, "index.html")));
}

/** A fresh context and page; closed by `done()`. */
async function open(options = {}) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  return { context, page, done: () => context.close() };
}

/** Go to `p` and check the response is a 200. */
async function go(page, p) {
  const res = await page.goto(url(p));
  assert.equal(res.status(), 200, `GET ${url(p)}`);
  return res;
}

/** Wait until every image has loaded (lazy ones too). */
async function imagesLoaded(page) {
  await page.evaluate(() =>
    Promise.all(
      [...document.images].map((img) => {
        img.loading = "eager";
        return img.complete
          ? null
          : new Promise((resolve) => {
              img.addEventListener("load", resolve, { once: true });
              img.addEventListener("error", resolve, { once: true });
            });
      }),
    ),
  );
}

// The text a copy button of a session block is expected to copy (commands only).
const COPY_EXPECTED = [
  "kubectl -n $NAMESPACE get pods --sort-by='.status.containerStatuses[0].restartCount'",
  String.raw`kubectl -n $NAMESPACE get pod $POD \
    -o jsonpath='{range .status.containerStatuses[*]}{.name}{"\t"}{.lastState.terminated.reason}{"\t"}{.lastState.terminated.exitCode}{"\n"}{end}'`,
];

async function clipboardText(page) {
  return page.evaluate(() => navigator.clipboard.readText());
}

async function setClipboard(page, text) {
  await page.evaluate((t) => navigator.clipboard.writeText(t), text);
}

// ------------------------------------------------------------------------------ 1

test("a stale runbook shows a visible stale banner, its owners and review dates", async () => {
  const { page, done } = await open();
  try {
    await go(page, PAGES.staleRunbook);
    const banner = page.getByRole("note").filter({ hasText: /stale/i });
    assert.equal(await banner.count(), 1, "one stale banner (role=note containing 'stale')");
    assert.ok(await banner.isVisible(), "the stale banner is visible");
    const box = await banner.boundingBox();
    const viewport = page.viewportSize();
    assert.ok(box && box.width > 200 && box.height > 16, `banner box ${JSON.stringify(box)}`);
    assert.ok(box.y < viewport.height, `the banner is above the fold (y=${box.y})`);
    const bannerText = await banner.innerText();
    assert.match(bannerText, /2026-05-02/, "banner names the last review date");
    assert.match(bannerText, /2026-07-31/, "banner names the due date");

    // Owners and review dates in the visible metadata.
    const main = page.locator("main");
    for (const text of ["Streaming & Notifications", "2026-05-02", "2026-07-31"]) {
      const shown = main.getByText(text, { exact: false });
      const visible = await shown.evaluateAll((els) =>
        els.some((e) => e.checkVisibility() && e.getBoundingClientRect().width > 0),
      );
      assert.ok(visible, `"${text}" is visible on the stale runbook`);
    }
    const mainText = await main.innerText();
    assert.match(mainText, /Owners?\s*\n?\s*Streaming & Notifications/i, "owners are labelled");
  } finally {
    await done();
  }
});

test("a fresh runbook shows no stale banner", async () => {
  const { page, done } = await open();
  try {
    await go(page, PAGES.freshRunbook);
    assert.equal(await page.getByRole("note").filter({ hasText: /stale/i }).count(), 0);
    assert.equal(await page.locator("main").getByText("Stale", { exact: true }).count(), 0);
    const header = await page.locator("main h1").first().evaluate((h) => {
      // The text between the top of main and the end of the title's header.
      const box = h.closest("header") || h.parentElement;
      return box.innerText;
    });
    assert.doesNotMatch(header, /stale/i, "no stale flag in the document header");
    const mainText = await page.locator("main").innerText();
    assert.match(mainText, /Data Reliability/, "owners shown");
    assert.match(mainText, /2026-07-14/, "last review date shown");
  } finally {
    await done();
  }
});

// ------------------------------------------------------------------------------ 2

test("the copy button copies shell commands without prompts and output", async () => {
  const { context, page, done } = await open();
  try {
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.origin });
    await go(page, PAGES.shellRunbook);
    const sessions = page.locator("pre[data-prompt]");
    const n = await sessions.count();
    assert.ok(n >= 2, `session blocks on ${PAGES.shellRunbook}: ${n}`);
    for (let i = 0; i < n; i++) {
      const pre = sessions.nth(i);
      const button = pre.locator("xpath=..").getByRole("button", { name: /copy/i });
      assert.equal(await button.count(), 1, `one copy button beside session block ${i}`);
      await setClipboard(page, "(clipboard before the click)");
      await button.click();
      await page.waitForFunction(
        () => navigator.clipboard.readText().then((t) => t !== "(clipboard before the click)"),
        null,
        { timeout: 3000 },
      );
      const copied = await clipboardText(page);
      const shown = await pre.innerText();
      if (i < COPY_EXPECTED.length) {
        assert.equal(copied, COPY_EXPECTED[i], `copied text of session block ${i}`);
      }
      // General rules for every block: no prompt, no output, every line shown in the block.
      for (const line of copied.split("\n")) {
        assert.ok(!line.startsWith("$"), `block ${i}: copied a prompt: ${JSON.stringify(line)}`);
        assert.ok(shown.includes(line), `block ${i}: copied line not in the block: ${JSON.stringify(line)}`);
      }
      const commands = shown.split("\n").filter((l) => l.startsWith("$ ")).length;
      assert.ok(copied.split("\n").length >= commands, `block ${i}: every command copied`);
    }
    // Output lines of the first two blocks are not copied.
    assert.doesNotMatch(COPY_EXPECTED.join("\n"), /CrashLoopBackOff|OOMKilled\t137/);
  } finally {
    await done();
  }
});

// ------------------------------------------------------------------------------ 3

test("dark and light colour schemes (screenshots in target/browser-screenshots)", async () => {
  await mkdir(SCREENSHOTS, { recursive: true });
  for (const scheme of ["light", "dark"]) {
    const { page, done } = await open({ colorScheme: scheme, viewport: { width: 1280, height: 900 } });
    try {
      await go(page, PAGES.staleRunbook);
      const { background, text } = await pageColours(page);
      const bg = luminance(background);
      const fg = luminance(text);
      const what = `${scheme}: body background ${background} (luminance ${bg.toFixed(3)}), text ${text} (luminance ${fg.toFixed(3)})`;
      if (scheme === "dark") {
        assert.ok(bg < 0.2, `dark background expected; ${what}`);
        assert.ok(fg > 0.5, `light text expected; ${what}`);
      } else {
        assert.ok(bg > 0.5, `light background expected; ${what}`);
        assert.ok(fg < 0.2, `dark text expected; ${what}`);
      }
      await page.screenshot({ path: path.join(SCREENSHOTS, `runbook-${scheme}.png`), fullPage: true });
    } finally {
      await done();
    }
  }
});

// ------------------------------------------------------------------------------ 4

test("no console errors, exceptions or failed requests", async () => {
  const pages = [
    PAGES.home,
    PAGES.staleRunbook,
    PAGES.shellRunbook,
    PAGES.postmortem,
    PAGES.course,
    PAGES.lesson,
    "courses/oncall-101/04-incident-command/", // has an image
    PAGES.freshness,
    PAGES.team,
    PAGES.tag,
    ...optionalPages(),
    PAGES.notFound,
  ];
  const { context, done } = await open();
  const failures = [];
  try {
    for (const p of pages) {
      const page = await context.newPage();
      const expectStatus = new Map([[url(PAGES.notFound), 404]]);
      const { problems } = watch(page, { expectStatus });
      const res = await page.goto(url(p));
      if (p === PAGES.notFound) {
        assert.equal(res.status(), 404, "a missing page is served with status 404");
        assert.match(await page.locator("h1").first().innerText(), /not found|404/i);
      }
      await imagesLoaded(page);
      // Let deferred scripts and their timers run.
      await page.waitForTimeout(50);
      for (const problem of problems) failures.push(`/${p}: ${problem}`);
      await page.close();
    }
  } finally {
    await done();
  }
  assert.deepEqual(failures, [], `problems:\n${failures.join("\n")}`);
});

// ------------------------------------------------------------------------------ 5

test("no serious or critical accessibility violations (axe-core), light and dark", async (t) => {
  const pages = [
    PAGES.home,
    PAGES.staleRunbook,
    PAGES.shellRunbook,
    PAGES.postmortem,
    PAGES.lesson,
    PAGES.course,
    PAGES.freshness,
  ];
  // Every rule in light mode; in dark mode only changes of colour can matter, so only the
  // colour rules run there (a full second pass would double the time for nothing).
  const DARK_RULES = ["color-contrast", "link-in-text-block"];
  const failures = [];
  for (const scheme of ["light", "dark"]) {
    const { page, done } = await open({ colorScheme: scheme });
    try {
      for (const p of pages) {
        await go(page, p);
        const violations = await runAxe(page, scheme === "dark" ? DARK_RULES : null);
        const bad = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
        const minor = violations.filter((v) => !bad.includes(v));
        if (bad.length) failures.push(`/${p} (${scheme}):\n${formatViolations(bad)}`);
        if (minor.length) t.diagnostic(`/${p} (${scheme}), not failing:\n${formatViolations(minor)}`);
      }
    } finally {
      await done();
    }
  }
  assert.ok(failures.length === 0, `axe-core violations:\n${failures.join("\n")}`);
});

// ------------------------------------------------------------------------------ 6

async function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    return {
      tag: el.tagName.toLowerCase(),
      id: el.id,
      cls: el.className,
      href: el.getAttribute("href"),
      text: (el.innerText || "").trim(),
      inMain: !!el.closest("main"),
      isMain: el === document.querySelector("main"),
    };
  });
}

test("keyboard: skip link first, then main content; copy buttons reachable and named", async () => {
  const { context, page, done } = await open();
  try {
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.origin });
    await go(page, PAGES.shellRunbook);
    await page.keyboard.press("Tab");
    const first = await focused(page);
    assert.ok(first, "Tab focuses something");
    assert.equal(first.tag, "a", `first Tab stop: ${JSON.stringify(first)}`);
    assert.match(first.text, /skip/i, `first Tab stop is a skip link: ${JSON.stringify(first)}`);
    const target = await page.evaluate((href) => {
      const el = href?.startsWith("#") && document.getElementById(href.slice(1));
      return el ? { tag: el.tagName.toLowerCase(), main: el === document.querySelector("main") || !!el.closest("main") } : null;
    }, first.href);
    assert.ok(target?.main, `the skip link (${first.href}) points into main`);
    const skip = page.locator(":focus");
    assert.ok(await skip.isVisible(), "the focused skip link is visible");
    const box = await skip.boundingBox();
    assert.ok(box && box.y >= 0 && box.x >= 0 && box.width > 20 && box.height > 10,
      `the focused skip link is on screen: ${JSON.stringify(box)}`);

    await page.keyboard.press("Enter");
    const after = await focused(page);
    assert.ok(after && (after.isMain || after.inMain), `Enter on the skip link moves focus to main: ${JSON.stringify(after)}`);
    await page.keyboard.press("Tab");
    const next = await focused(page);
    assert.ok(next?.inMain, `the next Tab stop is inside main (skipped the header): ${JSON.stringify(next)}`);

    // Tab from the top until a copy button has focus.
    await page.goto(url(PAGES.shellRunbook));
    let found = null;
    for (let i = 0; i < 300 && !found; i++) {
      await page.keyboard.press("Tab");
      const snap = await page.locator(":focus").ariaSnapshot().catch(() => "");
      if (/^- button "[^"]*copy/im.test(snap)) found = snap;
    }
    assert.ok(found, "a copy button is reachable with Tab");
    const name = found.match(/button "([^"]*)"/)[1];
    assert.match(name, /copy/i, `accessible name: ${name}`);
    // Keyboard activation copies too.
    await setClipboard(page, "(before)");
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => navigator.clipboard.readText().then((t) => t !== "(before)"), null, {
      timeout: 3000,
    });
    assert.equal(await clipboardText(page), COPY_EXPECTED[0]);
  } finally {
    await done();
  }
});

// ------------------------------------------------------------------------------ 7

test("no horizontal scrolling at 375px", async () => {
  const { page, done } = await open({ viewport: { width: 375, height: 812 } });
  const failures = [];
  try {
    for (const p of [PAGES.home, PAGES.tableRunbook, PAGES.shellRunbook, PAGES.postmortem, PAGES.freshness]) {
      await go(page, p);
      await imagesLoaded(page);
      const r = await page.evaluate(() => {
        const doc = document.documentElement;
        const width = doc.clientWidth;
        const culprits = [];
        if (doc.scrollWidth > width + 1) {
          // The outermost elements that stick out and are not inside a scroll box.
          const clipped = (el) => {
            for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
              const o = getComputedStyle(a).overflowX;
              if (o !== "visible") return true;
            }
            return false;
          };
          for (const el of document.body.querySelectorAll("*")) {
            const rect = el.getBoundingClientRect();
            if (rect.right > width + 1 && !clipped(el) && !culprits.some((c) => c.el.contains(el))) {
              culprits.push({ el, right: Math.round(rect.right) });
            }
          }
        }
        const describe = (el) =>
          el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
          (el.classList.length ? "." + [...el.classList].join(".") : "");
        return {
          scrollWidth: doc.scrollWidth,
          clientWidth: width,
          culprits: culprits.slice(0, 6).map((c) => `${describe(c.el)} (right edge ${c.right}px)`),
        };
      });
      if (r.scrollWidth > r.clientWidth + 1) {
        const wide = r.culprits.length ? r.culprits.join(", ") : "no single element (a pseudo-element or margin?)";
        failures.push(`/${p}: scrollWidth ${r.scrollWidth} > clientWidth ${r.clientWidth}; too wide: ${wide}`);
        await page.screenshot({ path: path.join(SCREENSHOTS, `narrow-${p.replace(/\W+/g, "_") || "home"}.png`) }).catch(() => {});
      }
    }
  } finally {
    await done();
  }
  assert.deepEqual(failures, [], failures.join("\n"));
});

// ------------------------------------------------------------------------------ 8

test("print: site navigation and search hidden, stale banner kept", async () => {
  const { page, done } = await open();
  try {
    await go(page, PAGES.staleRunbook);
    const nav = page.getByRole("navigation", { name: "Sections" });
    const search = page.getByRole("search");
    assert.ok(await nav.isVisible(), "the site nav is visible on screen");
    assert.ok(await search.first().isVisible(), "the search form is visible on screen");
    await page.emulateMedia({ media: "print" });
    assert.ok(!(await nav.isVisible()), "the site nav is hidden in print");
    for (const form of await search.all()) assert.ok(!(await form.isVisible()), "search is hidden in print");
    assert.ok(!(await page.locator(".skip-link").isVisible()), "the skip link is hidden in print");
    const banner = page.getByRole("note").filter({ hasText: /stale/i });
    assert.ok(await banner.isVisible(), "the stale banner is visible in print");
    assert.ok(await page.locator("main h1").isVisible(), "the title is printed");
    await mkdir(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOTS, "runbook-print.png"), fullPage: true });
  } finally {
    await done();
  }
});

// ------------------------------------------------------------------------------ 9

test("offline: every request goes to the local server", async () => {
  // A page of every template, list pages included, and the 404 page.
  const pages = [
    PAGES.home,
    PAGES.staleRunbook,
    PAGES.shellRunbook,
    PAGES.postmortem,
    PAGES.course,
    "courses/oncall-101/04-incident-command/", // has an image
    PAGES.freshness,
    PAGES.team,
    PAGES.tag,
    "runbooks/",
    "teams/",
    "services/",
    "services/postgres/",
    "tags/",
    "about/",
    ...optionalPages(),
    PAGES.notFound,
  ];
  const { context, done } = await open();
  const outside = [];
  let count = 0;
  try {
    const page = await context.newPage();
    const { requests } = watch(page);
    for (const p of pages) {
      await page.goto(url(p));
      await imagesLoaded(page);
    }
    count = requests.length;
    for (const r of requests) {
      const u = new URL(r);
      if (["data:", "blob:", "about:"].includes(u.protocol)) continue;
      if (u.origin !== server.origin) outside.push(r);
    }
  } finally {
    await done();
  }
  assert.ok(count > pages.length, `requests recorded: ${count}`);
  assert.deepEqual([...new Set(outside)], [], "requests to other hosts");
});
