#!/usr/bin/env python3
"""Load and abuse `fieldbook serve` from another process over loopback.

    python3 bench/serve_load.py [--seconds 30] [--connections 32] [--slow 100]
                                [--site DIR] [--fieldbook EXE] [--no-wrk] [--json]

Starts `fieldbook serve <copy of the site> --port 0` (the demo handbook by default; the copy is
edited) and, for --seconds:

  clients   --connections threads, each on its own keep-alive connection (reopened when the
            server closes it), send a mix of requests: pages from the sitemap, static files,
            `/api/search?q=...` with hostile queries, traversal attempts (`/../`, `%2e%2e`,
            `%2f`, `%5c`, `%00`, `//`, overlong UTF-8, double encoding), absolute-form and
            malformed request lines, invalid UTF-8, NUL bytes, an overlong header, HTTP/1.0,
            and several requests pipelined in one write.
  slowloris --slow connections that send a request one byte per second and never finish it.
  editor    every 50 ms appends to a runbook, creates a new runbook or deletes it again.
  sampler   reads the server's VmRSS from /proc/PID/status every 250 ms.

Canary files holding a random token sit in the site directory and beside it; every response
body is searched for the token. Then, when `wrk` is installed, it measures plain throughput on
one page (`wrk -t2 -c64 -d10s --latency`).

Fails (exit 1) on any 5xx response, any canary byte served, a server crash, a server that no
longer answers after the run, or RSS at the end over 1.5x the RSS after warm-up (+32 MiB).
Prints requests/s, latency percentiles, status counts and RSS start/peak/end.
"""
import argparse
import http.client
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def release_binary():
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    return os.path.join(ROOT, "target", "release", "fieldbook")


def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


TRAVERSAL = [
    "/../book.toml", "/../../../../../../etc/passwd", "/%2e%2e/book.toml", "/%2E%2E/%2e%2e/etc/passwd",
    "/..%2fbook.toml", "/static/..%2f..%2fbook.toml", "/..%5cbook.toml", "/static/%00",
    "/static/fieldbook.css%00.html", "//etc/passwd", "/%252e%252e/book.toml", "/./book.toml",
    "/%c0%ae%c0%ae/book.toml", "/content/runbooks/", "/book.toml", "/owners.yaml", "/CANARY",
    "/..%2f..%2fCANARY", "/%2e%2e/CANARY", "/%2e%2e/%2e%2e/CANARY", "/static/..\\..\\CANARY",
    "/" + "a/" * 3000, "/%ff%fe/", "/%C3%A9t%C3%A9/", "/static/%2e%2e%2f%2e%2e%2fCANARY",
]

QUERIES = ["kubectl", "<script>alert(1)</script>", "\"unclosed", "a" * 500, "%00", "../../etc/passwd",
           "PodCrash lag", "\u2028", "{{7*7}}", ""]


def raw_requests(host, canary_name):
    """Malformed and unusual requests, as raw bytes."""
    h = f"Host: {host}\r\n".encode()
    return [
        b"GET /../" + canary_name.encode() + b" HTTP/1.1\r\n" + h + b"\r\n",
        b"GET http://evil.example/../../" + canary_name.encode() + b" HTTP/1.1\r\n" + h + b"\r\n",
        b"GET / HTTP/1.0\r\n\r\n",
        b"GET /\xff\xfe/\xc0\xae HTTP/1.1\r\n" + h + b"\r\n",
        "GET /\u00e9t\u00e9/../".encode() + canary_name.encode() + b" HTTP/1.1\r\n" + h + b"\r\n",
        b"GET /api/search?q=%ff%fe&kind=%00 HTTP/1.1\r\n" + h + b"\r\n",
        b"GET /\x00 HTTP/1.1\r\n" + h + b"\r\n",
        b"GET / HTTP/1.1\r\n" + h + b"X-Long: " + b"a" * 200_000 + b"\r\n\r\n",
        b"BREW /pot HTTP/1.1\r\n" + h + b"\r\n",
        b"GET\r\n\r\n",
        b"\r\n\r\n\r\n",
        b"GET / HTTP/9.9\r\n" + h + b"\r\n",
        b"GET /runbooks/ HTTP/1.1\r\n" + h + b"\r\nGET /static/fieldbook.css HTTP/1.1\r\n" + h
        + b"\r\nGET /../book.toml HTTP/1.1\r\n" + h + b"\r\n",
        b"POST / HTTP/1.1\r\n" + h + b"Content-Length: 5\r\n\r\nhello",
        b"GET / HTTP/1.1\r\n" + h + b"Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n",
    ]


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies = []
        self.statuses = {}
        self.failures = []
        self.requests = 0

    def add(self, status, took, problem=None):
        with self.lock:
            self.requests += 1
            self.statuses[status] = self.statuses.get(status, 0) + 1
            if took is not None:
                self.latencies.append(took)
            if problem and len(self.failures) < 50:
                self.failures.append(problem)


