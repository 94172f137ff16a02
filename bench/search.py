#!/usr/bin/env python3
"""Benchmark Fieldbook's browser search against Pagefind on the same built handbook.

    python3 bench/search.py [--docs 10000] [--site-dir DIR] [--pagefind EXE] [--skip-pagefind]
                            [--runs 3] [--json FILE] [--keep]

Not a test: it prints figures. Steps:

1. Generate the corpus (shared/bench/gen_corpus.py, target/bench/corpus-N-fieldbook) and build
   it with the release `fieldbook build` (timed with and without search when the build has a
   switch to leave search out; the search step's own time when the build logs it). With
   `--site-dir` an already built site is used instead (it must hold search/).
2. Run Pagefind (from npm: `npm install pagefind` into a temporary directory, which ships its
   binary inside the package) on the SAME built site: `pagefind --site OUT --output-subdir
   pagefind`, timed.
3. Index size on disk: files and bytes of `search/` and `pagefind/`, raw and as served (gzip for
   Fieldbook's JSON; Pagefind's fragments and index chunks are already compressed), per page.
4. Serve the site from a local server that gzips what a static host gzips (when the client
   accepts it) and counts requests and bytes, then in headless Chromium, for each of ~20
   realistic queries (alert names, error strings, services, symptoms, typos), each in a fresh
   browser context (cold cache):
     - Fieldbook: a page that loads static/search.js only; `fieldbookSearch.search(q, {limit: 5,
       snippets: true})` (the first five results with title, URL and snippet);
     - Pagefind: a page that loads /pagefind/pagefind.js; `pagefind.search(q)`, then
       `await r.data()` for the first five results;
   measuring time to first results, bytes and requests of the cold query (everything fetched
   after the engine script loaded), then the same query again (warm), median of --runs.
   Also Fieldbook's own UI: typing the query into the home page's search box until the first
   option shows (includes the 60 ms debounce).
Prints a table and the ratios.
"""
import argparse
import gzip
import http.server
import json
import os
import re
import shutil
import socketserver
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(ROOT), "shared")

QUERIES = [
    # alert names, as pasted from the page
    "IdentityDiskFull",
    "CheckoutHighErrorRate",
    "KafkaReplicationLag",
    "PostgresConnectionPoolExhausted",
    "VaultCertificateExpiring",
    # error strings
    "context deadline exceeded",
    "no space left on device",
    "x509: certificate has expired",
    "ECONNREFUSED",
    "FATAL: remaining connection slots are reserved",
    "CrashLoopBackOff",
    "java.lang.OutOfMemoryError: Java heap space",
    # services and symptoms
    "ledger",
    "k8s-control-plane node not ready",
    "billing replication lag",
    "dns resolution failures",
    "checkout p99 latency",
    # typos
    "identty disk full",
    "replciation lag",
    "certifcate expiring",
    "databse failover",
]

GZIP_TYPES = (".html", ".css", ".js", ".mjs", ".json", ".svg", ".xml", ".txt")


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# ------------------------------------------------------------------ build


def gen_corpus(docs):
    out = os.path.join(ROOT, "target", "bench", f"corpus-{docs}-fieldbook")
    content = os.path.join(out, "content")
    n = sum(f.endswith(".md") for _, _, fs in os.walk(content) for f in fs) if os.path.isdir(content) else 0
    if n != docs:
        if os.path.exists(out):
            shutil.rmtree(out)
        log(f"generating {docs} documents into {out}")
        subprocess.run([sys.executable, os.path.join(SHARED, "bench", "gen_corpus.py"), "--docs", str(docs),
                        "--out", out], check=True, stdout=subprocess.DEVNULL)
    return out


