// Shared helpers for the browser tests (not a test file itself: node --test only runs
// *.test.mjs here).
//
// Environment (set by tests/it/browser.rs; can be set by hand to run `node --test` directly):
//   FIELDBOOK_SITE          the built demo site (required)
//   FIELDBOOK_SUBPATH_SITE  the demo built with base_url "/handbook/" (sub-path test)
//   FIELDBOOK_CHROMIUM      the Chromium binary (default /usr/bin/chromium)
//   FIELDBOOK_SCREENSHOTS   where to write screenshots (default target/browser-screenshots)
//   FIELDBOOK_BIN           the fieldbook binary (serve.test.mjs; default target/debug/fieldbook)

import { chromium } from "playwright-core";
import { existsSync, readdirSync } from "node:fs";
import { before, after } from "node:test";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { serve } from "./server.mjs";

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const CHROMIUM = process.env.FIELDBOOK_CHROMIUM || "/usr/bin/chromium";
export const SCREENSHOTS =
  process.env.FIELDBOOK_SCREENSHOTS || path.join(REPO, "target/browser-screenshots");
export const AXE_PATH = path.join(REPO, "node_modules/axe-core/axe.min.js");

export function siteDir(name = "FIELDBOOK_SITE") {
  const dir = process.env[name];
  if (!dir) {
    throw new Error(
      `${name} is not set: run these tests through \`cargo test --test it browser::\`, ` +
        `or build the site and point ${name} at its output directory`,
    );
  }
  return dir;
}

export function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

// Pages of the demo handbook, relative to the site root.
export const PAGES = {
  home: "",
  staleRunbook: "runbooks/tracking/events-delayed/",
  freshRunbook: "runbooks/postgres/disk-full/",
  // Console blocks with `$ ` prompts, output lines and a `\` continuation; also a table.
  shellRunbook: "runbooks/k8s/pod-crashlooping/",
  // The runbook with the most table rows.
  tableRunbook: "runbooks/api-gateway/high-5xx-rate/",
  postmortem: "postmortems/2026-11-10-tracking-consumer-oom-loop/",
  course: "courses/oncall-101/",
  lesson: "courses/oncall-101/01-slos-and-error-budgets/",
  freshness: "freshness/",
  team: "teams/team-db/",
  tag: "tags/postgres/",
  notFound: "no-such-page/",
};

/**
 * Watch a page for trouble: console errors, uncaught exceptions, failed requests and
 * responses with status >= 400. Also records every request URL. `expectStatus` maps a URL
 * to the status its response is expected to have (for the 404 page).
 */
export function watch(page, { expectStatus = new Map() } = {}) {
  const problems = [];
  const requests = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") {
      const loc = msg.location();
      // Chromium's own console line for a response already checked by status below.
      if (/^Failed to load resource/.test(msg.text()) && loc?.url) {
        if (expectStatus.has(loc.url)) return;
        // A browser may still ask for /favicon.ico by itself: not something the page requested.
        if (new URL(loc.url).pathname === "/favicon.ico") return;
      }
      problems.push(`console error: ${msg.text()}${loc?.url ? ` (at ${loc.url}:${loc.lineNumber})` : ""}`);
    }
  });
  page.on("pageerror", (err) => problems.push(`uncaught exception: ${err.message}`));
  page.on("request", (req) => requests.push(req.url()));
  page.on("requestfailed", (req) => {
    // Leaving a page cancels its pending icon fetch; that is navigation, not a failure.
    const icon = req.url().endsWith("/favicon.svg") || req.resourceType() === "other";
    if (req.failure()?.errorText === "net::ERR_ABORTED" && icon) return;
    problems.push(`request failed: ${req.method()} ${req.url()}: ${req.failure()?.errorText}`);
  });
  page.on("response", (res) => {
    const want = expectStatus.get(res.url());
    if (want !== undefined) {
      if (res.status() !== want) problems.push(`expected ${want}, got ${res.status()}: ${res.url()}`);
    } else if (res.status() >= 400) {
      problems.push(`HTTP ${res.status()}: ${res.request().method()} ${res.url()}`);
    }
  });
  return { problems, requests };
}

/** Relative luminance (WCAG) of a CSS `rgb()`/`rgba()` colour; alpha is ignored. */
export function luminance(css) {
  const m = css.match(/rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)/);
  if (!m) {
    // color(srgb r g b) with 0..1 components
    const c = css.match(/color\(srgb\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)/);
    if (!c) throw new Error(`cannot parse colour: ${css}`);
    return lum(c.slice(1, 4).map(Number));
  }
  return lum(m.slice(1, 4).map((v) => Number(v) / 255));
}

function lum([r, g, b]) {
  const lin = (c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** The effective background colour of `body` (body's own, else the root element's). */
export async function pageColours(page) {
  return page.evaluate(() => {
    const transparent = (c) => c === "transparent" || /rgba\(.*,\s*0\)$/.test(c);
    const body = getComputedStyle(document.body);
    let bg = body.backgroundColor;
    if (transparent(bg)) bg = getComputedStyle(document.documentElement).backgroundColor;
    return { background: bg, text: body.color };
  });
}

/** Run axe-core on the page (all rules, or only `rules`); return its violations. */
export async function runAxe(page, rules = null) {
  await page.addScriptTag({ path: AXE_PATH });
  return page.evaluate(async (rules) => {
    const options = { resultTypes: ["violations"] };
    if (rules) options.runOnly = { type: "rule", values: rules };
    // eslint-disable-next-line no-undef
    const result = await axe.run(document, options);
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({
        target: n.target.join(" "),
        summary: n.failureSummary,
        html: n.html,
      })),
    }));
  }, rules);
}

export function formatViolations(violations) {
  return violations
    .map(
      (v) =>
        `  [${v.impact}] ${v.id}: ${v.help}\n` +
        v.nodes
          .slice(0, 8)
          .map((n) => `      ${n.target}\n        ${(n.summary || "").replace(/\n/g, "\n        ")}`)
          .join("\n") +
        (v.nodes.length > 8 ? `\n      … and ${v.nodes.length - 8} more` : ""),
    )
    .join("\n");
}

/** The fieldbook binary cargo built (or FIELDBOOK_BIN), for tests that build a site. */
export function builtBinary() {
  if (process.env.FIELDBOOK_BIN) return process.env.FIELDBOOK_BIN;
  const bin = path.join(process.env.CARGO_TARGET_DIR || path.join(REPO, "target"), "debug/fieldbook");
  if (!existsSync(bin)) {
    throw new Error(`no ${bin}: run through \`cargo test --test it browser::\` or set FIELDBOOK_BIN`);
  }
  return bin;
}

/** Every page (folder URL, `""` for home) of the built site in `dir`, sorted. */
export function htmlPages(dir, rel = "") {
  const out = [];
  for (const e of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...htmlPages(dir, r));
    else if (e.name === "index.html") out.push(rel ? `${rel}/` : "");
  }
  return out.sort();
}

/**
 * Serve the built demo (`siteDir(name)`) and launch Chromium for the test file: the returned
 * object's `server` and `browser` are set before the tests run and closed after.
 */
export function servedSite(name = "FIELDBOOK_SITE") {
  const ctx = {};
  before(async () => {
    ctx.server = await serve(siteDir(name));
    ctx.browser = await launch();
  });
  after(async () => {
    await ctx.browser?.close();
    await ctx.server?.close();
  });
  return ctx;
}