def read_response(sock, deadline=10.0):
    """Read whatever the server answers until it closes or goes quiet."""
    sock.settimeout(deadline)
    chunks = []
    try:
        while True:
            b = sock.recv(65536)
            if not b:
                break
            chunks.append(b)
            sock.settimeout(0.3)
    except (socket.timeout, ConnectionResetError):
        pass
    return b"".join(chunks)


def client(port, stop, stats, paths, canary, canary_name, seed):
    rng = random.Random(seed)
    host = f"127.0.0.1:{port}"
    raws = raw_requests(host, canary_name)
    conn = None
    while not stop.is_set():
        roll = rng.random()
        if roll < 0.08:
            # A raw request on a fresh socket.
            raw = rng.choice(raws)
            start = time.perf_counter()
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
                    try:
                        s.sendall(raw)
                        s.shutdown(socket.SHUT_WR)
                    except OSError:
                        pass  # the server answered and closed before the request ended
                    data = read_response(s)
            except OSError as e:
                stats.add("error", None, f"raw {raw[:40]!r}: {e}")
                continue
            took = time.perf_counter() - start
            codes = re.findall(rb"HTTP/1\.[01] (\d{3})", data)
            for c in codes or [b"none"]:
                c = c.decode()
                problem = None
                if c.startswith("5"):
                    problem = f"{c} for raw {raw[:60]!r}"
                stats.add(c, took, problem)
            if canary.encode() in data:
                stats.add("LEAK", None, f"canary served for raw {raw[:60]!r}")
            continue
        if roll < 0.25:
            path = rng.choice(TRAVERSAL).replace("CANARY", canary_name)
        elif roll < 0.35:
            q = rng.choice(QUERIES)
            path = "/api/search?q=" + urllib.parse.quote(q, safe="") + rng.choice(["", "&kind=runbook", "&kind=%ff", "&limit=-1", "&limit=99999999999999999999", "&q=%ff%fe"])
        else:
            path = rng.choice(paths)
        try:
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            start = time.perf_counter()
            conn.putrequest("GET", path, skip_accept_encoding=True)
            conn.endheaders()
            r = conn.getresponse()
            body = r.read()
            took = time.perf_counter() - start
            problem = None
            if r.status >= 500:
                problem = f"{r.status} for {path[:80]}"
            if canary.encode() in body:
                problem = f"canary served for {path[:80]}"
                stats.add("LEAK", None, problem)
            stats.add(str(r.status), took, problem)
            if r.will_close:
                conn.close()
                conn = None
        except socket.timeout:
            # Searches wait for the index, which follows the edits: slow, not broken. A page
            # that does not come within the timeout is a failure.
            search = path.startswith("/api/search")
            stats.add("search-timeout" if search else "timeout", None, None if search else f"{path[:80]}: timed out")
            if conn:
                conn.close()
            conn = None
        except (OSError, http.client.HTTPException) as e:
            stats.add("error", None, f"{path[:80]}: {e!r}")
            if conn:
                conn.close()
            conn = None
    if conn:
        conn.close()


