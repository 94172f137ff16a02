#!/usr/bin/env python3
"""Benchmark `fieldbook build` against Hugo and mdBook on the same generated handbook, side by side.

    python3 bench/build.py [--docs 10000] [--runs 5] [--json [FILE]] [--tmp DIR] [--keep]
                           [--fieldbook EXE] [--hugo EXE] [--mdbook EXE | --skip-mdbook]

Builds the release binary, generates the corpus (shared/bench/gen_corpus.py) once in each
tool's flavor (fieldbook, hugo, mdbook: the same text) into target/bench/, then alternates

    fieldbook build <corpus> --output <tmp>/fb-public
    hugo --source <hugo-corpus> --destination <tmp>/hugo-public --cacheDir <fresh> --ignoreCache --quiet
    mdbook build <mdbook-corpus> --dest-dir <tmp>/mdbook-public

`--runs` times each (the order rotates every round -- for two tools, it swaps -- so no tool
always runs on the warmer cache). mdBook is optional: when `--mdbook` (default `mdbook` on the
PATH) is not found, or with --skip-mdbook, it is left out with a note. Every run starts cold:
the destination, Fieldbook's .fieldbook/ (its search index, kept in the site) and Hugo's
resources/ and cache directory are deleted first, so nothing is reused from the previous run
(mdBook keeps nothing between builds but its destination). Fieldbook works on a hard-linked copy of the shared
corpus, so that wiping .fieldbook/ never disturbs bench/search.py or bench/check.py. Each run
is checked, not just timed: every Markdown document of the corpus must have become its page
in every output, by each tool's URL scheme (fieldbook and hugo: `a/b.md` -> `a/b/index.html`;
mdBook: `a/b.md` -> `a/b.html`; all: `a/index.md` / `a/_index.md` -> `a/index.html`), and
every leaf page must carry rendered text (each leaf document has a code block: `<pre`).

Then the build cache's rows (skip them with --skip-cache-rows): after a cached build of the
same corpus, `fieldbook build` again with nothing changed, after one runbook's body was edited,
after one runbook's title was edited (index pages change), after the owners file was edited,
and with the next judging date (`--today` one day later), `--runs` times each (every run a new
edit, each file replaced by a new one, never written through the corpus' hard links), each
beside Hugo's cold build of the same run.

Reports wall time (median, best, worst), pages written (.html files), pages per second, peak
RSS, CPU time, output size, the browser search index each tool writes (fieldbook: search/;
mdBook: searchindex*.js, on by default; Hugo: none), and the ratios fieldbook/other for each
other tool. `fieldbook build` exits 1 on this corpus by design (it has lapsed owners and
overdue reviews, which fail the build after the site is written); that status is accepted, any
other is not.
"""
import argparse
import re
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(ROOT), "shared")


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# Where each flavor of the corpus keeps its Markdown, and files there that are not documents.
CONTENT_DIR = {"fieldbook": "content", "hugo": "content", "mdbook": "src"}
NOT_DOCUMENTS = {"mdbook": {"SUMMARY.md"}}


def markdown_files(content, skip=()):
    out = []
    for d, _, files in os.walk(content):
        for f in files:
            if f.endswith(".md") and not (d == content and f in skip):
                out.append(os.path.relpath(os.path.join(d, f), content).replace(os.sep, "/"))
    return out


def gen(docs, flavor):
    """The corpus for `flavor`, generated unless a complete one is already there."""
    out = os.path.join(ROOT, "target", "bench", f"corpus-{docs}-{flavor}")
    content = os.path.join(out, CONTENT_DIR[flavor])
    skip = NOT_DOCUMENTS.get(flavor, ())
    if not (os.path.isdir(content) and len(markdown_files(content, skip)) == docs
            and all(os.path.isfile(os.path.join(content, f)) for f in skip)):
        if os.path.exists(out):
            shutil.rmtree(out)  # an interrupted generation: start over
        gen_py = os.environ.get("GEN_CORPUS", os.path.join(SHARED, "bench", "gen_corpus.py"))
        subprocess.run([sys.executable, gen_py, "--docs", str(docs), "--out", out, "--flavor", flavor],
                       check=True, stdout=subprocess.DEVNULL)
    return out


