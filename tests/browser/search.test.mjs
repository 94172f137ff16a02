// Browser search (themes/default/static/search.js, templates/search.html, docs/search.md):
// results as you type, keyboard use, the search page and its filters, badges, text-only
// rendering of hostile titles and queries, `/`, sub-path hosting, no-JS and file:// fallbacks,
// and every judged query of tests/fixtures/search/queries.json through the search page.
//
// Sites (each built here with `fieldbook build` when its variable is not set):
//   FIELDBOOK_SITE          the demo handbook
//   FIELDBOOK_SUBPATH_SITE  the demo built with base_url "/handbook/"
//   FIELDBOOK_SEARCH_SITE   the judged fixture, tests/fixtures/search
//   FIELDBOOK_BIN           the fieldbook binary (default: target/debug/fieldbook under cargo
//                           test, else `cargo run -q --`)

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { serve } from "./server.mjs";
import { REPO, formatViolations, launch, runAxe, watch } from "./lib.mjs";

const FIXTURE = path.join(REPO, "tests/fixtures/search");
let tmp;
let browser;
const sites = {};
const servers = {};

function fieldbook(args, cwd = REPO) {
  // Under `cargo test` (tests/it/browser.rs) cargo holds the build lock: use the binary it built
  // rather than `cargo run`.
  const built = path.join(process.env.CARGO_TARGET_DIR || path.join(REPO, "target"), "debug/fieldbook");
  const bin = process.env.FIELDBOOK_BIN || (process.env.CARGO_MANIFEST_DIR && existsSync(built) ? built : null);
  const [cmd, pre] = bin ? [bin, []] : ["cargo", ["run", "-q", "--manifest-path", path.join(REPO, "Cargo.toml"), "--"]];
  return execFileSync(cmd, [...pre, ...args], { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

function build(src, name) {
  const out = path.join(tmp, name);
  fieldbook(["build", src, "--output", out, "--color", "never"]);
  return out;
}

/** A copy of `src` (book.toml, owners.yaml, content) with base_url = "/handbook/". */
function subpathSource(src) {
  const dir = path.join(tmp, "handbook-src");
  cpSync(path.join(src, "content"), path.join(dir, "content"), { recursive: true });
  cpSync(path.join(src, "owners.yaml"), path.join(dir, "owners.yaml"));
  const book = readFileSync(path.join(src, "book.toml"), "utf8").replace(/^base_url\s*=.*$/m, 'base_url = "/handbook/"');
  writeFileSync(path.join(dir, "book.toml"), book);
  return dir;
}

function needSearch(site) {
  assert.ok(existsSync(path.join(site, "search/index.json")), `the build wrote no search/index.json in ${site}`);
  assert.ok(existsSync(path.join(site, "search/index.html")), `the build wrote no search page (search/index.html) in ${site}`);
}

before(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), "fieldbook-search-test-"));
  sites.demo = process.env.FIELDBOOK_SITE || build(REPO, "demo");
  sites.sub = process.env.FIELDBOOK_SUBPATH_SITE || build(subpathSource(REPO), "handbook");
  // Built from a copy: `fieldbook build` keeps its terminal index in <site>/.fieldbook/.
  if (!process.env.FIELDBOOK_SEARCH_SITE) cpSync(FIXTURE, path.join(tmp, "fixture-src"), { recursive: true });
  sites.fixture = process.env.FIELDBOOK_SEARCH_SITE || build(path.join(tmp, "fixture-src"), "fixture");
  for (const s of Object.values(sites)) needSearch(s);
  servers.demo = await serve(sites.demo);
  servers.sub = await serve(sites.sub, { prefix: "/handbook/" });
  servers.fixture = await serve(sites.fixture);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  for (const s of Object.values(servers)) await s.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** A new page that records dialogs (none may open), problems and requests. */
async function open(options = {}) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  const dialogs = [];
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    d.dismiss().catch(() => {});
  });
  const w = watch(page);
  return { context, page, dialogs, ...w };
}

/** Problems but fetches aborted by leaving a page while a snippet was still loading. */
const real = (problems) => problems.filter((p) => !/net::ERR_ABORTED/.test(p));