def fieldbook_build(exe, corpus, out, extra=()):
    if os.path.exists(out):
        shutil.rmtree(out)
    t = time.perf_counter()
    p = subprocess.run([exe, "build", corpus, "--output", out, "--color", "never", *extra],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    wall = time.perf_counter() - t
    # The corpus has lapsed owners and overdue reviews: `build` writes the site and exits 1.
    if p.returncode not in (0, 1) or not os.path.isfile(os.path.join(out, "index.html")):
        sys.exit(f"fieldbook build failed ({p.returncode}):\n{p.stdout[-3000:]}")
    return wall, p.stdout


def search_step_time(log_text):
    """The search step's time if the build logs one (`search: … in 1.2 s`)."""
    for line in log_text.splitlines():
        if re.search(r"^\s*(search\b|.*\bsearch (index|step)\b)", line, re.I):
            m = re.search(r"([\d.]+)\s*(ms|s)\b", line)
            if m:
                v = float(m.group(1)) / (1000 if m.group(2) == "ms" else 1)
                return v, line.strip()
    return None, None


def no_search_flag(exe):
    help_text = subprocess.run([exe, "build", "--help"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True).stdout
    for flag in ("--no-search", "--skip-search", "--without-search"):
        if flag in help_text:
            return flag
    return None


def install_pagefind(tmp):
    log("installing pagefind from npm")
    subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent", "--prefix", tmp, "pagefind@latest"],
                   check=True, stdout=subprocess.DEVNULL)
    exe = os.path.join(tmp, "node_modules", ".bin", "pagefind")
    version = subprocess.run([exe, "--version"], stdout=subprocess.PIPE, text=True).stdout.strip()
    return exe, version


def du(path, gz=False):
    files = total = served = 0
    for d, _, fs in os.walk(path):
        for f in fs:
            p = os.path.join(d, f)
            files += 1
            size = os.path.getsize(p)
            total += size
            if gz and f.endswith(GZIP_TYPES):
                with open(p, "rb") as fh:
                    served += len(gzip.compress(fh.read(), 6))
            else:
                served += size
    return files, total, served


# ------------------------------------------------------------------ server


class Counter:
    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        with getattr(self, "lock", threading.Lock()):
            self.requests = 0
            self.bytes = 0
            self.paths = []


def make_server(site, counter):
    cache = {}

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **kw):
            super().__init__(*a, directory=site, **kw)

        def log_message(self, *a):
            pass

        def do_GET(self):
            path = self.path.split("?", 1)[0]
            if path == "/__stats":
                body = json.dumps({"requests": counter.requests, "bytes": counter.bytes,
                                   "paths": counter.paths}).encode()
                counter.reset()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            fs = self.translate_path(path)
            if os.path.isdir(fs):
                fs = os.path.join(fs, "index.html")
            if not os.path.isfile(fs):
                self.send_error(404)
                return
            gz = fs.endswith(GZIP_TYPES) and "gzip" in (self.headers.get("accept-encoding") or "")
            key = (fs, gz)
            if key not in cache:
                with open(fs, "rb") as fh:
                    data = fh.read()
                cache[key] = gzip.compress(data, 6) if gz else data
            body = cache[key]
            self.send_response(200)
            self.send_header("content-type", self.guess_type(fs))
            if fs.endswith(".wasm") or "pagefind" in fs and fs.endswith(".pagefind"):
                self.send_header("content-type", "application/wasm")
            if gz:
                self.send_header("content-encoding", "gzip")
            self.send_header("content-length", str(len(body)))
            self.send_header("cache-control", "no-cache")
            self.end_headers()
            self.wfile.write(body)
            with counter.lock:
                counter.requests += 1
                counter.bytes += len(body)
                counter.paths.append(path)

    class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
        daemon_threads = True
        allow_reuse_address = True

        def handle_error(self, request, client_address):
            pass  # a browser closing a connection early (a new context per query)

    return Server(("127.0.0.1", 0), Handler)


# ------------------------------------------------------------------ browser harness

HARNESS_FIELDBOOK = """<!doctype html><meta charset=utf-8><title>fieldbook bench</title>
<script src="static/search.js" defer></script>
<script>addEventListener("DOMContentLoaded", () => { window.benchReady = true; });</script>
"""

HARNESS_PAGEFIND = """<!doctype html><meta charset=utf-8><title>pagefind bench</title>
<script type="module">
window.pagefind = await import("/pagefind/pagefind.js");
window.benchReady = true;
</script>
"""

