// Fieldbook live preview: injected by `fieldbook serve` into the pages it serves, never part
// of a built site. Listens to /__fieldbook/events (server-sent events):
//   hello  {instance, error}  first on every connection; another instance = the server was
//                             restarted, so the page reloads
//   reload {all, urls}        pages rebuilt; this page reloads when its URL is among them
//   error  {diagnostics}      a rebuild failed: an overlay lists file, line, column, message
//   ok     {}                 the errors are fixed: the overlay goes
// The scroll position survives a reload (sessionStorage). Text from the server is inserted
// with textContent only.
(() => {
  "use strict";
  if (window.__fieldbookLive) return;
  window.__fieldbookLive = true;

  const OVERLAY_ID = "fieldbook-error-overlay";
  const scrollKey = "fieldbook-scroll:" + location.pathname;

  const saved = sessionStorage.getItem(scrollKey);
  if (saved !== null) {
    sessionStorage.removeItem(scrollKey);
    const y = Number(saved) || 0;
    const restore = () => window.scrollTo(0, y);
    restore();
    if (document.readyState !== "complete") window.addEventListener("load", restore, { once: true });
  }

  function here() {
    let p = location.pathname;
    try {
      p = decodeURIComponent(p);
    } catch {
      // keep it as it is
    }
    return p.replace(/^\//, "").replace(/(^|\/)index\.html$/, "$1");
  }

  const missing = document.body && document.body.classList.contains("kind-not-found");

  function reload() {
    sessionStorage.setItem(scrollKey, String(Math.round(window.scrollY)));
    location.reload();
  }

  function hideOverlay() {
    const old = document.getElementById(OVERLAY_ID);
    if (old) old.remove();
  }

  function el(tag, text, style) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (style) e.setAttribute("style", style);
    return e;
  }

  function showOverlay(diagnostics) {
    hideOverlay();
    const list = Array.isArray(diagnostics) ? diagnostics : [];
    const box = el(
      "div",
      null,
      "position:fixed;left:1rem;right:1rem;bottom:1rem;max-height:70vh;overflow:auto;" +
        "z-index:2147483647;background:#fff;color:#1b1b1b;border:3px solid #b3261e;" +
        "border-radius:8px;padding:1rem 1.25rem;box-shadow:0 8px 32px rgba(0,0,0,.35);" +
        "font:15px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;text-align:left",
    );
    box.id = OVERLAY_ID;
    box.setAttribute("role", "alertdialog");
    box.setAttribute("aria-modal", "false");
    box.setAttribute("aria-labelledby", OVERLAY_ID + "-title");
    box.setAttribute("aria-describedby", OVERLAY_ID + "-note");

    const title = el(
      "h2",
      list.length === 1 ? "Build error" : `${list.length} build errors`,
      "margin:0 0 .25rem;font-size:1.15rem;color:#b3261e",
    );
    title.id = OVERLAY_ID + "-title";
    const note = el(
      "p",
      "The preview keeps showing the last good version. Fix the file and save: this goes away.",
      "margin:0 0 .75rem;color:#333",
    );
    note.id = OVERLAY_ID + "-note";
    const close = el(
      "button",
      "Dismiss",
      "position:absolute;top:.75rem;right:.75rem;font:inherit;padding:.25rem .75rem;" +
        "border:1px solid #555;border-radius:4px;background:#f3f3f3;color:#1b1b1b;cursor:pointer",
    );
    close.type = "button";
    close.addEventListener("click", hideOverlay);
    box.addEventListener("keydown", (e) => {
      if (e.key === "Escape") hideOverlay();
    });

    const ul = el("ul", null, "margin:0;padding:0;list-style:none");
    for (const d of list) {
      const li = el("li", null, "margin:0 0 .75rem;padding:.5rem 0 0;border-top:1px solid #ddd");
      li.className = "fieldbook-error";
      const where = el(
        "p",
        null,
        "margin:0;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em",
      );
      const loc = el("strong", `${d.file}:${d.line}:${d.column}`);
      loc.className = "fieldbook-error-location";
      where.append(loc, el("span", ` ${d.code || "error"}`, "color:#555"));
      const msg = el("p", d.message, "margin:.25rem 0;white-space:pre-wrap");
      msg.className = "fieldbook-error-message";
      li.append(where, msg);
      if (d.source) {
        li.append(
          el(
            "pre",
            `${d.line} | ${d.source}`,
            "margin:.25rem 0;padding:.4rem .6rem;background:#f6f6f6;color:#1b1b1b;overflow:auto;" +
              "font:13px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace",
          ),
        );
      }
      if (d.hint) li.append(el("p", `Hint: ${d.hint}`, "margin:.25rem 0;color:#333"));
      ul.append(li);
    }
    box.append(close, title, note, ul);
    (document.body || document.documentElement).append(box);
    close.focus({ preventScroll: true });
  }

  let instance = null;
  let source = null;

  function connect() {
    source = new EventSource("/__fieldbook/events");
    source.addEventListener("hello", (e) => {
      const d = JSON.parse(e.data);
      if (instance !== null && d.instance !== instance) {
        reload();
        return;
      }
      instance = d.instance;
      if (!d.error) hideOverlay();
    });
    source.addEventListener("reload", (e) => {
      const d = JSON.parse(e.data);
      if (d.all || missing || (d.urls || []).includes(here())) reload();
    });
    // A server-sent `error` event carries data; the EventSource's own error (connection
    // lost) does not.
    source.addEventListener("error", (e) => {
      if (typeof e.data === "string" && e.data) {
        showOverlay(JSON.parse(e.data).diagnostics);
      } else if (source.readyState === EventSource.CLOSED) {
        source.close();
        setTimeout(connect, 1000);
      }
    });
    source.addEventListener("ok", hideOverlay);
  }

  connect();
})();