/** The options of the open listbox: [{id, title, text}]. */
function options(page, input = "#search-input") {
  return page.evaluate((sel) => {
    const box = document.getElementById(document.querySelector(sel).getAttribute("aria-controls"));
    return [...box.querySelectorAll("[role=option]")].map((o) => ({
      id: o.id,
      title: o.querySelector(".search-result-title")?.textContent ?? null,
      text: o.textContent,
      selected: o.getAttribute("aria-selected"),
    }));
  }, input);
}

/** Fail fast, and say why, on a page that does not load the search script. */
async function needScript(page) {
  if (!(await page.evaluate(() => !!window.fieldbookSearch))) {
    throw new Error(`${page.url()} does not load static/search.js (base.html: <script src="{{ page.root }}static/search.js" defer>)`);
  }
}

async function typeQuery(page, text, input = "#search-input") {
  await needScript(page);
  await page.locator(input).fill("");
  await page.locator(input).pressSequentially(text, { delay: 15 });
  await page.waitForFunction(
    ([sel, text]) => {
      const i = document.querySelector(sel);
      const box = document.getElementById(i.getAttribute("aria-controls"));
      const panel = box && box.parentElement;
      return panel && !panel.hidden && i.value === text && (box.children.length > 0 || panel.textContent.trim());
    },
    [input, text],
  );
  await page.waitForTimeout(150); // the last keystroke's debounced update
}

/** Results of the search page once they are in: [{path, title, href, kind, badges}]. */
async function pageResults(page) {
  await page.waitForFunction(() => {
    const s = document.getElementById("search-status")?.textContent || "";
    return s && !s.startsWith("Loading");
  });
  return page.evaluate(() =>
    [...document.querySelectorAll("#search-results .search-result")].map((li) => ({
      path: li.dataset.path,
      title: li.querySelector(".search-result-title").textContent,
      href: li.querySelector(".search-result-title a").href,
      kind: li.querySelector(".kind").textContent,
      badges: [...li.querySelectorAll(".badge")].map((b) => b.textContent),
    })),
  );
}

test("every page loads static/search.js, deferred", () => {
  for (const rel of ["index.html", "runbooks/postgres/disk-full/index.html", "404.html", "search/index.html"]) {
    const html = readFileSync(path.join(sites.demo, rel), "utf8");
    assert.match(html, /<script src="[^"]*static\/search\.js" defer><\/script>/, `${rel} loads static/search.js with defer`);
  }
});

test("results as you type; the index loads on first focus, then only the shards a query needs", async () => {
  const { context, page, problems, requests } = await open();
  try {
    const base = servers.demo.base;
    await page.goto(base);
    await page.waitForTimeout(300);
    assert.deepEqual(requests.filter((u) => u.includes("/search/")), [], "nothing of search/ is fetched on page load");
    await page.locator("#search-input").focus();
    await page.waitForResponse((r) => r.url() === `${base}search/index.json`);
    await typeQuery(page, "disk full");
    const opts = await options(page);
    assert.ok(opts.length >= 2, `options: ${JSON.stringify(opts)}`);
    assert.match(opts[0].title, /disk full/i);
    assert.ok((await page.locator("[role=option] mark").count()) > 0, "matches are marked");
    assert.equal(await page.locator("#search-input").getAttribute("aria-expanded"), "true");
    assert.equal(await page.locator("#search-input").getAttribute("role"), "combobox");
    const live = await page.locator("form [role=status][aria-live=polite]").first().textContent();
    assert.match(live, /\d+ results? for/, `live region: ${live}`);
    const ix = JSON.parse(readFileSync(path.join(sites.demo, "search/index.json"), "utf8"));
    const shards = requests.filter((u) => u.includes("/search/t/"));
    assert.ok(shards.length >= 1, "term shards are fetched");
    assert.ok(
      ix.shards.length < 3 || shards.length < ix.shards.length,
      `only some of the ${ix.shards.length} shards: ${shards.join(", ")}`,
    );
    assert.equal(new Set(requests).size, requests.length, `every file is fetched once: ${requests.join("\n")}`);
  } finally {
    await context.close();
  }
  assert.deepEqual(real(problems), []);
});

