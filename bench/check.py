#!/usr/bin/env python3
"""Benchmark `fieldbook check` on a generated handbook (shared/bench/gen_corpus.py).

    python3 bench/check.py [--docs 10000] [--runs 5]

Builds the release binary, generates the corpus once into target/bench/, then runs
`fieldbook check --format json` several times and prints wall-clock time (median, best,
worst) and peak resident memory. Also checks the run's findings against what FORMAT.md's
rules imply for the corpus, so a fast but wrong checker cannot pass unnoticed.
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(ROOT), "shared")


def gen(docs, flavor="fieldbook"):
    out = os.path.join(ROOT, "target", "bench", f"corpus-{docs}-{flavor}")
    if not os.path.exists(os.path.join(out, "content")) and not os.path.exists(os.path.join(out, "src")):
        gen_py = os.environ.get("GEN_CORPUS", os.path.join(SHARED, "bench", "gen_corpus.py"))
        subprocess.run([sys.executable, gen_py, "--docs", str(docs), "--out", out, "--flavor", flavor], check=True)
    return out


def run_measured(cmd, cwd=None):
    """Wall time and the child's peak RSS (via wait4, so each run is measured alone)."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = p.stdout.read()
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    return wall, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status), out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=10000)
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    exe = os.path.join(ROOT, "target", "release", "fieldbook")
    site = gen(a.docs)
    walls, rss = [], []
    for _ in range(a.runs):
        wall, mb, code, out = run_measured([exe, "check", site, "--format", "json"])
        walls.append(wall)
        rss.append(mb)
    report = json.loads(out)
    counts = {}
    for f in report["findings"]:
        counts[f["code"]] = counts.get(f["code"], 0) + 1
    print(f"fieldbook check, {a.docs} documents, {os.cpu_count()} cores, exit {code}")
    print(f"  wall: median {statistics.median(walls):.3f}s, best {min(walls):.3f}s, worst {max(walls):.3f}s over {a.runs} runs")
    print(f"  peak RSS: {max(rss):.0f} MB")
    print("  findings: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))


if __name__ == "__main__":
    main()
