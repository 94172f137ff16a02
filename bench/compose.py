#!/usr/bin/env python3
"""Benchmark `fieldbook compose` (issue 31): many parts into one handbook, beside one build.

    python3 bench/compose.py [--docs 10000] [--parts 50] [--runs 3] [--fieldbook EXE] [--tmp DIR]

Splits the generated corpus (shared/bench/gen_corpus.py, the same one bench/build.py uses) into
PARTS repositories of about DOCS/PARTS documents each — a course stays whole in one part, the
other documents go in content-path order — each with the corpus's book.toml and the one shared
owners.yaml (the central roster every part is checked against). Each part is built once with
`fieldbook build --part pNN` (untimed: that is each repository's own CI). Then, alternating, RUNS
times each:

    fieldbook compose <parts>/p* --output <tmp>/handbook     (from scratch: the output removed,
                                                              with what compose keeps beside it)
    fieldbook compose ... again after one part was rebuilt with one runbook edited
                             (into the same output: the incremental re-compose, which rewrites
                             only what changed)
    fieldbook build <whole corpus> --no-cache --output <tmp>/one   (the same documents, one build)

and prints wall time, CPU and peak RSS (wait4) of each, and the ratios. The generator links
documents by relative paths, not `part:` links, so a link whose target landed in another part
is a broken link in that part's build (exit 1, the part written): expected, not measured.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from build import fieldbook_exe, gen, log, rmtree, run_measured, git_rev, cpu_model  # noqa: E402


def units(content):
    """Documents grouped so a course is never split: (sort key, [content-relative paths])."""
    out = []
    courses = os.path.join(content, "courses")
    for dirpath, dirs, files in os.walk(content):
        dirs.sort()
        rel_dir = os.path.relpath(dirpath, content).replace(os.sep, "/")
        if os.path.dirname(dirpath) == courses:
            paths = []
            for d2, _, f2 in os.walk(dirpath):
                paths += [os.path.relpath(os.path.join(d2, f), content) for f in f2 if f.endswith(".md")]
            out.append((rel_dir, sorted(paths)))
            dirs[:] = []
            continue
        for f in sorted(files):
            if f.endswith(".md"):
                rel = os.path.relpath(os.path.join(dirpath, f), content)
                out.append((rel, [rel]))
    out.sort()
    return out


def split(site, parts_dir, n_parts):
    """Write PARTS part sources under parts_dir/src/pNN; return their names."""
    content = os.path.join(site, "content")
    us = units(content)
    total = sum(len(p) for _, p in us)
    per = -(-total // n_parts)
    names, current, count = [], [], 0
    groups = []
    for _, paths in us:
        current += paths
        count += len(paths)
        if count >= per and len(groups) < n_parts - 1:
            groups.append(current)
            current, count = [], 0
    if current:
        groups.append(current)
    for i, paths in enumerate(groups):
        name = f"p{i:02d}"
        src = os.path.join(parts_dir, "src", name)
        for rel in paths:
            dst = os.path.join(src, "content", rel)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            os.link(os.path.join(content, rel), dst)
        shutil.copy(os.path.join(site, "book.toml"), os.path.join(src, "book.toml"))
        shutil.copy(os.path.join(site, "owners.yaml"), os.path.join(src, "owners.yaml"))
        names.append(name)
    return names


def build_part(exe, parts_dir, name):
    src = os.path.join(parts_dir, "src", name)
    out = os.path.join(parts_dir, "built", name)
    rmtree(out)
    p = subprocess.run([exe, "build", "--part", name, "--output", out], cwd=src,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if p.returncode not in (0, 1):
        sys.exit(f"fieldbook build --part {name} failed with status {p.returncode}")
    return out


def edit_one_runbook(parts_dir, name, i):
    content = os.path.join(parts_dir, "src", name, "content")
    for dirpath, _, files in sorted(os.walk(content)):
        for f in sorted(files):
            if f.endswith(".md"):
                path = os.path.join(dirpath, f)
                with open(path, encoding="utf-8") as fh:
                    text = fh.read()
                os.unlink(path)  # a hard link to the shared corpus: never edit it in place
                with open(path, "w", encoding="utf-8") as fh:
                    fh.write(text + f"\n\nEdited for the compose benchmark, run {i}.\n")
                return
    sys.exit(f"part {name} has no document to edit")


def row(label, runs):
    walls = [r["wall"] for r in runs]
    cpus = [r["cpu"] for r in runs]
    rss = max(r["rss_mb"] for r in runs)
    print(f"  {label:<34} {statistics.median(walls):8.2f} s {min(walls):8.2f} s "
          f"{statistics.median(cpus):8.2f} s {rss:8.0f} MB")
    return statistics.median(walls)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=10000)
    ap.add_argument("--parts", type=int, default=50)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--fieldbook", help="a fieldbook executable instead of building target/release/fieldbook")
    ap.add_argument("--tmp", help="where parts and outputs go (default: the system temporary directory)")
    args = ap.parse_args()
    exe = fieldbook_exe(args.fieldbook)
    log(f"generating the {args.docs}-document corpus ...")
    site = gen(args.docs, "fieldbook")
    tmp = tempfile.mkdtemp(prefix="fieldbook-compose-", dir=args.tmp)
    try:
        parts_dir = os.path.join(tmp, "parts")
        names = split(site, parts_dir, args.parts)
        log(f"building {len(names)} parts with `build --part` (untimed) ...")
        built = [build_part(exe, parts_dir, n) for n in names]
        # The whole corpus for the one build, hard-linked: its search index goes in the copy.
        whole = os.path.join(tmp, "whole")
        shutil.copytree(site, whole, copy_function=os.link, ignore=shutil.ignore_patterns(".fieldbook"))
        handbook = os.path.join(tmp, "handbook")
        one = os.path.join(tmp, "one")
        today = ["--today", "2026-11-27"]
        compose = [exe, "compose", *built, "--output", handbook, *today]
        results = {"compose": [], "recompose": [], "build": []}
        logs = os.path.join(tmp, "log")
        for i in range(args.runs):
            rmtree(handbook)
            # Its record and the output it replaced, kept beside it (a fresh CI runner has neither).
            rmtree(os.path.join(tmp, ".handbook.fieldbook-spare"))
            record = os.path.join(tmp, ".handbook.fieldbook-compose.json")
            if os.path.exists(record):
                os.unlink(record)
            r = run_measured(compose, logs)
            if r["code"] not in (0, 1):
                sys.exit(f"compose failed with status {r['code']}: see {logs}")
            results["compose"].append(r)
            # One repository changed: its part rebuilt (untimed), the handbook composed again.
            edit_one_runbook(parts_dir, names[i % len(names)], i)
            build_part(exe, parts_dir, names[i % len(names)])
            r = run_measured(compose, logs)
            results["recompose"].append(r)
            rmtree(one)
            rmtree(os.path.join(whole, ".fieldbook"))
            r = run_measured([exe, "build", whole, "--no-cache", "--output", one], logs)
            results["build"].append(r)
        load = os.getloadavg()[0]
        print(f"fieldbook compose: {args.docs} documents in {len(names)} parts, {args.runs} runs, "
              f"{os.cpu_count()} cores ({cpu_model()}), fieldbook {git_rev()}, 1-min load {load:.2f} after")
        print(f"  {'':<34} {'median':>10} {'best':>10} {'CPU med':>10} {'peak RSS':>11}")
        c = row("compose, from scratch", results["compose"])
        rc = row("compose again, one part changed", results["recompose"])
        b = row("one build of the same documents", results["build"])
        print(f"  compose / one build: {c / b:.2f}x; recompose / one build: {rc / b:.2f}x")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