test("keyboard only: `/` focuses the search box, ArrowDown + Enter opens the runbook, Escape closes", async () => {
  const { context, page, problems, dialogs } = await open();
  try {
    const base = servers.demo.base;
    await page.goto(`${base}runbooks/postgres/disk-full/`);
    await needScript(page);
    await page.locator("main h1").click();
    await page.keyboard.press("/");
    assert.equal(await page.evaluate(() => document.activeElement.id), "header-search-input", "`/` focuses the header search");
    assert.equal(await page.locator("#header-search-input").inputValue(), "", "the `/` is not typed");
    // In a field, `/` is just a character.
    await page.keyboard.type("a/b");
    assert.equal(await page.locator("#header-search-input").inputValue(), "a/b");

    await typeQuery(page, "KubePodCrashLooping", "#header-search-input");
    const input = page.locator("#header-search-input");
    await page.keyboard.press("ArrowDown");
    const first = (await options(page, "#header-search-input"))[0];
    assert.equal(await input.getAttribute("aria-activedescendant"), first.id);
    assert.equal((await options(page, "#header-search-input"))[0].selected, "true");
    assert.match(first.title, /crash/i);
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowUp");
    assert.equal(await input.getAttribute("aria-activedescendant"), first.id);
    await page.keyboard.press("Escape");
    assert.equal(await input.getAttribute("aria-expanded"), "false", "Escape closes the listbox");
    await page.keyboard.press("ArrowDown"); // reopens
    assert.equal(await input.getAttribute("aria-expanded"), "true");
    await page.keyboard.press("ArrowDown");
    await Promise.all([page.waitForURL(`${base}runbooks/k8s/pod-crashlooping/`), page.keyboard.press("Enter")]);
    assert.match(await page.locator("main h1").innerText(), /crash/i);

    // Enter without a chosen option goes to the search page.
    await page.locator("main h1").click();
    await page.keyboard.press("/");
    await page.keyboard.type("replication lag");
    await Promise.all([page.waitForURL(/\/search\/\?q=replication/), page.keyboard.press("Enter")]);
    const results = await pageResults(page);
    assert.ok(results.length > 0);
    assert.match(results[0].title, /replication lag/i);
    assert.equal(await page.locator("#search-input").inputValue(), "replication lag");
  } finally {
    await context.close();
  }
  assert.deepEqual(dialogs, []);
  assert.deepEqual(real(problems), []);
});

test("search page: results with owners, review date and snippet; kind filter in the URL", async () => {
  const { context, page, problems } = await open();
  try {
    const base = servers.demo.base;
    await page.goto(`${base}search/?q=certificate`);
    let results = await pageResults(page);
    const kinds = new Set(results.map((r) => r.kind));
    assert.ok(kinds.size > 1, `several kinds before filtering: ${[...kinds]}`);
    const item = page.locator("#search-results .search-result").first();
    assert.match(await item.locator(".search-result-meta").innerText(), /Owners: /);
    await page.waitForFunction(() => document.querySelector("#search-results .search-result-snippet mark"));

    await page.locator("#search-filter-kind").selectOption("postmortem");
    await page.waitForURL(/kind=postmortem/);
    await page.waitForFunction(() => [...document.querySelectorAll("#search-results .kind")].every((k) => k.textContent === "Postmortem"));
    results = await pageResults(page);
    assert.ok(results.length >= 1);
    assert.ok(results.every((r) => r.kind === "Postmortem"), JSON.stringify(results));
    assert.match(await page.locator("#search-status").innerText(), /kind postmortem/);

    // The URL carries the filter: a reload shows the same.
    await page.reload();
    assert.equal(await page.locator("#search-filter-kind").inputValue(), "postmortem");
    const again = await pageResults(page);
    assert.deepEqual(again.map((r) => r.path), results.map((r) => r.path));

    // Keyboard: ArrowDown from the input walks the result links.
    await page.locator("#search-input").focus();
    await page.keyboard.press("ArrowDown");
    assert.equal(await page.evaluate(() => document.activeElement.href), results[0].href);
  } finally {
    await context.close();
  }
  assert.deepEqual(real(problems), []);
});

