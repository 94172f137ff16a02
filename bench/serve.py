#!/usr/bin/env python3
"""Benchmark `fieldbook serve`: how soon a saved edit is served, and the server's memory.

    python3 bench/serve.py [--docs 10000] [--edits 20] [--json [FILE]] [--fieldbook EXE] [--poll]

Builds the release binary (unless --fieldbook), generates the corpus with
shared/bench/gen_corpus.py into target/bench/corpus-<docs>-fieldbook/ (once; later runs reuse
it), copies it to target/bench/serve-site-<docs>/ (a real copy: the benchmark edits files) and
starts `fieldbook serve <copy> --port 0`, reading the port from the `serving ... at URL` line.
It waits for the search index (GET /api/search until 200), then, --edits times:

  body     appends a line to one runbook's body (the usual edit while writing); the time from
           the write to a GET of the runbook's page returning the new text is the edit's
           latency. The page is polled every 2 ms over one keep-alive connection.
  title    changes the runbook's title (its card changes, so index pages are re-rendered in the
           background): latency to the runbook's page, and to the runbooks index listing it.
  add      adds a runbook (3 times): latency to its page, and until the server has re-rendered
           every page in the background (the navigation's runbook count is on every page).
  owners   renames a team in owners.yaml (2 times): everything is rebuilt; latency to the
           team's page showing the new name.

Between edits it waits until the server has finished its background work (the terminal line
`then ... all done`), so every edit is measured alone. Files are written the way most
editors save: into a temporary file in the same folder, then renamed over the original
(`--in-place` truncates and writes instead).

Reports the median, 90th percentile and worst latency for each kind, the first build's time
(start to the `serving` line) and the server's peak RSS (VmHWM from /proc/<pid>/status) and
RSS at the end. The goal (issue 5) is a median under 100 ms for body edits. Not a test: CI
does not run it.
"""
import argparse
import http.client
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(ROOT), "shared")


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def gen(docs):
    out = os.path.join(ROOT, "target", "bench", f"corpus-{docs}-fieldbook")
    content = os.path.join(out, "content")
    count = sum(f.endswith(".md") for _, _, fs in os.walk(content) for f in fs) if os.path.isdir(content) else 0
    if count != docs:
        if os.path.exists(out):
            shutil.rmtree(out)
        gen_py = os.environ.get("GEN_CORPUS", os.path.join(SHARED, "bench", "gen_corpus.py"))
        subprocess.run([sys.executable, gen_py, "--docs", str(docs), "--out", out],
                       check=True, stdout=subprocess.DEVNULL)
    return out


def private_copy(site, docs):
    copy = os.path.join(ROOT, "target", "bench", f"serve-site-{docs}")
    if os.path.exists(copy):
        shutil.rmtree(copy)
    shutil.copytree(site, copy, ignore=shutil.ignore_patterns(".fieldbook"))
    return copy


def proc_status(pid):
    out = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                k, _, v = line.partition(":")
                if k in ("VmHWM", "VmRSS"):
                    out[k] = int(v.split()[0]) * 1024
    except OSError:
        pass
    return out


class Server:
    def __init__(self, exe, site, poll):
        args = [exe, "serve", site, "--port", "0", "--color", "never"]
        if poll:
            args.append("--poll")
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     text=True, bufsize=1)
        self.lines = []
        self.cond = threading.Condition()
        self.port = None
        self.ready_after = None
        threading.Thread(target=self._read, daemon=True).start()
        with self.cond:
            if not self.cond.wait_for(lambda: self.port is not None or self.proc.poll() is not None,
                                      timeout=600):
                raise SystemExit("fieldbook serve did not start in 10 minutes")
        if self.port is None:
            raise SystemExit("fieldbook serve stopped:\n" + "\n".join(self.lines[-30:]))

    def _read(self):
        for line in self.proc.stderr:
            line = line.rstrip("\n")
            with self.cond:
                self.lines.append(line)
                m = re.match(r"serving .* at http://127\.0\.0\.1:(\d+)/", line)
                if m and self.port is None:
                    self.port = int(m.group(1))
                    self.ready_after = time.perf_counter() - self.started
                self.cond.notify_all()

    def mark(self):
        with self.cond:
            return len(self.lines)

    def wait_line(self, since, pattern, timeout):
        rx = re.compile(pattern)
        with self.cond:
            return self.cond.wait_for(
                lambda: any(rx.search(l) for l in self.lines[since:]), timeout=timeout)

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def write(path, text, in_place):
    if in_place:
        with open(path, "w") as f:
            f.write(text)
        return
    tmp = os.path.join(os.path.dirname(path), f".{os.path.basename(path)}.bench-tmp")
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def get(conn, path):
    conn.request("GET", path)
    r = conn.getresponse()
    return r.status, r.read()