DRIVER = r"""
import { chromium } from %(playwright)s;
const [base, queriesJSON, runsS] = process.argv.slice(2);
const queries = JSON.parse(queriesJSON);
const runs = Number(runsS);
const stats = async () => (await fetch(base + "__stats")).json();
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"] });
const median = (a) => { const s = [...a].sort((x, y) => x - y); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };

const engines = {
  fieldbook: { page: "bench-fieldbook.html",
    run: (q) => window.fieldbookSearch.search(q, { limit: 5, snippets: true }).then((r) => r.map((x) => x.url)) },
  pagefind: { page: "bench-pagefind.html",
    run: async (q) => { const s = await window.pagefind.search(q);
      const d = await Promise.all(s.results.slice(0, 5).map((r) => r.data())); return d.map((x) => x.url); } },
};

const out = {};
for (const [name, e] of Object.entries(engines)) {
  if (name === "pagefind" && process.env.SKIP_PAGEFIND) continue;
  out[name] = [];
  for (const q of queries) {
    const cold = [], warm = [], bytes = [], reqs = [];
    let urls = [];
    for (let r = 0; r < runs; r++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(base + e.page);
      await page.waitForFunction(() => window.benchReady);
      await stats();                       // what the page itself loaded is not the query's
      const fn = e.run.toString();
      const t = await page.evaluate(async ([q, fn]) => {
        const run = eval(fn);
        const t0 = performance.now(); const urls = await run(q); const cold = performance.now() - t0;
        const t1 = performance.now(); await run(q); const warm = performance.now() - t1;
        return { cold, warm, urls };
      }, [q, fn]);
      const s = await stats();
      cold.push(t.cold); warm.push(t.warm); bytes.push(s.bytes); reqs.push(s.requests); urls = t.urls;
      await context.close();
    }
    out[name].push({ q, cold: median(cold), warm: median(warm), bytes: median(bytes), requests: median(reqs), urls });
    process.stderr.write(`${name.padEnd(9)} ${q.slice(0, 40).padEnd(40)} ${median(cold).toFixed(0).padStart(5)} ms ${String(median(reqs)).padStart(3)} req ${(median(bytes) / 1024).toFixed(1).padStart(7)} KiB\n`);
  }
}

// Fieldbook's UI: type the query into the home page search box, until the first option shows.
out.ui = [];
{
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(base);
  if (!(await page.evaluate(() => !!document.querySelector('script[src$="search.js"]')))) out.ui = null;
  await context.close();
}
for (const q of out.ui ? queries : []) {
  const times = [];
  for (let r = 0; r < runs; r++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(base);
    await page.waitForFunction(() => window.fieldbookSearch);
    const input = page.locator("#search-input");
    await input.focus();
    const ms = await page.evaluate(async (q) => {
      const input = document.getElementById("search-input");
      const box = document.getElementById(input.getAttribute("aria-controls"));
      const t0 = performance.now();
      input.value = q;
      input.dispatchEvent(new Event("input", { bubbles: true }));
      await new Promise((resolve) => {
        const check = () => (box.querySelector("[role=option]") || box.parentElement.querySelector(".search-note")?.textContent) ? resolve() : requestAnimationFrame(check);
        check();
      });
      return performance.now() - t0;
    }, q);
    times.push(ms);
    await context.close();
  }
  out.ui.push({ q, ms: median(times) });
}
await browser.close();
console.log(JSON.stringify(out));
"""


def run_browser(site, queries, runs, skip_pagefind):
    with open(os.path.join(site, "bench-fieldbook.html"), "w") as f:
        f.write(HARNESS_FIELDBOOK)
    with open(os.path.join(site, "bench-pagefind.html"), "w") as f:
        f.write(HARNESS_PAGEFIND)
    counter = Counter()
    server = make_server(site, counter)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    tmp = tempfile.mkdtemp(prefix="fieldbook-search-bench-")
    try:
        driver = os.path.join(tmp, "driver.mjs")
        pw = json.dumps(os.path.join(ROOT, "node_modules", "playwright-core", "index.mjs"))
        with open(driver, "w") as f:
            f.write(DRIVER.replace("%(playwright)s", pw))
        env = dict(os.environ)
        if skip_pagefind:
            env["SKIP_PAGEFIND"] = "1"
        p = subprocess.run(["node", driver, base, json.dumps(queries), str(runs)], stdout=subprocess.PIPE,
                           env=env, text=True, timeout=3600)
        if p.returncode != 0:
            sys.exit(f"browser driver failed ({p.returncode})")
        return json.loads(p.stdout.strip().splitlines()[-1])
    finally:
        server.shutdown()
        shutil.rmtree(tmp, ignore_errors=True)
        for f in ("bench-fieldbook.html", "bench-pagefind.html"):
            try:
                os.remove(os.path.join(site, f))
            except OSError:
                pass


# ------------------------------------------------------------------ report


def kib(n):
    return f"{n / 1024:,.1f} KiB" if n < 1024 * 1024 else f"{n / 1048576:,.2f} MiB"