test("a stale runbook's result carries its Stale badge (as text)", async () => {
  const { context, page, problems } = await open();
  try {
    await page.goto(`${servers.demo.base}search/?q=tracking%20events%20delayed`);
    const results = await pageResults(page);
    const stale = results.find((r) => r.href.endsWith("/runbooks/tracking/events-delayed/"));
    assert.ok(stale, JSON.stringify(results));
    assert.ok(stale.badges.includes("Stale"), `badges: ${stale.badges}`);
    // In the listbox too.
    await page.goto(servers.demo.base);
    await page.locator("#search-input").focus();
    await typeQuery(page, "tracking events delayed");
    const opt = (await options(page)).find((o) => /Tracking events delayed/i.test(o.title));
    assert.ok(opt && /Stale/.test(opt.text), JSON.stringify(opt));
  } finally {
    await context.close();
  }
  assert.deepEqual(real(problems), []);
});

test("HTML in a query and in a document title is shown as text", async () => {
  const { context, page, problems, dialogs } = await open();
  try {
    const base = servers.fixture.base;
    await page.goto(base);
    await page.locator("#search-input").focus();
    const hostile = `<img src=x onerror="alert(2)"><script>alert(3)</script> script`;
    await typeQuery(page, hostile);
    await page.goto(`${base}search/?q=${encodeURIComponent(hostile)}`);
    await pageResults(page);
    assert.match(await page.locator("#search-status").innerText(), /<img src=x onerror="alert\(2\)">/);

    await page.goto(`${base}search/?q=script`);
    const results = await pageResults(page);
    const about = results.find((r) => r.path === "about.md");
    assert.ok(about, JSON.stringify(results));
    assert.equal(about.title, "About this handbook <script>alert(1)</script>");
    await page.waitForTimeout(200);
    const injected = await page.evaluate(() => ({
      scripts: document.querySelectorAll("main script, .search-panel script").length,
      imgs: document.querySelectorAll("main img").length,
    }));
    assert.deepEqual(injected, { scripts: 0, imgs: 0 });

    await page.goto(base);
    await page.locator("#search-input").focus();
    await typeQuery(page, "script");
    const opts = await options(page);
    assert.ok(opts.some((o) => o.title === "About this handbook <script>alert(1)</script>"), JSON.stringify(opts));
    assert.equal(await page.locator(".search-panel script").count(), 0);
  } finally {
    await context.close();
  }
  assert.deepEqual(dialogs, [], "no dialog fires");
  assert.deepEqual(real(problems), []);
});

test("sub-path base_url: search loads from /handbook/ and its results link there", async () => {
  const { context, page, problems, requests } = await open();
  try {
    const base = servers.sub.base;
    await page.goto(base);
    await page.locator("#search-input").focus();
    await typeQuery(page, "disk full");
    await page.keyboard.press("ArrowDown");
    await Promise.all([page.waitForURL(`${base}runbooks/postgres/disk-full/`), page.keyboard.press("Enter")]);
    await page.goto(`${base}search/?q=replication`);
    const results = await pageResults(page);
    assert.ok(results.length > 0);
    assert.ok(results.every((r) => r.href.startsWith(base)), JSON.stringify(results.map((r) => r.href)));
  } finally {
    await context.close();
  }
  assert.deepEqual(requests.filter((u) => !u.startsWith(servers.sub.base)), [], "every request stays under /handbook/");
  assert.deepEqual(real(problems), []);
});

test("without JavaScript the search page says so and links to the indexes", async () => {
  const { context, page } = await open({ javaScriptEnabled: false });
  try {
    await page.goto(`${servers.demo.base}search/?q=disk`);
    const text = await page.locator("main").innerText();
    assert.match(text, /Search needs JavaScript/);
    const links = await page.locator("main .search-nojs a").evaluateAll((as) => as.map((a) => new URL(a.href).pathname));
    for (const p of ["/runbooks/", "/postmortems/", "/courses/"]) assert.ok(links.includes(p), `${p} in ${links}`);
  } finally {
    await context.close();
  }
});

test("from file:// (where Chromium blocks fetch) search says why instead of showing nothing", async () => {
  const { context, page } = await open();
  try {
    const url = pathToFileURL(path.join(sites.demo, "search/index.html")).href + "?q=disk";
    await page.goto(url);
    await page.waitForFunction(() => /file/.test(document.getElementById("search-status").textContent));
    assert.match(await page.locator("#search-status").innerText(), /file:\/\/.*HTTP/s);
  } finally {
    await context.close();
  }
});

