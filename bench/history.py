#!/usr/bin/env python3
"""Review-history checks on a generated corpus committed in N commits (docs/freshness-history.md).

    python3 bench/history.py [--docs 10000] [--commits 50] [--runs 3] [--fieldbook EXE]

Generates the corpus with ../shared/bench/gen_corpus.py into target/bench/history-<docs>/,
commits it in --commits commits (the first adds everything; each later one edits a different
slice of the documents: half of them only bump `reviewed`, half change a body line too), then
times `fieldbook check` with `[check] history` on and off (median of --runs) and reports the
difference and the number of history findings.
"""
import argparse, json, os, re, statistics, subprocess, sys, time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GEN = ROOT.parent / "shared" / "bench" / "gen_corpus.py"


def git(cwd, *args, date=None):
    env = dict(os.environ, GIT_CONFIG_GLOBAL="/dev/null", GIT_CONFIG_NOSYSTEM="1")
    if date:
        stamp = f"{date}T12:00:00+00:00"
        env.update(GIT_AUTHOR_DATE=stamp, GIT_COMMITTER_DATE=stamp)
    subprocess.run(["git", "-C", str(cwd), "-c", "user.name=Bench", "-c", "user.email=bench@example.com", *args],
                   check=True, env=env, stdout=subprocess.DEVNULL)


def make(docs, commits):
    out = ROOT / "target" / "bench" / f"history-{docs}-{commits}"
    if (out / ".git").exists():
        return out
    subprocess.run([sys.executable, str(GEN), "--docs", str(docs), "--out", str(out)], check=True, stdout=subprocess.DEVNULL)
    git(out, "init", "-q", "-b", "main")
    git(out, "add", "-A")
    git(out, "commit", "-q", "-m", "corpus", date="2026-01-05")
    files = sorted(p for p in (out / "content").rglob("*.md"))
    per = max(1, len(files) // max(1, commits - 1))
    for c in range(1, commits):
        day = f"2026-{1 + c * 10 // 50:02d}-{1 + c % 27:02d}"
        for i, p in enumerate(files[(c - 1) * per: c * per]):
            t = p.read_text()
            t2 = re.sub(r"^reviewed: .*$", f"reviewed: {day}", t, count=1, flags=re.M)
            if i % 2:
                t2 += f"\nEdited in commit {c}.\n"
            if t2 != t:
                p.write_text(t2)
        git(out, "add", "-A")
        git(out, "commit", "-q", "--allow-empty", "-m", f"edit {c}", date=day)
    return out


def timed(exe, site, history):
    book = site / "book.toml"
    text = book.read_text()
    text = re.sub(r"\n\[check\]\nhistory = \w+\n", "\n", text)
    book.write_text(text + f"\n[check]\nhistory = {'true' if history else 'false'}\n")
    t = time.perf_counter()
    p = subprocess.run([exe, "check", str(site), "--format", "json", "--today", "2026-12-01"], capture_output=True, text=True)
    took = time.perf_counter() - t
    book.write_text(text)
    findings = json.loads(p.stdout)["findings"]
    codes = {"rubber-stamp-review", "review-by-non-owner", "changed-since-review", "stale-dependency"}
    return took, sum(1 for f in findings if f["code"] in codes)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=10000)
    ap.add_argument("--commits", type=int, default=50)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--fieldbook", default=str(ROOT / "target" / "release" / "fieldbook"))
    a = ap.parse_args()
    site = make(a.docs, a.commits)
    for history in (False, True):
        runs = [timed(a.fieldbook, site, history) for _ in range(a.runs)]
        med = statistics.median(r[0] for r in runs)
        print(f"check, history {'on ' if history else 'off'}: median {med:.2f} s of {a.runs} "
              f"({', '.join(f'{r[0]:.2f}' for r in runs)}), history findings: {runs[0][1]}")
    print(f"load: {os.getloadavg()[0]:.2f} (1 min)")


if __name__ == "__main__":
    main()
