#!/usr/bin/env python3
"""Benchmark `fieldbook build` against Hugo on the same generated handbook, side by side.

    python3 bench/build.py [--docs 10000] [--runs 5] [--json [FILE]] [--tmp DIR] [--keep] [--fieldbook EXE]

Builds the release binary, generates the corpus (shared/bench/gen_corpus.py) once in the
fieldbook flavor and once in the hugo flavor into target/bench/, then alternates

    fieldbook build <corpus> --output <tmp>/fb-public
    hugo --source <hugo-corpus> --destination <tmp>/hugo-public --cacheDir <fresh> --ignoreCache --quiet

`--runs` times each (the order swaps every round so neither tool always runs on the warmer
cache). Every run starts cold for both: the destination, Fieldbook's .fieldbook/ (its search
index, kept in the site) and Hugo's resources/ and cache directory are deleted first, so nothing
is reused from the previous run. Fieldbook works on a hard-linked copy of the shared corpus,
so that wiping .fieldbook/ never disturbs bench/search.py or bench/check.py. Each run is
checked, not just timed: every Markdown document of the corpus must have become its page
(`a/b.md` -> `a/b/index.html`, `a/index.md` / `a/_index.md` -> `a/index.html`) in both outputs.

Reports wall time (median, best, worst), pages written (.html files), pages per second, peak
RSS, CPU time, output size, and the ratios fieldbook/hugo. `fieldbook build` exits 1 on this
corpus by design (it has lapsed owners and overdue reviews, which fail the build after the site
is written); that status is accepted, any other is not.
"""
import argparse
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


def markdown_files(content):
    out = []
    for d, _, files in os.walk(content):
        for f in files:
            if f.endswith(".md"):
                out.append(os.path.relpath(os.path.join(d, f), content).replace(os.sep, "/"))
    return out


def gen(docs, flavor):
    """The corpus for `flavor`, generated unless a complete one is already there."""
    out = os.path.join(ROOT, "target", "bench", f"corpus-{docs}-{flavor}")
    content = os.path.join(out, "content")
    if not (os.path.isdir(content) and len(markdown_files(content)) == docs):
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


def expected_pages(content):
    """Output file of every document, by the URL scheme both tools share here, mapped to
    whether it is a section page (from an index.md / _index.md)."""
    pages = {}
    for rel in markdown_files(content):
        stem = rel[:-3]
        d, _, name = stem.rpartition("/")
        if name in ("index", "_index"):
            pages[f"{d}/index.html" if d else "index.html"] = True
        else:
            pages[f"{stem}/index.html"] = False
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


def scan_output(out):
    """Every file under `out`: (.html paths, file count, apparent bytes, allocated bytes)."""
    html, files, size, disk = set(), 0, 0, 0
    for d, _, names in os.walk(out):
        for n in names:
            st = os.lstat(os.path.join(d, n))
            files += 1
            size += st.st_size
            disk += st.st_blocks * 512
            if n.endswith(".html"):
                html.add(os.path.relpath(os.path.join(d, n), out).replace(os.sep, "/"))
    return html, files, size, disk


def rmtree(path):
    if os.path.exists(path):
        shutil.rmtree(path)


class Tool:
    def __init__(self, name, corpus, dest, cmd, prepare, ok_codes):
        self.name, self.corpus, self.dest, self.cmd = name, corpus, dest, cmd
        self.prepare, self.ok_codes = prepare, ok_codes
        self.expected = expected_pages(os.path.join(corpus, "content"))
        self.runs = []

    def run(self, tmp, i):
        self.prepare()
        log_path = os.path.join(tmp, f"{self.name}-{i}.log")
        r = run_measured(self.cmd, log_path)
        if r["code"] not in self.ok_codes:
            sys.exit(f"{self.name} exited {r['code']}; its output is in {log_path}:\n"
                     + open(log_path, errors="replace").read()[-3000:])
        html, files, size, disk = scan_output(self.dest)
        missing = self.expected.keys() - html
        if missing:
            sys.exit(f"{self.name}: {len(missing)} of {len(self.expected)} documents have no page, "
                     f"e.g. {sorted(missing)[:5]}")
        # Leaf pages must carry their rendered text. (Section pages may be short: the hugo
        # flavor's list template shows a course's lessons, not its own text.)
        empty = [p for p, section in self.expected.items()
                 if not section and os.path.getsize(os.path.join(self.dest, p)) < 500]
        if empty:
            sys.exit(f"{self.name}: {len(empty)} pages are (nearly) empty, e.g. {sorted(empty)[:5]}")
        r.update(pages=len(html), files=files, bytes=size, disk=disk)
        self.runs.append(r)
        log(f"  run {i + 1} {self.name:<9} {r['wall']:7.2f} s  {r['rss_mb']:6.0f} MB  {len(html)} pages")

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