test("accessibility: the open listbox and the search page pass axe", async () => {
  const { context, page, problems } = await open();
  try {
    await page.goto(servers.demo.base);
    await page.locator("#search-input").focus();
    await typeQuery(page, "postgres");
    await page.keyboard.press("ArrowDown");
    let v = await runAxe(page);
    assert.deepEqual(v, [], `home with results open:\n${formatViolations(v)}`);
    await page.goto(`${servers.demo.base}search/?q=postgres`);
    await pageResults(page);
    v = await runAxe(page);
    assert.deepEqual(v, [], `search page:\n${formatViolations(v)}`);
    // A visible focus indicator on the active option.
    await page.goto(servers.demo.base);
    await page.locator("#search-input").focus();
    await typeQuery(page, "postgres");
    await page.keyboard.press("ArrowDown");
    const outline = await page.evaluate(() => {
      const o = document.querySelector("[role=option][aria-selected=true]");
      const s = getComputedStyle(o);
      return { border: s.borderTopColor, width: s.borderTopWidth };
    });
    assert.notEqual(outline.width, "0px");
    assert.notEqual(outline.border, "rgba(0, 0, 0, 0)");
  } finally {
    await context.close();
  }
  assert.deepEqual(real(problems), []);
});

test("judged queries (tests/fixtures/search/queries.json): each expected document in the browser's top 3", async () => {
  const judged = JSON.parse(readFileSync(path.join(FIXTURE, "queries.json"), "utf8"));
  const { context, page, problems, dialogs } = await open();
  const failures = [];
  try {
    for (const j of judged) {
      const params = new URLSearchParams({ q: j.query });
      if (j.kind) params.set("kind", j.kind);
      if (j.service) params.set("service", j.service);
      await page.goto(`${servers.fixture.base}search/?${params}`);
      let got = await pageResults(page);
      // The page has no stale filter: keep the results that carry the Stale badge.
      if (j.stale) got = got.filter((r) => r.badges.includes("Stale"));
      const paths = got.map((r) => r.path);
      const top3 = paths.slice(0, 3);
      const missing = j.top3.filter((p) => !top3.includes(p));
      // A pasted alert must find its runbook first, not merely in the top 3.
      if (String(j.why).startsWith("pasted") && paths[0] !== j.top3[0]) missing.push("first: " + j.top3[0]);
      const unwanted = (j.absent || []).filter((p) => paths.slice(0, 10).includes(p));
      if (missing.length || unwanted.length) failures.push({ query: j.query, why: j.why, missing, unwanted, got: top3 });
    }
  } finally {
    await context.close();
  }
  if (failures.length) {
    const row = (f) =>
      `${f.query.padEnd(50)} | ${String(f.why).padEnd(16)} | missing ${JSON.stringify(f.missing)} | unwanted ${JSON.stringify(f.unwanted)} | got ${JSON.stringify(f.got)}`;
    console.log(`browser search: ${failures.length} of ${judged.length} judged queries fail\n` + failures.map(row).join("\n"));
  }
  assert.equal(failures.length, 0, `${failures.length} of ${judged.length} judged queries fail (table above)`);
  assert.deepEqual(dialogs, []);
  assert.deepEqual(real(problems), []);
});