def private_copy(site, docs):
    """A hard-linked copy of the shared fieldbook corpus for this script alone: `fieldbook
    build` keeps its search index in the site's .fieldbook/, which this script wipes before
    every run and which bench/search.py and bench/check.py, sharing the corpus, must not see
    disappear. `build` only reads the content files, so links are safe and cost nothing."""
    copy = os.path.join(ROOT, "target", "bench", f"build-site-{docs}-fieldbook")
    rmtree(copy)
    shutil.copytree(site, copy, copy_function=os.link,
                    ignore=shutil.ignore_patterns(".fieldbook"))
    return copy


def page_dir_index(stem):
    """fieldbook and hugo ("pretty URLs"): a/b.md -> a/b/index.html."""
    return f"{stem}/index.html"


def page_html_file(stem):
    """mdBook: a/b.md -> a/b.html."""
    return f"{stem}.html"


def expected_pages(content, page_of, skip=()):
    """Output file of every document, by the tool's URL scheme (`page_of` maps a leaf
    document's path without .md to its page; index.md / _index.md are a/index.html in every
    tool), mapped to whether it is a section page (from an index.md / _index.md)."""
    pages = {}
    for rel in markdown_files(content, skip):
        stem = rel[:-3]
        d, _, name = stem.rpartition("/")
        if name in ("index", "_index"):
            pages[f"{d}/index.html" if d else "index.html"] = True
        else:
            pages[page_of(stem)] = False
    return pages


def run_measured(cmd, log_path):
    """Wall time, peak RSS (MB) and CPU seconds of one child (wait4, so each run is alone)."""
    with open(log_path, "wb") as logf:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=logf, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
    return {
        "wall": wall,
        "rss_mb": usage.ru_maxrss / 1024,
        "cpu": usage.ru_utime + usage.ru_stime,
        "user": usage.ru_utime,
        "sys": usage.ru_stime,
        "code": os.waitstatus_to_exitcode(status),
    }


def scan_output(out, parts):
    """Every file under `out`: (.html paths, file count, apparent bytes, allocated bytes, and
    for each of `parts` (name -> predicate on the output-relative path) its files and bytes)."""
    html, files, size, disk = set(), 0, 0, 0
    part = {name: {"files": 0, "bytes": 0} for name in parts}
    for d, _, names in os.walk(out):
        for n in names:
            rel = os.path.relpath(os.path.join(d, n), out).replace(os.sep, "/")
            st = os.lstat(os.path.join(d, n))
            files += 1
            size += st.st_size
            disk += st.st_blocks * 512
            if n.endswith(".html"):
                html.add(rel)
            for name, match in parts.items():
                if match(rel):
                    part[name]["files"] += 1
                    part[name]["bytes"] += st.st_size
    return html, files, size, disk, part


def has_text(path):
    if os.path.getsize(path) < 500:
        return False
    with open(path, "rb") as f:
        return b"<pre" in f.read()


def fieldbook_exe(given):
    """The executable to benchmark: `given` (--fieldbook), else target/release/fieldbook, built."""
    if given:
        return os.path.abspath(given)
    log("building fieldbook (release) ...")
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    return os.path.join(ROOT, "target", "release", "fieldbook")


def rmtree(path):
    if os.path.exists(path):
        shutil.rmtree(path)