def print_table(res):
    fb, hu = res["fieldbook"], res["hugo"]
    m = res["machine"]
    print(f"fieldbook build vs hugo: {res['documents']} documents, {res['runs']} runs each, "
          f"{m['nproc']} cores ({m['cpu']})")
    print(f"  fieldbook {res['fieldbook_version']}, {res['hugo_version']}; outputs under {os.path.dirname(res['output_dir'])}")
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
    ]
    w = max(len(r[0]) for r in rows)
    print(f"  {'':<{w}}  {'fieldbook':>12}  {'hugo':>12}")
    for label, f in rows:
        print(f"  {label:<{w}}  {f(fb):>12}  {f(hu):>12}")
    r = res["ratios"]
    print(f"  throughput fieldbook/hugo (pages/s): {r['pages_per_s_fieldbook_over_hugo']:.2f}x")
    print(f"  memory hugo/fieldbook (peak RSS):    {r['rss_hugo_over_fieldbook']:.2f}x")
    print(f"  CPU time hugo/fieldbook (median):    {r['cpu_hugo_over_fieldbook']:.2f}x")
    print(f"  every document has its page in both outputs; fieldbook also writes "
          f"{fb['pages'] - fb['documents']} index pages, hugo {hu['pages'] - hu['documents']}")
    busy = max(m["loadavg_before"], m["loadavg_after"])
    if busy > m["nproc"] / 2:
        print(f"  warning: the machine was busy (1-min load average up to {busy:.1f} on {m['nproc']} cores); "
              "wall times are inflated, CPU times less so")
    for name, s in (("fieldbook", fb), ("hugo", hu)):
        if s["varying_output"]:
            print(f"  warning: {name}'s output differed between runs")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=10000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--hugo", default="hugo", help="the hugo executable")
    ap.add_argument("--fieldbook", help="a fieldbook executable to use instead of building target/release/fieldbook")
    ap.add_argument("--json", nargs="?", const="-", metavar="FILE",
                    help="print the results as JSON instead of the table, or with FILE write them there too")
    ap.add_argument("--keep", action="store_true", help="keep the last outputs and logs (path on stderr)")
    ap.add_argument("--tmp", help="where the outputs go (default: the system temporary directory); "
                    "a tmpfs such as /dev/shm takes the file system's own noise out of the times")
    a = ap.parse_args()

    hugo = shutil.which(a.hugo)
    if not hugo:
        sys.exit(f"{a.hugo} not found (Debian: apt-get install hugo)")
    hugo_version = subprocess.run([hugo, "version"], capture_output=True, text=True, check=True).stdout.strip()
    if a.fieldbook:
        exe = os.path.abspath(a.fieldbook)
    else:
        log("building fieldbook (release) ...")
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
        exe = os.path.join(ROOT, "target", "release", "fieldbook")
    log(f"generating the {a.docs}-document corpus (fieldbook and hugo flavors) ...")
    fb_site, hugo_site = private_copy(gen(a.docs, "fieldbook"), a.docs), gen(a.docs, "hugo")

    tmp = tempfile.mkdtemp(prefix="fieldbook-bench-", dir=a.tmp)
    fb_out = os.path.join(tmp, "fb-public")
    hugo_out = os.path.join(tmp, "hugo-public")
    hugo_cache = os.path.join(tmp, "hugo-cache")

    def fresh_fieldbook():
        rmtree(fb_out)
        rmtree(os.path.join(fb_site, ".fieldbook"))  # the search index of the previous run

    def fresh_hugo():
        rmtree(hugo_out)
        rmtree(hugo_cache)
        rmtree(os.path.join(hugo_site, "resources"))  # resources/_gen: Hugo's processed-asset cache

    tools = [
        Tool("fieldbook", fb_site, fb_out, [exe, "build", fb_site, "--output", fb_out], fresh_fieldbook, (0, 1)),
        Tool("hugo", hugo_site, hugo_out,
             [hugo, "--source", hugo_site, "--destination", hugo_out, "--cacheDir", hugo_cache,
              "--ignoreCache", "--noBuildLock", "--quiet"], fresh_hugo, (0,)),
    ]
    load_before = os.getloadavg()[0]
    done = False
    try:
        for i in range(a.runs):
            for t in (tools if i % 2 == 0 else tools[::-1]):
                t.run(tmp, i)
        done = True
    finally:
        if a.keep or not done:  # a failed run's log is named in its message
            log(f"outputs and logs kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    fb, hu = tools[0].summary(), tools[1].summary()
    res = {
        "documents": a.docs, "runs": a.runs,
        "output_dir": tmp,
        "machine": {"nproc": os.cpu_count(), "cpu": cpu_model(), "system": platform.platform(),
                    "loadavg_before": load_before, "loadavg_after": os.getloadavg()[0]},
        "fieldbook_version": (exe if a.fieldbook else git_rev()) + " (" + subprocess.run(
            [exe, "--version"], capture_output=True, text=True).stdout.strip() + ")",
        "hugo_version": hugo_version,
        "fieldbook": fb, "hugo": hu,
        "ratios": {
            "pages_per_s_fieldbook_over_hugo": fb["pages_per_s"] / hu["pages_per_s"],
            "rss_hugo_over_fieldbook": hu["rss_mb_peak"] / fb["rss_mb_peak"],
            "wall_hugo_over_fieldbook": hu["wall_median"] / fb["wall_median"],
            "cpu_hugo_over_fieldbook": hu["cpu_median"] / fb["cpu_median"],
        },
    }
    if a.json == "-":
        print(json.dumps(res, indent=2))
        return
    if a.json:
        with open(a.json, "w") as f:
            json.dump(res, f, indent=2)
    print_table(res)


if __name__ == "__main__":
    main()