test("pasted alert text on a phone: the runbook first, the words a result lacks named, the closest names when nothing matches", async () => {
  const { context, page, problems, dialogs } = await open({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  try {
    const pasted = "[FIRING:1] KubePodCrashLooping (payments checkout-7f9c-abc12 critical)";
    await page.goto(`${servers.fixture.base}search/?${new URLSearchParams({ q: pasted })}`);
    const got = await pageResults(page);
    assert.equal(got[0].path, "runbooks/k8s/pod-crashlooping.md");
    const missing = await page.$$eval("#search-results .search-result", (lis) =>
      lis.map((li) => li.querySelector(".search-result-missing")?.textContent || ""));
    assert.match(missing[0], /^Missing: payments/);
    assert.ok(got.length > 1, "results matching some of the words are listed too");
    // The first result is on the first screen.
    const top = await page.$eval("#search-results .search-result", (li) => li.getBoundingClientRect().top);
    assert.ok(top < 844, `first result at ${top}px`);

    // Nothing matches: the closest alert and service names, as links.
    await page.goto(`${servers.fixture.base}search/?q=KubPodCrshLoopng+PaymentsGatewayDown`);
    await page.waitForSelector("#search-results .search-closest");
    const closest = await page.$eval("#search-results .search-closest", (li) =>
      [...li.querySelectorAll("a")].map((a) => [a.textContent, new URL(a.href).pathname]));
    assert.deepEqual(closest[0], ["KubePodCrashLooping", new URL(`${servers.fixture.base}alerts/KubePodCrashLooping/`).pathname]);
    assert.ok(closest.some(([name]) => name === "payments"), JSON.stringify(closest));
    assert.match(await page.textContent("#search-status"), /^No results/);
  } finally {
    await context.close();
  }
  assert.deepEqual(dialogs, []);
  assert.deepEqual(real(problems), []);
});

test("the browser ranks as `fieldbook search` does, missing words included (judged queries, top 10)", async (t) => {
  let help = "";
  try {
    help = fieldbook(["search", "--help"]);
  } catch {
    help = "";
  }
  if (!/--json/.test(help)) {
    t.skip("this fieldbook has no `search --json`");
    return;
  }
  // Search a copy: `fieldbook search` keeps its index in <site>/.fieldbook/.
  const src = path.join(tmp, "fixture-src");
  if (!existsSync(src)) cpSync(FIXTURE, src, { recursive: true });
  const judged = JSON.parse(readFileSync(path.join(FIXTURE, "queries.json"), "utf8"));
  const { context, page } = await open();
  const diffs = [];
  try {
    await page.goto(`${servers.fixture.base}search/`);
    for (const j of judged) {
      const args = ["search", j.query, src, "--json", "--limit", "10", "--color", "never"];
      if (j.kind) args.push("--kind", j.kind);
      if (j.service) args.push("--service", j.service);
      if (j.stale) continue; // no stale filter in the browser
      // Each result with the words it lacks (a result matching only some words says which).
      const terminal = JSON.parse(fieldbook(args)).results.map((r) => [r.path, r.missing]);
      const browserPaths = (await page.evaluate(([q, kind, service]) => window.fieldbookSearch.search(q, { limit: 10, kind, service }), [j.query, j.kind, j.service])).map((r) => [r.path, r.missing]);
      if (JSON.stringify(terminal) !== JSON.stringify(browserPaths)) diffs.push(`${j.query}\n    terminal ${JSON.stringify(terminal)}\n    browser  ${JSON.stringify(browserPaths)}`);
    }
  } finally {
    await context.close();
  }
  assert.deepEqual(diffs, [], diffs.join("\n"));
});

test("snippets: the browser shows the passage the terminal shows (judged snippets on the demo)", async () => {
  // Search a copy: `fieldbook search` keeps its index in <site>/.fieldbook/.
  const src = path.join(tmp, "demo-src");
  if (!existsSync(src)) {
    cpSync(path.join(REPO, "content"), path.join(src, "content"), { recursive: true });
    for (const f of ["book.toml", "owners.yaml"]) cpSync(path.join(REPO, f), path.join(src, f));
  }
  const judged = JSON.parse(readFileSync(path.join(FIXTURE, "snippets.json"), "utf8"));
  const { context, page } = await open();
  const problems = [];
  try {
    await page.goto(`${servers.demo.base}search/`);
    await needScript(page);
    for (const j of judged) {
      const args = ["search", j.query, src, "--json", "--limit", "50", "--color", "never"];
      const hit = JSON.parse(fieldbook(args)).results.find((r) => r.path === j.path);
      const terminal = hit && hit.snippet.replaceAll("**", "");
      const browser = (await page.evaluate((q) => window.fieldbookSearch.search(q, { limit: 50, snippets: true }), j.query))
        .find((r) => r.path === j.path);
      if (!hit || !browser) { problems.push(`${j.query}: ${j.path} missing (terminal ${!!hit}, browser ${!!browser})`); continue; }
      if (browser.snippet !== terminal) problems.push(`${j.query} (${j.path})\n    terminal ${terminal}\n    browser  ${browser.snippet}`);
      for (const w of j.highlighted) {
        if (!browser.snippet.toLowerCase().includes(w)) problems.push(`${j.query}: "${w}" not in ${browser.snippet}`);
      }
    }
  } finally {
    await context.close();
  }
  assert.deepEqual(problems, [], problems.join("\n"));
});