def summary(rows, key):
    vals = [r[key] for r in rows]
    return statistics.median(vals), max(vals)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=10000)
    ap.add_argument("--site-dir", help="an already built site (with search/) instead of building one")
    ap.add_argument("--fieldbook", help="the fieldbook binary (default: build and use target/release/fieldbook)")
    ap.add_argument("--pagefind", help="the pagefind binary (default: npm install pagefind@latest)")
    ap.add_argument("--skip-pagefind", action="store_true")
    ap.add_argument("--runs", type=int, default=3, help="runs per query (median)")
    ap.add_argument("--json", help="also write the figures to this file")
    ap.add_argument("--keep", action="store_true", help="keep the built site")
    args = ap.parse_args()

    res = {"docs": args.docs, "queries": QUERIES}
    tmp = tempfile.mkdtemp(prefix="fieldbook-search-bench-")
    try:
        if args.site_dir:
            site = os.path.abspath(args.site_dir)
            res["fieldbook_build_s"] = None
        else:
            exe = args.fieldbook
            if not exe:
                log("cargo build --release")
                subprocess.run(["cargo", "build", "--release", "-q"], cwd=ROOT, check=True)
                exe = os.path.join(ROOT, "target", "release", "fieldbook")
            corpus = gen_corpus(args.docs)
            site = os.path.join(ROOT, "target", "bench", f"site-{args.docs}-search")
            flag = no_search_flag(exe)
            if flag:
                log(f"fieldbook build {flag}")
                res["fieldbook_build_nosearch_s"], _ = fieldbook_build(exe, corpus, site, [flag])
            # Cold: no terminal index yet (.fieldbook/search is built from scratch); warm: the
            # index is current, so the build only checks it and writes the client index.
            shutil.rmtree(os.path.join(corpus, ".fieldbook"), ignore_errors=True)
            log("fieldbook build (cold: no .fieldbook/ index)")
            res["fieldbook_build_s"], build_log = fieldbook_build(exe, corpus, site)
            res["fieldbook_search_step_s"], res["fieldbook_search_log"] = search_step_time(build_log)
            log("fieldbook build (warm: index current)")
            res["fieldbook_build_warm_s"], _ = fieldbook_build(exe, corpus, site)
        if not os.path.isfile(os.path.join(site, "search", "index.json")):
            sys.exit(f"{site} has no search/index.json: this fieldbook build does not write the client index")
        with open(os.path.join(site, "search", "index.json")) as f:
            res["fieldbook_pages"] = json.load(f)["docs"]
        res["fieldbook_disk"] = du(os.path.join(site, "search"), gz=True)
        with open(os.path.join(site, "static", "search.js"), "rb") as f:
            js = f.read()
        res["search_js_bytes"] = (len(js), len(gzip.compress(js, 6)))

        if not args.skip_pagefind:
            pf_exe, version = (args.pagefind, "given") if args.pagefind else install_pagefind(tmp)
            res["pagefind_version"] = version
            shutil.rmtree(os.path.join(site, "pagefind"), ignore_errors=True)
            log(f"pagefind {version} --site {site}")
            t = time.perf_counter()
            p = subprocess.run([pf_exe, "--site", site, "--output-subdir", "pagefind"], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
            res["pagefind_build_s"] = time.perf_counter() - t
            if p.returncode != 0:
                sys.exit(f"pagefind failed:\n{p.stdout[-3000:]}")
            m = re.search(r"Indexed (\d+) pages?", p.stdout)
            res["pagefind_pages"] = int(m.group(1)) if m else None
            res["pagefind_disk"] = du(os.path.join(site, "pagefind"), gz=True)
            with open(os.path.join(site, "pagefind", "pagefind.js"), "rb") as f:
                pj = f.read()
            res["pagefind_js_bytes"] = (len(pj), len(gzip.compress(pj, 6)))

        log("queries in headless chromium")
        res["browser"] = run_browser(site, QUERIES, args.runs, args.skip_pagefind)
        if args.json:
            with open(args.json, "w") as f:
                json.dump(res, f, indent=1)
        report(res)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if not args.keep and not args.site_dir and "site" in locals() and os.path.isdir(site):
            shutil.rmtree(site, ignore_errors=True)


def report(res):
    b = res["browser"]
    fb = b["fieldbook"]
    pf = b.get("pagefind")
    print(f"\nSearch benchmark: {res['docs']} generated documents, {len(res['queries'])} queries, cold cache each\n")
    rows = []

    def row(label, f, p=None, ratio=None):
        rows.append((label, f, p if p is not None else "", ratio if ratio is not None else ""))

    def ratio(a, b):
        return f"{a / b:.2f}x" if a is not None and b else ""

    fbs = res.get("fieldbook_build_s")
    row("index build", (f"build {fbs:.1f} s (warm index {res['fieldbook_build_warm_s']:.1f} s)" if fbs else "(prebuilt site)") +
        (f", without search {res['fieldbook_build_nosearch_s']:.1f} s" if res.get("fieldbook_build_nosearch_s") else "") +
        (f", search step {res['fieldbook_search_step_s']:.2f} s" if res.get("fieldbook_search_step_s") else ""),
        f"{res['pagefind_build_s']:.1f} s" if pf else None,
        ratio(res.get("fieldbook_search_step_s") or (fbs - res["fieldbook_build_nosearch_s"] if fbs and res.get("fieldbook_build_nosearch_s") else None),
              res.get("pagefind_build_s")) if pf else None)
    row("pages indexed", str(res["fieldbook_pages"]), str(res.get("pagefind_pages")) if pf else None)
    ff, fraw, fserved = res["fieldbook_disk"]
    row("index files", str(ff), str(res["pagefind_disk"][0]) if pf else None, ratio(ff, res["pagefind_disk"][0]) if pf else None)
    row("index on disk", kib(fraw), kib(res["pagefind_disk"][1]) if pf else None, ratio(fraw, res["pagefind_disk"][1]) if pf else None)
    row("index as served (gzip)", kib(fserved), kib(res["pagefind_disk"][2]) if pf else None,
        ratio(fserved, res["pagefind_disk"][2]) if pf else None)
    fpp = fraw / res["fieldbook_pages"]
    ppp = res["pagefind_disk"][1] / res["pagefind_pages"] if pf and res.get("pagefind_pages") else None
    row("on disk per page", f"{fpp / 1024:.2f} KiB", f"{ppp / 1024:.2f} KiB" if ppp else None, ratio(fpp, ppp) if ppp else None)
    sj = res["search_js_bytes"]
    row("engine script (gzip)", f"search.js {kib(sj[1])}",
        f"pagefind.js {kib(res['pagefind_js_bytes'][1])} (+ wasm, counted per query)" if pf else None)
    for key, label, unit in (("bytes", "cold query bytes", "bytes"), ("requests", "cold query requests", "n"),
                             ("cold", "time to first results", "ms"), ("warm", "warm query time", "ms")):
        fm, fw = summary(fb, key)
        if pf:
            pm, pw = summary(pf, key)
        fmt = (lambda v: kib(v)) if unit == "bytes" else (lambda v: f"{v:.0f}" if unit == "n" else f"{v:.1f} ms")
        row(f"{label} (median / worst)", f"{fmt(fm)} / {fmt(fw)}", f"{fmt(pm)} / {fmt(pw)}" if pf else None,
            f"{ratio(fm, pm)} / {ratio(fw, pw)}" if pf else None)
    if b.get("ui"):
        um = statistics.median(r["ms"] for r in b["ui"])
        uw = max(r["ms"] for r in b["ui"])
        row("Fieldbook UI: typed query to first option", f"{um:.1f} ms / {uw:.1f} ms (incl. 60 ms debounce)")
    else:
        row("Fieldbook UI: typed query to first option", "(home page does not load search.js)")
    w = [max(len(r[i]) for r in rows + [("", "Fieldbook", "Pagefind", "ratio")]) for i in range(4)]
    print(f"{'':<{w[0]}}  {'Fieldbook':<{w[1]}}  {'Pagefind':<{w[2]}}  ratio (F/P)")
    for r in rows:
        print(f"{r[0]:<{w[0]}}  {r[1]:<{w[1]}}  {r[2]:<{w[2]}}  {r[3]}")
    print("\nPer query (cold, median of runs):")
    print(f"{'query':<48} {'Fieldbook':>28}   {'Pagefind':>28}")
    for i, r in enumerate(fb):
        p = pf[i] if pf else None
        fcell = f"{r['cold']:6.0f} ms {r['requests']:3.0f} req {r['bytes'] / 1024:7.1f} KiB"
        pcell = f"{p['cold']:6.0f} ms {p['requests']:3.0f} req {p['bytes'] / 1024:7.1f} KiB" if p else ""
        print(f"{r['q'][:48]:<48} {fcell:>28}   {pcell:>28}")


if __name__ == "__main__":
    main()
