#!/usr/bin/env python3
"""Resource limits: hostile sizes through `fieldbook build`, with outcome and peak memory.

    python3 bench/limits.py [--only NAME,...] [--fieldbook EXE] [--tmp DIR] [--json]

Each case is a small site in <tmp>/limits-<case>/ (default tmp: target/bench), built with the
release binary (unless --fieldbook) as a child process; os.wait4 gives wall time and peak RSS.
A case passes when the build works (exit 0 or 1: findings are fine) or fails with a clear
message (exit 2 and the expected finding code), never with a signal, a panic or a stack
overflow, and its peak RSS stays under the case's bound.

Cases (the issue's list):

  huge-file      a 1 GiB Markdown file (sparse)       → file-too-large finding, not read
  huge-asset     a 1 GiB image-like file (sparse)     → copied by the kernel, not read into memory
  many-files     100,000 tiny Markdown files          → builds
  deep-lists     10,000-deep nested lists             → builds
  deep-quotes    10,000-deep nested block quotes      → builds
  deep-mixed     5,000 levels of quote-in-list, and 300 nested admonitions
  long-line      a 10 MB paragraph line, a 10 MB code line, a 10 MB title, a 10 MB word of
                 5 million parts (`a-a-a-…`)            → builds
  owners-100mb   a 100 MB owners.yaml                 → invalid-owners (over [check]
                 max_file_size, 16 MiB by default) before it is parsed
  owners-100mb-allowed  the same with max_file_size = "200MB": parsed (memory figure)

Shapes whose cost must grow linearly (issue 13, part 3; `check` and `build` each, both under
2 s and 500 MiB at full size; `--scale 0.1` builds them at a tenth of the size):

  big-runbook    one runbook with 50,000 headings, 50,000 links to them (half `#anchor`, half
                 `big.md#anchor`) and 50,000 alerts (50,000 alert pages)
  same-headings  one runbook with 5,000 headings of the same text (`step`, `step-1`, ...)
  course-chain   5,000 courses, each the prerequisite of the one before
  big-team       a team of 100,000 members owning runbooks, and action items of its members
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MiB = 1024 * 1024

BOOK = '[book]\ntitle = "Limits"\n[build]\ntoday = "2026-06-01"\n'
OWNERS = "people:\n  alice: {name: Alice}\nteams:\n  team-a: {name: Team A, members: [alice]}\n"


def doc(title, body):
    return f"---\ntitle: {title}\nowners: [team-a]\nreviewed: 2026-05-01\n---\n{body}\n"


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def sparse(path, size):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.truncate(size)


def case_huge_file(site):
    sparse(os.path.join(site, "content/runbooks/huge.md"), 1 << 30)


def case_huge_asset(site):
    sparse(os.path.join(site, "content/images/huge.bin"), 1 << 30)


def case_many_files(site):
    for i in range(100_000):
        write(os.path.join(site, f"content/notes/d{i // 1000:03}/n{i}.md"), f"---\ntitle: Note {i}\n---\nTiny note {i}.\n")


def case_deep_lists(site):
    write(os.path.join(site, "content/lists.md"), doc("Lists", "- " * 10_000 + "x"))
    write(os.path.join(site, "content/ordered.md"), doc("Ordered", "1. " * 10_000 + "x"))


def case_deep_quotes(site):
    write(os.path.join(site, "content/quotes.md"), doc("Quotes", "> " * 10_000 + "x"))


def case_deep_mixed(site):
    write(os.path.join(site, "content/mixed.md"), doc("Mixed", "> - " * 5_000 + "x"))
    adm = "".join("    " * i + "!!! note\n" for i in range(300)) + "    " * 300 + "x"
    write(os.path.join(site, "content/admonitions.md"), doc("Admonitions", adm))


def case_long_line(site):
    write(os.path.join(site, "content/line.md"), doc("Line", "word " * 2_000_000))
    write(os.path.join(site, "content/code.md"), doc("Code", "```bash\n" + "x" * 10_000_000 + "\n```"))
    write(os.path.join(site, "content/title.md"), doc("T" * 10_000_000, "Body."))
    write(os.path.join(site, "content/word.md"), doc("Word", "a-" * 5_000_000 + "a"))


def owners_100mb(site):
    path = os.path.join(site, "owners.yaml")
    with open(path, "w") as f:
        f.write("people:\n")
        i = 0
        while f.tell() < 100 * MiB:
            f.write(f"  person-{i}: {{name: Person number {i}, email: person{i}@example.com}}\n")
            i += 1
        f.write("  alice: {name: Alice}\nteams:\n  team-a: {name: Team A, members: [alice]}\n")


def case_owners(site):
    owners_100mb(site)


def case_owners_allowed(site):
    owners_100mb(site)
    with open(os.path.join(site, "book.toml"), "a") as f:
        f.write('[check]\nmax_file_size = "200MB"\n')


SCALE = 1.0  # --scale: the size of the scaling shapes


def scaled(n):
    return max(2, int(n * SCALE))


def case_big_runbook(site):
    n = scaled(50_000)
    alerts = "".join(f"  - BigAlert{i:05}\n" for i in range(n))
    body = []
    for i in range(n):
        link = f"[step {i}](#step-{i})" if i % 2 == 0 else f"[step {i}](big.md#step-{i})"
        body.append(f"## Step {i}\n\nSee {link}.\n")
    write(os.path.join(site, "content/runbooks/big.md"),
          "---\ntitle: Big\nowners: [team-a]\nreviewed: 2026-05-01\nalerts:\n" + alerts
          + "---\n" + "\n".join(body))


def case_same_headings(site):
    n = scaled(5_000)
    write(os.path.join(site, "content/runbooks/same.md"),
          doc("Same", "".join("## Step\n\nText.\n\n" for _ in range(n)) + "[last](#step-%d)\n" % (n - 1)))


def case_course_chain(site):
    n = scaled(5_000)
    for i in range(n):
        pre = f"prerequisites: [c{i + 1:05}]\n" if i + 1 < n else ""
        write(os.path.join(site, f"content/courses/c{i:05}/index.md"),
              f"---\ntitle: Course {i}\nowners: [team-a]\nreviewed: 2026-05-01\n{pre}---\nCourse {i}.\n")


def case_big_team(site):
    n = scaled(100_000)
    with open(os.path.join(site, "owners.yaml"), "w") as f:
        f.write("people:\n  alice: {name: Alice}\n")
        for i in range(n):
            f.write(f"  p{i}: {{name: Person {i}}}\n")
        f.write("teams:\n  team-a: {name: Team A, members: [alice]}\n  team-big:\n    name: Big\n    members:\n")
        for i in range(n):
            f.write(f"      - p{i}\n")
    for i in range(20):
        write(os.path.join(site, f"content/runbooks/r{i}.md"),
              f"---\ntitle: Runbook {i}\nowners: [team-big]\nreviewed: 2026-05-01\n---\nRunbook {i}.\n")
    items = "".join(f"  - {{title: Fix {i}, owner: p{i * 997 % n}, due: 2026-07-01, status: open}}\n" for i in range(20))
    write(os.path.join(site, "content/postmortems/pm.md"),
          "---\ntitle: Outage\nowners: [team-big]\ndate: 2026-04-01\nseverity: SEV2\nduration: 1h\n"
          "action_items:\n" + items + "---\nWhat happened.\n")


# name: (make, accepted exit codes, text the output must contain, RSS bound in MiB[, commands
# run on the site, `build` when not given])
CASES = {
    "huge-file": (case_huge_file, {1}, "file-too-large", 200),
    "huge-asset": (case_huge_asset, {0}, "", 200),
    "many-files": (case_many_files, {0}, "", 2048),
    "deep-lists": (case_deep_lists, {0}, "", 300),
    "deep-quotes": (case_deep_quotes, {0}, "", 300),
    "deep-mixed": (case_deep_mixed, {0}, "", 300),
    "long-line": (case_long_line, {0}, "", 1024),
    "owners-100mb": (case_owners, {2}, "invalid-owners", 200),
    "owners-100mb-allowed": (case_owners_allowed, {0}, "", 4096),
    "big-runbook": (case_big_runbook, {0}, "", 500, ("check", "build")),
    "same-headings": (case_same_headings, {0}, "", 500, ("check", "build")),
    "course-chain": (case_course_chain, {0}, "", 500, ("check", "build")),
    "big-team": (case_big_team, {0, 1}, "", 500, ("check", "build")),
}


def run(exe, site, command="build"):
    out = os.path.join(site, "public")
    args = [exe, command, site, "--color", "never"] + (["--output", out] if command == "build" else [])
    start = time.monotonic()
    p = subprocess.Popen(args,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    text = b""
    # Read while it runs (a full pipe would stall it); wait4 gives the peak RSS.
    for chunk in iter(lambda: p.stdout.read(65536), b""):
        text += chunk
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    return p.returncode, time.monotonic() - start, usage.ru_maxrss / 1024, text.decode("utf-8", "replace")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only")
    ap.add_argument("--fieldbook")
    ap.add_argument("--tmp", default=os.path.join(ROOT, "target", "bench"))
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--scale", type=float, default=1.0,
                    help="size of the scaling shapes (big-runbook ... big-team), 1 = full size")
    ap.add_argument("--keep", action="store_true", help="keep the generated sites (for profiling)")
    args = ap.parse_args()
    global SCALE
    SCALE = args.scale
    exe = args.fieldbook
    if not exe:
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
        exe = os.path.join(ROOT, "target", "release", "fieldbook")
    names = args.only.split(",") if args.only else list(CASES)
    results = []
    ok = True
    for name in names:
        make, codes, expect, bound, *rest = CASES[name]
        commands = rest[0] if rest else ("build",)
        site = os.path.join(args.tmp, f"limits-{name}")
        shutil.rmtree(site, ignore_errors=True)
        os.makedirs(site)
        write(os.path.join(site, "book.toml"), BOOK)
        write(os.path.join(site, "owners.yaml"), OWNERS)
        write(os.path.join(site, "content/index.md"), "---\ntitle: Home\n---\nHome.\n")
        t0 = time.monotonic()
        make(site)
        made = time.monotonic() - t0
        for command in commands:
            code, wall, rss, text = run(exe, site, command)
            problems = []
            if code not in codes:
                problems.append(f"exit {code}, expected {sorted(codes)}")
            if expect and expect not in text:
                problems.append(f"output lacks {expect!r}")
            if "panicked" in text or "overflow" in text:
                problems.append("panic or stack overflow")
            if rss > bound:
                problems.append(f"peak RSS {rss:.0f} MiB over {bound} MiB")
            first_error = next((l for l in text.splitlines() if l.startswith(("error", "fatal"))), "")
            last = text.strip().splitlines()[-1] if text.strip() else ""
            label = name if commands == ("build",) else f"{name} ({command})"
            r = {"case": name, "command": command, "exit": code, "wall_s": round(wall, 2),
                 "peak_rss_mib": round(rss, 1), "outcome": first_error or last, "ok": not problems,
                 "problems": problems, "setup_s": round(made, 1)}
            results.append(r)
            ok &= not problems
            if not args.json:
                print(f"{label:30} exit {code}  {wall:7.2f} s  {rss:8.1f} MiB  {'ok' if not problems else 'FAIL: ' + '; '.join(problems)}")
                print(f"{'':30} {r['outcome'][:150]}")
        if not args.keep:
            shutil.rmtree(site, ignore_errors=True)
    if args.json:
        print(json.dumps(results, indent=2))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