def slowloris(port, stop, held):
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
    except OSError:
        return
    held.append(s)
    req = b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"z" * 10_000
    for i in range(len(req)):
        if stop.is_set():
            break
        try:
            s.send(req[i:i + 1])
        except OSError:
            break  # the server closed it: fine
        stop.wait(1.0)
    s.close()


def editor(site, stop, counter):
    rng = random.Random(7)
    runbooks = []
    for d, _, fs in os.walk(os.path.join(site, "content", "runbooks")):
        runbooks += [os.path.join(d, f) for f in fs if f.endswith(".md")]
    extra = os.path.join(site, "content", "runbooks", "load-test-extra.md")
    while not stop.is_set():
        roll = rng.random()
        try:
            if roll < 0.6:
                with open(rng.choice(runbooks), "a") as f:
                    f.write(f"\nEdit {counter[0]} under load.\n")
            elif not os.path.exists(extra):
                with open(extra, "w") as f:
                    f.write(f"---\ntitle: Load test {counter[0]}\nowners: [team-platform]\nreviewed: 2026-11-01\n---\nBody.\n")
            else:
                os.remove(extra)
        except OSError as e:
            log(f"editor: {e}")
        counter[0] += 1
        stop.wait(0.05)


def sampler(pid, stop, samples):
    while not stop.is_set():
        r = rss_kib(pid)
        if r is not None:
            samples.append((time.time(), r))
        stop.wait(0.25)


def sitemap_paths(port):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/sitemap.xml")
    xml = conn.getresponse().read().decode()
    paths = ["/" + re.sub(r"^https?://[^/]+/", "", u) for u in re.findall(r"<loc>([^<]+)</loc>", xml)]
    paths = [p.replace("//", "/") for p in paths] or ["/"]
    return paths + ["/static/fieldbook.css", "/static/search.js", "/search/index.json", "/no-such-page/", "/__fieldbook/live.js"]


def pct(xs, p):
    if not xs:
        return 0.0
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p / 100))]