class Tool:
    def __init__(self, name, flavor, corpus, dest, cmd, prepare, ok_codes, page_of, parts=None):
        self.name, self.corpus, self.dest, self.cmd = name, corpus, dest, cmd
        self.prepare, self.ok_codes = prepare, ok_codes
        self.parts = parts or {}  # notable parts of the output (name -> path predicate), sized
        self.expected = expected_pages(os.path.join(corpus, CONTENT_DIR[flavor]), page_of,
                                       NOT_DOCUMENTS.get(flavor, ()))
        self.runs = []

    def run(self, tmp, i):
        self.prepare()
        log_path = os.path.join(tmp, f"{self.name}-{i}.log")
        r = run_measured(self.cmd, log_path)
        if r["code"] not in self.ok_codes:
            sys.exit(f"{self.name} exited {r['code']}; its output is in {log_path}:\n"
                     + open(log_path, errors="replace").read()[-3000:])
        html, files, size, disk, parts = scan_output(self.dest, self.parts)
        missing = self.expected.keys() - html
        if missing:
            sys.exit(f"{self.name}: {len(missing)} of {len(self.expected)} documents have no page, "
                     f"e.g. {sorted(missing)[:5]}")
        # Leaf pages must carry their rendered text: every leaf document of the corpus has a
        # code block, so its page has a <pre> (a size limit alone would not do: mdBook's page
        # chrome is several kB). Section pages may be short: the hugo flavor's list template
        # shows a course's lessons, not its own text.
        empty = [p for p, section in self.expected.items() if not section and not has_text(os.path.join(self.dest, p))]
        if empty:
            sys.exit(f"{self.name}: {len(empty)} pages are (nearly) empty or lack their text, "
                     f"e.g. {sorted(empty)[:5]}")
        r.update(pages=len(html), files=files, bytes=size, disk=disk, parts=parts)
        self.runs.append(r)
        log(f"  run {i + 1} {self.name:<9} {r['wall']:7.2f} s  {r['cpu']:7.2f} s CPU  {r['rss_mb']:6.0f} MB  {len(html)} pages")

    def summary(self):
        walls = [r["wall"] for r in self.runs]
        last = self.runs[-1]
        med = statistics.median(walls)
        return {
            "wall_median": med, "wall_best": min(walls), "wall_worst": max(walls), "walls": walls,
            "cpu_median": statistics.median(r["cpu"] for r in self.runs),
            "cpu_best": min(r["cpu"] for r in self.runs),
            "pages": last["pages"], "documents": len(self.expected),
            "pages_per_s": last["pages"] / med,
            "rss_mb_peak": max(r["rss_mb"] for r in self.runs),
            "rss_mb_median": statistics.median(r["rss_mb"] for r in self.runs),
            "files": last["files"], "bytes": last["bytes"], "disk_bytes": last["disk"],
            "parts": last["parts"],
            "varying_output": len({(r["pages"], r["files"], r["bytes"]) for r in self.runs}) > 1,
            "runs": self.runs,
        }


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def git_rev():
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                             text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "src", "themes", "build.rs",
                                "Cargo.toml", "Cargo.lock"],
                               cwd=ROOT, capture_output=True, text=True).stdout.strip()
        return rev + ("+dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def mb(n):
    return f"{n / 1e6:.1f} MB"


# What each tool's output holds besides its pages, sized in the table: the browser search
# index (Fieldbook's search/*.json; mdBook's searchindex.js, hashed as searchindex-<hash>.js,
# on by default; Hugo writes none) and mdBook's print.html (the whole book on one page).
def fieldbook_search_index(rel):
    return rel.startswith("search/") and rel.endswith(".json")


def mdbook_search_index(rel):
    return "/" not in rel and rel.startswith("searchindex") and rel.endswith((".js", ".json"))


def mdbook_print_page(rel):
    return rel == "print.html"


def print_table(res):
    names = [n for n in ("fieldbook", "hugo", "mdbook") if res.get(n)]
    others = names[1:]
    fb = res["fieldbook"]
    m = res["machine"]
    print(f"fieldbook build vs {' vs '.join(others)}: {res['documents']} documents, {res['runs']} runs each, "
          f"{m['nproc']} cores ({m['cpu']})")
    print(f"  fieldbook {res['fieldbook_version']}, {res['hugo_version']}"
          + (f", {res['mdbook_version']}" if res.get("mdbook") else "")
          + f"; outputs under {os.path.dirname(res['output_dir'])}")
    print(f"  1-min load average {m['loadavg_before']:.2f} before, {m['loadavg_after']:.2f} after")
    if res.get("mdbook_note"):
        print(f"  {res['mdbook_note']}")
    rows = [
        ("wall median", lambda s: f"{s['wall_median']:.2f} s"),
        ("wall best", lambda s: f"{s['wall_best']:.2f} s"),
        ("wall worst", lambda s: f"{s['wall_worst']:.2f} s"),
        ("CPU user+sys median", lambda s: f"{s['cpu_median']:.2f} s"),
        ("CPU user+sys best", lambda s: f"{s['cpu_best']:.2f} s"),
        ("pages written (.html)", lambda s: f"{s['pages']}"),
        ("pages / s (median)", lambda s: f"{s['pages_per_s']:.0f}"),
        ("peak RSS", lambda s: f"{s['rss_mb_peak']:.0f} MB"),
        ("output files", lambda s: f"{s['files']}"),
        ("output size", lambda s: mb(s["bytes"])),
        ("output on disk", lambda s: mb(s["disk_bytes"])),
        ("search index", lambda s: mb(s["parts"]["search index"]["bytes"]) if "search index" in s["parts"] else "none"),
    ]
    w = max(len(r[0]) for r in rows)
    print(f"  {'':<{w}}" + "".join(f"  {n:>12}" for n in names))
    for label, f in rows:
        print(f"  {label:<{w}}" + "".join(f"  {f(res[n]):>12}" for n in names))
    r = res["ratios"]
    ratio_rows = [
        ("throughput fieldbook/X (pages/s)", "pages_per_s_fieldbook_over_{}"),
        ("memory X/fieldbook (peak RSS)", "rss_{}_over_fieldbook"),
        ("CPU time X/fieldbook (median)", "cpu_{}_over_fieldbook"),
    ]
    w = max(len(label) for label, _ in ratio_rows)
    print(f"  {'ratios, X =':<{w}}" + "".join(f"  {o:>12}" for o in others))
    for label, key in ratio_rows:
        print(f"  {label:<{w}}" + "".join(f"  {r[key.format(o)]:>11.2f}x" for o in others))
    print("  every document has its page in every output; other pages: "
          + ", ".join(f"{n} {res[n]['pages'] - res[n]['documents']}" for n in names))
    if res.get("mdbook"):
        md = res["mdbook"]
        pr = md["parts"].get("print page", {"bytes": 0})
        print(f"  search: fieldbook and mdBook both build a browser search index (sizes above; mdBook's "
              f"searchindex.js is on by default), hugo none. mdBook also writes print.html, the whole "
              f"book on one page ({mb(pr['bytes'])}), and highlights code in the browser (highlight.js), "
              f"not at build time as fieldbook and hugo do")
    busy = max(m["loadavg_before"], m["loadavg_after"])
    if busy > m["nproc"] / 2:
        print(f"  warning: the machine was busy (1-min load average up to {busy:.1f} on {m['nproc']} cores); "
              "wall times are inflated, CPU times less so")
    for n in names:
        if res[n]["varying_output"]:
            print(f"  warning: {n}'s output differed between runs")


def replace_text(path, edit):
    """Rewrite `path` through a new file (the corpus copy is hard-linked to the shared one)."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    tmp = path + ".bench-tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(edit(text))
    os.replace(tmp, path)


def cache_rows(exe, site, out, runs, tmp):
    """Wall times of cached rebuilds after each kind of change (see the module's text)."""
    content = os.path.join(site, "content")
    runbooks = sorted(r for r in markdown_files(content) if r.startswith("runbooks/") and not r.endswith("index.md"))
    runbook = os.path.join(content, runbooks[len(runbooks) // 2])
    owners = os.path.join(site, "owners.yaml")
    day = [0]

    def today():
        return f"2026-12-{7 + day[0]:02d}" if day[0] < 24 else f"2027-01-{day[0] - 23:02d}"

    def build(i, label):
        r = run_measured([exe, "build", site, "--output", out, "--today", today()],
                         os.path.join(tmp, f"cache-{label}-{i}.log"))
        if r["code"] not in (0, 1):
            sys.exit(f"fieldbook build ({label}) exited {r['code']}; see {tmp}")
        return r

    def body(i):
        replace_text(runbook, lambda t: t + f"\nBench edit {i}: check the replica lag first.\n")

    def title(i):
        # Inside the quotes of a quoted title: the edit must keep the front matter valid.
        replace_text(runbook, lambda t: re.sub(r'^title: ("?)', lambda m: f"title: {m.group(1)}Edited {i} ",
                                               t, count=1, flags=re.M))

    def owners_edit(i):
        replace_text(owners, lambda t: t + f"# bench edit {i}\n")

    def next_day(i):
        day[0] += 1

    scenarios = [("no change", lambda i: None), ("one body edit", body), ("one title edit", title),
                 ("owners file edit", owners_edit), ("next judging date", next_day)]
    rmtree(out)
    rmtree(os.path.join(site, ".fieldbook"))
    build(0, "warm")
    rows = {}
    for label, change in scenarios:
        times = []
        for i in range(runs):
            change(i)
            r = build(i, label.replace(" ", "-"))
            times.append(r["wall"])
            log(f"  cache {label:<18} {r['wall']:6.2f} s  {r['cpu']:6.2f} s CPU")
        rows[label] = {"wall_median": statistics.median(times), "wall_best": min(times), "wall_worst": max(times)}
    return rows


def print_cache_rows(rows, hugo_cold):
    print(f"  build cache (fieldbook build again, cached), beside hugo's cold build median {hugo_cold:.2f} s:")
    print(f"  {'':<20}  {'median':>8}  {'best':>8}  {'worst':>8}  {'vs hugo cold':>12}")
    for label, r in rows.items():
        print(f"  {label:<20}  {r['wall_median']:7.2f}s  {r['wall_best']:7.2f}s  {r['wall_worst']:7.2f}s"
              f"  {r['wall_median'] / hugo_cold:11.3f}x")


def tool_version(exe, *args):
    return subprocess.run([exe, *args], capture_output=True, text=True).stdout.strip()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=10000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--hugo", default="hugo", help="the hugo executable")
    ap.add_argument("--mdbook", help="the mdbook executable (default: mdbook on the PATH; "
                    "left out with a note when there is none)")
    ap.add_argument("--skip-mdbook", action="store_true", help="compare fieldbook and hugo only")
    ap.add_argument("--fieldbook", help="a fieldbook executable to use instead of building target/release/fieldbook")
    ap.add_argument("--json", nargs="?", const="-", metavar="FILE",
                    help="print the results as JSON instead of the table, or with FILE write them there too")
    ap.add_argument("--skip-cache-rows", action="store_true", help="leave out the build cache's rows")
    ap.add_argument("--keep", action="store_true", help="keep the last outputs and logs (path on stderr)")
    ap.add_argument("--tmp", help="where the outputs go (default: the system temporary directory); "
                    "a tmpfs such as /dev/shm takes the file system's own noise out of the times")
    a = ap.parse_args()

    hugo = shutil.which(a.hugo)
    if not hugo:
        sys.exit(f"{a.hugo} not found (Debian: apt-get install hugo)")
    hugo_version = subprocess.run([hugo, "version"], capture_output=True, text=True, check=True).stdout.strip()
    mdbook = None if a.skip_mdbook else shutil.which(a.mdbook or "mdbook")
    mdbook_note = "mdbook left out (--skip-mdbook)" if a.skip_mdbook else None
    if not mdbook and not a.skip_mdbook:
        if a.mdbook:
            sys.exit(f"{a.mdbook} not found")
        mdbook_note = "mdbook not found on the PATH (cargo install mdbook --locked, or --mdbook EXE): left out"
        log(mdbook_note)
    exe = fieldbook_exe(a.fieldbook)
    flavors = ["fieldbook", "hugo"] + (["mdbook"] if mdbook else [])
    log(f"generating the {a.docs}-document corpus ({', '.join(flavors)} flavors) ...")
    fb_site, hugo_site = private_copy(gen(a.docs, "fieldbook"), a.docs), gen(a.docs, "hugo")
    mdbook_site = gen(a.docs, "mdbook") if mdbook else None

    tmp = tempfile.mkdtemp(prefix="fieldbook-bench-", dir=a.tmp)
    fb_out = os.path.join(tmp, "fb-public")
    hugo_out = os.path.join(tmp, "hugo-public")
    hugo_cache = os.path.join(tmp, "hugo-cache")
    mdbook_out = os.path.join(tmp, "mdbook-public")

    def fresh_fieldbook():
        rmtree(fb_out)
        rmtree(os.path.join(fb_site, ".fieldbook"))  # the search index of the previous run

    def fresh_hugo():
        rmtree(hugo_out)
        rmtree(hugo_cache)
        rmtree(os.path.join(hugo_site, "resources"))  # resources/_gen: Hugo's processed-asset cache

    def fresh_mdbook():
        rmtree(mdbook_out)  # mdBook caches nothing else between builds
        rmtree(os.path.join(mdbook_site, "book"))  # its default destination, should one appear

    tools = [
        Tool("fieldbook", "fieldbook", fb_site, fb_out, [exe, "build", fb_site, "--output", fb_out],
             fresh_fieldbook, (0, 1), page_dir_index, {"search index": fieldbook_search_index}),
        Tool("hugo", "hugo", hugo_site, hugo_out,
             [hugo, "--source", hugo_site, "--destination", hugo_out, "--cacheDir", hugo_cache,
              "--ignoreCache", "--noBuildLock", "--quiet"], fresh_hugo, (0,), page_dir_index),
    ]
    if mdbook:
        tools.append(Tool("mdbook", "mdbook", mdbook_site, mdbook_out,
                          [mdbook, "build", mdbook_site, "--dest-dir", mdbook_out], fresh_mdbook, (0,),
                          page_html_file, {"search index": mdbook_search_index, "print page": mdbook_print_page}))
    load_before = os.getloadavg()[0]
    done = False
    try:
        for i in range(a.runs):
            k = i % len(tools)  # rotate the order: every tool takes every place in turn
            for t in tools[k:] + tools[:k]:
                t.run(tmp, i)
        cache = None if a.skip_cache_rows else cache_rows(exe, fb_site, fb_out, a.runs, tmp)
        done = True
    finally:
        if a.keep or not done:  # a failed run's log is named in its message
            log(f"outputs and logs kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    summaries = {t.name: t.summary() for t in tools}
    fb = summaries["fieldbook"]
    res = {
        "documents": a.docs, "runs": a.runs,
        "output_dir": tmp,
        "machine": {"nproc": os.cpu_count(), "cpu": cpu_model(), "system": platform.platform(),
                    "loadavg_before": load_before, "loadavg_after": os.getloadavg()[0]},
        "fieldbook_version": (exe if a.fieldbook else git_rev()) + " (" + tool_version(exe, "--version") + ")",
        "hugo_version": hugo_version,
        "mdbook_version": tool_version(mdbook, "--version") if mdbook else None,
        "mdbook_note": mdbook_note,
        "fieldbook": fb, "hugo": summaries["hugo"], "mdbook": summaries.get("mdbook"),
        "ratios": {},
        "cache": cache,
    }
    for o in summaries:
        if o == "fieldbook":
            continue
        s = summaries[o]
        res["ratios"].update({
            f"pages_per_s_fieldbook_over_{o}": fb["pages_per_s"] / s["pages_per_s"],
            f"rss_{o}_over_fieldbook": s["rss_mb_peak"] / fb["rss_mb_peak"],
            f"wall_{o}_over_fieldbook": s["wall_median"] / fb["wall_median"],
            f"cpu_{o}_over_fieldbook": s["cpu_median"] / fb["cpu_median"],
        })
    if a.json == "-":
        print(json.dumps(res, indent=2))
        return
    if a.json:
        with open(a.json, "w") as f:
            json.dump(res, f, indent=2)
    print_table(res)
    if cache:
        print_cache_rows(cache, res["hugo"]["wall_median"])


if __name__ == "__main__":
    main()
