// A tiny static file server for the browser tests: serves a built Fieldbook site from a
// directory, optionally under a sub-path (`/handbook/`), on 127.0.0.1 and a free port.
//
// Like a typical static host: `dir/` serves `dir/index.html`, `dir` redirects to `dir/`, and
// any missing path gets the site's `404.html` with status 404. Only GET and HEAD.

import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import path from "node:path";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".xml": "application/xml",
  ".txt": "text/plain; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".avif": "image/avif",
  ".ico": "image/x-icon",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".pdf": "application/pdf",
  ".map": "application/json",
};

export function contentType(file) {
  return TYPES[path.extname(file).toLowerCase()] ?? "application/octet-stream";
}

async function isFile(p) {
  try {
    return (await stat(p)).isFile();
  } catch {
    return false;
  }
}

async function isDir(p) {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Serve `root` under `prefix` (which starts and ends with "/").
 * Returns { origin, base, close, requests } where `base` is origin + prefix and `requests`
 * records every [status, path] served.
 */
export async function serve(root, { prefix = "/" } = {}) {
  root = path.resolve(root);
  if (!(await isDir(root))) throw new Error(`site directory not found: ${root}`);
  const requests = [];

  async function notFound(res, head) {
    const page = path.join(root, "404.html");
    const body = (await isFile(page)) ? await readFile(page) : Buffer.from("Not found\n");
    res.writeHead(404, {
      "content-type": (await isFile(page)) ? TYPES[".html"] : TYPES[".txt"],
      "content-length": body.length,
      "cache-control": "no-store",
    });
    res.end(head ? undefined : body);
    return 404;
  }

  async function handle(req, res) {
    const head = req.method === "HEAD";
    if (req.method !== "GET" && !head) {
      res.writeHead(405, { allow: "GET, HEAD" });
      res.end();
      return 405;
    }
    const url = new URL(req.url, "http://127.0.0.1");
    let pathname;
    try {
      pathname = decodeURIComponent(url.pathname);
    } catch {
      res.writeHead(400);
      res.end();
      return 400;
    }
    if (pathname.includes("\0")) return notFound(res, head);
    if (pathname + "/" === prefix) {
      res.writeHead(301, { location: prefix + url.search });
      res.end();
      return 301;
    }
    if (!pathname.startsWith(prefix)) return notFound(res, head);
    const rel = pathname.slice(prefix.length);
    let file = path.resolve(root, "." + path.posix.sep + rel);
    if (file !== root && !file.startsWith(root + path.sep)) return notFound(res, head);
    if (await isDir(file)) {
      if (!pathname.endsWith("/")) {
        res.writeHead(301, { location: url.pathname + "/" + url.search });
        res.end();
        return 301;
      }
      file = path.join(file, "index.html");
    }
    if (!(await isFile(file))) return notFound(res, head);
    const body = await readFile(file);
    res.writeHead(200, {
      "content-type": contentType(file),
      "content-length": body.length,
      "cache-control": "no-store",
    });
    res.end(head ? undefined : body);
    return 200;
  }

  const server = createServer((req, res) => {
    handle(req, res).then(
      (status) => requests.push([status, req.url]),
      (err) => {
        requests.push([500, req.url]);
        if (!res.headersSent) res.writeHead(500, { "content-type": TYPES[".txt"] });
        res.end(String(err));
      },
    );
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address();
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    base: origin + prefix,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