def run_wrk(port, path):
    if not shutil.which("wrk"):
        return None
    out = subprocess.run(["wrk", "-t2", "-c64", "-d10s", "--latency", f"http://127.0.0.1:{port}{path}"],
                         capture_output=True, text=True).stdout
    res = {"raw": out}
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    res["requests_per_s"] = float(m.group(1)) if m else None
    for p in ["50%", "90%", "99%"]:
        m = re.search(rf"^\s+{p}\s+(\S+)", out, re.M)
        res[p] = m.group(1) if m else None
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    res["non_2xx"] = int(m.group(1)) if m else 0
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--slow", type=int, default=100)
    ap.add_argument("--site", default=ROOT)
    ap.add_argument("--fieldbook")
    ap.add_argument("--no-wrk", action="store_true")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    exe = args.fieldbook or release_binary()

    tmp = tempfile.mkdtemp(prefix="fieldbook-serve-load-")
    site = os.path.join(tmp, "site")
    os.makedirs(site)
    for name in ["book.toml", "owners.yaml"]:
        shutil.copy(os.path.join(args.site, name), site)
    for name in ["content", "themes"]:
        if os.path.isdir(os.path.join(args.site, name)):
            shutil.copytree(os.path.join(args.site, name), os.path.join(site, name))
    canary = "CANARY-%016x" % random.getrandbits(64)
    canary_name = "canary-secret.txt"
    for d in [tmp, site]:
        with open(os.path.join(d, canary_name), "w") as f:
            f.write(canary + "\n")

    proc = subprocess.Popen([exe, "serve", site, "--port", "0", "--color", "never"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    port = None
    lines = []
    for line in proc.stdout:
        lines.append(line)
        m = re.search(r"serving .* at http://127\.0\.0\.1:(\d+)/", line)
        if m:
            port = int(m.group(1))
            break
    if port is None:
        log("".join(lines))
        sys.exit("fieldbook serve did not start")
    threading.Thread(target=lambda: [lines.append(l) for l in proc.stdout], daemon=True).start()
    paths = sitemap_paths(port)
    # Warm up (first requests, search index), then take the baseline RSS.
    for p in paths[:50]:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        c.request("GET", p)
        c.getresponse().read()
    time.sleep(1.0)
    rss_start = rss_kib(proc.pid)

    stop = threading.Event()
    stats = Stats()
    samples = []
    counter = [0]
    held = []
    threads = [threading.Thread(target=sampler, args=(proc.pid, stop, samples)),
               threading.Thread(target=editor, args=(site, stop, counter))]
    threads += [threading.Thread(target=slowloris, args=(port, stop, held)) for _ in range(args.slow)]
    threads += [threading.Thread(target=client, args=(port, stop, stats, paths, canary, canary_name, i))
                for i in range(args.connections)]
    start = time.time()
    for t in threads:
        t.start()
    time.sleep(args.seconds)
    stop.set()
    for t in threads:
        t.join(timeout=30)
    elapsed = time.time() - start
    time.sleep(1.0)
    alive = proc.poll() is None
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        c.request("GET", "/")
        answers = c.getresponse().status == 200
    except OSError:
        answers = False
    wrk = None if args.no_wrk or not alive else run_wrk(port, "/runbooks/")
    rss_end = rss_kib(proc.pid)
    peak = max((r for _, r in samples), default=rss_end or 0)
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    shutil.rmtree(tmp, ignore_errors=True)

    lat = [x * 1000 for x in stats.latencies]
    report = {
        "seconds": round(elapsed, 1),
        "connections": args.connections,
        "slowloris": args.slow,
        "requests": stats.requests,
        "requests_per_s": round(stats.requests / elapsed, 1),
        "latency_ms": {"p50": round(pct(lat, 50), 2), "p90": round(pct(lat, 90), 2),
                       "p99": round(pct(lat, 99), 2), "max": round(max(lat, default=0), 2),
                       "mean": round(statistics.mean(lat), 2) if lat else 0},
        "statuses": dict(sorted(stats.statuses.items())),
        "edits": counter[0],
        "rss_kib": {"start": rss_start, "peak": peak, "end": rss_end},
        "alive": alive,
        "answers_after": answers,
        "failures": stats.failures,
        "wrk": {k: v for k, v in (wrk or {}).items() if k != "raw"} or None,
    }
    ok = (alive and answers and not stats.failures and "LEAK" not in stats.statuses
          and rss_end is not None and rss_start is not None and rss_end <= rss_start * 1.5 + 32 * 1024
          and (wrk is None or wrk.get("non_2xx", 0) == 0))
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(f"{stats.requests} requests in {elapsed:.1f} s over {args.connections} connections "
              f"(+{args.slow} slowloris) with {counter[0]} edits: {report['requests_per_s']} req/s")
        l = report["latency_ms"]
        print(f"latency ms: p50 {l['p50']}  p90 {l['p90']}  p99 {l['p99']}  max {l['max']}")
        print(f"statuses: {report['statuses']}")
        r = report["rss_kib"]
        print(f"RSS MiB: start {r['start'] / 1024:.1f}  peak {r['peak'] / 1024:.1f}  end {(r['end'] or 0) / 1024:.1f}")
        if wrk:
            print(f"wrk -t2 -c64 -d10s /runbooks/: {wrk['requests_per_s']} req/s, p50 {wrk['50%']}, "
                  f"p90 {wrk['90%']}, p99 {wrk['99%']}, non-2xx {wrk['non_2xx']}")
        for f in stats.failures:
            print(f"FAIL: {f}")
        print("OK" if ok else "FAILED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