def wait_for(conn, path, needle, timeout=30.0):
    """Poll `path` until its body contains `needle`; returns the time it first did."""
    end = time.perf_counter() + timeout
    while time.perf_counter() < end:
        status, body = get(conn, path)
        if status == 200 and needle in body:
            return time.perf_counter()
        time.sleep(0.002)
    raise SystemExit(f"{path} did not show {needle!r} within {timeout} s")


def owner_of(text):
    m = re.search(r"(?m)^owners: \[([^,\]]+)", text)
    return m.group(1).strip() if m else "nobody"


def first_team(owners_text):
    """The first team's id and display name in owners.yaml (the generator's layout)."""
    m = re.search(r"(?ms)^teams:\s*\n\s+([\w-]+):.*?name: ([^\n,}]+)", owners_text)
    if not m:
        raise SystemExit("no team with a name in owners.yaml")
    return m.group(1), m.group(2).strip()


def done_ms(server, since):
    """The server's own figure: `all done N ms after the change`, the last one since `since`."""
    with server.cond:
        for line in reversed(server.lines[since:]):
            m = re.search(r"all done (\d+) ms", line)
            if m:
                return float(m.group(1))
    return float("nan")


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def summary(xs):
    return {"median_ms": statistics.median(xs), "p90_ms": pct(xs, 90), "worst_ms": max(xs),
            "best_ms": min(xs), "runs": len(xs)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    ap.add_argument("--docs", type=int, default=10000)
    ap.add_argument("--edits", type=int, default=20)
    ap.add_argument("--fieldbook", help="the fieldbook binary (default: build the release one)")
    ap.add_argument("--poll", action="store_true", help="serve with --poll")
    ap.add_argument("--in-place", action="store_true", help="truncate and write instead of write-rename")
    ap.add_argument("--json", nargs="?", const="-", help="print JSON (or write it to FILE)")
    args = ap.parse_args()

    exe = args.fieldbook
    if not exe:
        log("building the release binary...")
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
        exe = os.path.join(ROOT, "target", "release", "fieldbook")
    corpus = gen(args.docs)
    site = private_copy(corpus, args.docs)
    runbooks = sorted(os.path.join(d, f) for d, _, fs in os.walk(os.path.join(site, "content", "runbooks"))
                      for f in fs if f.endswith(".md"))
    target = runbooks[len(runbooks) // 2]
    rel = os.path.relpath(target, os.path.join(site, "content")).replace(os.sep, "/")
    page = "/" + rel[:-3] + "/"
    original = open(target).read()

    log(f"starting fieldbook serve on {args.docs} documents...")
    server = Server(exe, site, args.poll)
    results = {"docs": args.docs, "first_build_s": server.ready_after, "page": page,
               "save": "in place" if args.in_place else "write-rename", "poll": args.poll}
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        t = time.perf_counter()
        while True:
            status, _ = get(conn, "/api/search?q=runbook&limit=1")
            if status == 200:
                break
            if time.perf_counter() - t > 600:
                raise SystemExit("the search index was not ready in 10 minutes")
            time.sleep(0.2)
        results["search_ready_s"] = time.perf_counter() - server.started
        log(f"first build {server.ready_after:.1f} s, search index ready after "
            f"{results['search_ready_s']:.1f} s; editing {rel}")

        body, titles, index_lat = [], [], []
        text = original
        for i in range(args.edits):
            marker = f"bench-edit-{i}-{os.getpid()}"
            text = original + f"\n\nEdited by the benchmark: {marker}.\n"
            since = server.mark()
            t0 = time.perf_counter()
            write(target, text, args.in_place)
            t1 = wait_for(conn, page, marker.encode())
            body.append((t1 - t0) * 1000)
            server.wait_line(since, r"changed .*updated in", 10)
            time.sleep(0.1)
        for i in range(max(1, args.edits // 2)):
            title = f"Benchmark title {i} {os.getpid()}"
            new = re.sub(r"(?m)^title: .*$", f"title: {title}", text, count=1)
            since = server.mark()
            t0 = time.perf_counter()
            write(target, new, args.in_place)
            t1 = wait_for(conn, page, title.encode())
            t2 = wait_for(conn, "/runbooks/", title.encode(), timeout=120)
            titles.append((t1 - t0) * 1000)
            index_lat.append((t2 - t0) * 1000)
            server.wait_line(since, r"all done", 120)
            time.sleep(0.1)
        adds, adds_all = [], []
        for i in range(3):
            marker = f"bench-added-{i}-{os.getpid()}"
            new_rel = f"runbooks/bench/added-{i}-{os.getpid()}.md"
            path = os.path.join(site, "content", new_rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            since = server.mark()
            t0 = time.perf_counter()
            write(path, f"---\ntitle: Added {i}\nowners: [{owner_of(original)}]\nreviewed: 2026-11-20\n---\n\n{marker}\n",
                  args.in_place)
            t1 = wait_for(conn, "/" + new_rel[:-3] + "/", marker.encode())
            adds.append((t1 - t0) * 1000)
            if server.wait_line(since, r"all done", 300):
                adds_all.append(done_ms(server, since))
            time.sleep(0.1)
        owners_path = os.path.join(site, "owners.yaml")
        owners_text = open(owners_path).read()
        team, name = first_team(owners_text)
        owner_lat = []
        for i in range(2):
            new_name = f"Bench Team {i} {os.getpid()}"
            since = server.mark()
            t0 = time.perf_counter()
            write(owners_path, owners_text.replace(f"name: {name}", f"name: {new_name}", 1), args.in_place)
            t1 = wait_for(conn, f"/teams/{team}/", new_name.encode(), timeout=300)
            owner_lat.append((t1 - t0) * 1000)
            server.wait_line(since, r"rebuilt everything", 60)
            time.sleep(0.5)
        write(owners_path, owners_text, True)
        results["body_edit"] = summary(body)
        results["add_page"] = summary(adds)
        if adds_all:
            results["add_all_pages"] = summary(adds_all)
        results["owners_team_page"] = summary(owner_lat)
        results["title_edit_page"] = summary(titles)
        results["title_edit_runbooks_index"] = summary(index_lat)
        mem = proc_status(server.proc.pid)
        results["peak_rss_mib"] = mem.get("VmHWM", 0) / 2**20
        results["rss_end_mib"] = mem.get("VmRSS", 0) / 2**20
    finally:
        write(target, original, True)
        server.stop()

    if args.json:
        out = json.dumps(results, indent=2)
        if args.json == "-":
            print(out)
            return
        with open(args.json, "w") as f:
            f.write(out + "\n")
    print(f"fieldbook serve, {args.docs} documents ({results['save']} saves{', --poll' if args.poll else ''})")
    print(f"  first build (start to serving)   {results['first_build_s']:.2f} s")
    print(f"  search index ready               {results['search_ready_s']:.2f} s")
    for key, label in [("body_edit", "body edit -> page served"),
                       ("title_edit_page", "title edit -> page served"),
                       ("title_edit_runbooks_index", "title edit -> runbooks/ index"),
                       ("add_page", "new runbook -> its page served"),
                       ("add_all_pages", "new runbook -> every page redone"),
                       ("owners_team_page", "owners.yaml -> team page (full)")]:
        s = results.get(key)
        if not s:
            continue
        print(f"  {label:<32} median {s['median_ms']:.0f} ms, p90 {s['p90_ms']:.0f} ms, "
              f"worst {s['worst_ms']:.0f} ms, best {s['best_ms']:.0f} ms ({s['runs']} edits)")
    print(f"  peak RSS (VmHWM)                 {results['peak_rss_mib']:.0f} MiB "
          f"(at the end {results['rss_end_mib']:.0f} MiB)")


if __name__ == "__main__":
    main()
