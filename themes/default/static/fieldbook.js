/* Fieldbook default theme: small enhancements. The site works without this file.
 * - a "Copy" button on every pre.code block; for shell sessions (data-prompt="$ ") only the
 *   commands are copied, without the prompt and without the output lines;
 * - code blocks and tables that scroll sideways can be focused (and so scrolled) by keyboard. */
(function () {
  "use strict";

  /** The text to copy from a code block. */
  function codeText(pre) {
    var code = pre.querySelector("code") || pre;
    var text = code.textContent.replace(/\n$/, "");
    var prompt = pre.getAttribute("data-prompt");
    return prompt ? commandsOnly(text, prompt) : text;
  }

  /** Keep the lines that start with the prompt (prompt removed) and the continuation lines
   *  that follow a line ending in a backslash; drop the output. Without any prompt line,
   *  everything is copied as it is. */
  function commandsOnly(text, prompt) {
    var lines = text.split("\n");
    var bare = prompt.replace(/\s+$/, "");
    var out = [];
    var continued = false;
    for (var i = 0; i < lines.length; i++) {
      var line = lines[i];
      if (continued) {
        out.push(line);
      } else if (line.indexOf(prompt) === 0) {
        line = line.slice(prompt.length);
        out.push(line);
      } else if (bare && line === bare) {
        line = "";                    // an empty prompt line
        out.push(line);
      } else {
        continue;                     // output
      }
      continued = /\\\s*$/.test(line);
    }
    if (out.length === 0) return text;
    return out.join("\n");
  }

  function copyWithTextarea(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.top = "-1000px";
    area.style.opacity = "0";
    document.body.appendChild(area);
    var selection = document.getSelection();
    var previous = selection && selection.rangeCount > 0 ? selection.getRangeAt(0) : null;
    area.select();
    var ok = false;
    try {
      ok = document.execCommand("copy");
    } catch (e) {
      ok = false;
    }
    document.body.removeChild(area);
    if (previous && selection) {
      selection.removeAllRanges();
      selection.addRange(previous);
    }
    return ok;
  }

  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).then(
        function () { return true; },
        function () { return copyWithTextarea(text); }
      );
    }
    return Promise.resolve(copyWithTextarea(text));
  }

  var status = null;
  function announce(message) {
    if (!status) {
      status = document.createElement("div");
      status.className = "visually-hidden";
      status.setAttribute("aria-live", "polite");
      status.setAttribute("role", "status");
      document.body.appendChild(status);
    }
    // Clear first so the same message is announced again.
    status.textContent = "";
    window.setTimeout(function () { status.textContent = message; }, 50);
  }

  function addCopyButton(pre) {
    if (!pre.parentNode || pre.parentNode.classList.contains("code-block")) return;
    var wrap = document.createElement("div");
    wrap.className = "code-block";
    pre.parentNode.insertBefore(wrap, pre);
    wrap.appendChild(pre);

    var lang = pre.getAttribute("data-lang");
    var isSession = pre.hasAttribute("data-prompt");
    var label = isSession ? "Copy commands" : "Copy code";
    if (lang) label += " (" + lang + ")";

    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy-button";
    button.textContent = "Copy";
    button.setAttribute("aria-label", label);
    var timer = 0;
    button.addEventListener("click", function () {
      copy(codeText(pre)).then(function (ok) {
        button.textContent = ok ? "Copied" : "Copy failed";
        button.setAttribute("data-state", ok ? "copied" : "failed");
        announce(ok ? (isSession ? "Commands copied to the clipboard" : "Code copied to the clipboard")
                    : "Could not copy; select the text and copy it by hand");
        window.clearTimeout(timer);
        timer = window.setTimeout(function () {
          button.textContent = "Copy";
          button.removeAttribute("data-state");
        }, 2000);
      });
    });
    wrap.appendChild(button);
  }

  /** Code blocks and tables that scroll sideways get a tab stop, so keyboard users can
   *  scroll them too. */
  function makeScrollersFocusable() {
    var boxes = document.querySelectorAll("pre, .table-wrap");
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("data-scroll-focus", "");   // ours, to undo when it fits again
      } else if (!scrolls && box.hasAttribute("data-scroll-focus")) {
        box.removeAttribute("tabindex");
        box.removeAttribute("data-scroll-focus");
      }
    }
  }

  // The review state judged again with the reader's clock: a handbook of quiet services is
  // rebuilt rarely, so a runbook must turn stale on the day it does, not at the next build.
  // The build's verdict is what readers without JavaScript see; this only ever makes it
  // stricter (fresh → due soon → stale).
  function localDate(d) {
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return d.getFullYear() + "-" + two(d.getMonth() + 1) + "-" + two(d.getDate());
  }

  function judgeReview(now) {
    var h = document.querySelector(".doc-header[data-stale-on]");
    if (!h) return null;
    var today = localDate(now || new Date());
    var built = h.getAttribute("data-review-state");
    var rank = { "fresh": 0, "due-soon": 1, "stale": 2 };
    var state = today >= h.getAttribute("data-stale-on") ? "stale"
      : (h.getAttribute("data-soon-from") && today >= h.getAttribute("data-soon-from")) ? "due-soon"
      : "fresh";
    if (!(built in rank) || rank[state] <= rank[built]) return built;
    var noun = h.getAttribute("data-noun") || "page";
    var due = h.getAttribute("data-due");
    var old = h.querySelectorAll(".banner-review");
    for (var i = 0; i < old.length; i++) old[i].remove();
    var banner = document.createElement("div");
    banner.className = "banner banner-review " + (state === "stale" ? "banner-danger" : "banner-warn");
    banner.setAttribute("role", "note");
    var p = document.createElement("p");
    var title = document.createElement("strong");
    title.className = "banner-title";
    title.textContent = state === "stale" ? "This " + noun + " is stale:" : "Review due soon:";
    p.appendChild(title);
    p.appendChild(document.createTextNode(" " + (state === "stale"
      ? "its review was due " + due + " — verify steps before acting."
      : "due " + due + ".")));
    var note = document.createElement("small");
    note.className = "muted";
    note.textContent = " (as of today; the handbook was built when it was not)";
    p.appendChild(note);
    banner.appendChild(p);
    var h1 = h.querySelector("h1");
    h1.parentNode.insertBefore(banner, h1.nextSibling);
    var badge = h.querySelector(".eyebrow .badge-review");
    var label = state === "stale" ? "Stale" : "Review due soon";
    var cls = "badge badge-review " + (state === "stale" ? "badge-danger" : "badge-warn");
    if (badge) {
      badge.className = cls;
      badge.textContent = label;
    } else {
      badge = document.createElement("span");
      badge.className = cls;
      badge.textContent = label;
      h.querySelector(".eyebrow").appendChild(document.createTextNode(" "));
      h.querySelector(".eyebrow").appendChild(badge);
    }
    var word = document.querySelector("[data-meta-line] .meta-line-state");
    if (word) {
      word.className = "meta-line-state meta-line-" + state;
      word.textContent = state === "stale" ? "stale" : "review due soon";
    }
    h.setAttribute("data-review-now", state);
    return state;
  }

  // The sections behind a menu button on narrow screens (the CSS decides when).
  function navToggle() {
    var button = document.querySelector(".nav-toggle");
    var inner = document.querySelector(".site-header-inner");
    if (!button || !inner) return;
    document.documentElement.classList.add("js-nav");
    button.hidden = false;
    button.addEventListener("click", function () {
      var open = inner.classList.toggle("nav-open");
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }

  /** A button that shows and hides `box` (on a phone only: the CSS decides), after `after`
   *  or, for a heading, inside it next to its text. */
  function foldBehind(box, id, label, after, inside) {
    if (!box || !after) return;
    if (!box.id) box.id = id;
    box.classList.add("foldable");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "fold-toggle";
    button.textContent = label;
    button.setAttribute("aria-expanded", "false");
    button.setAttribute("aria-controls", box.id);
    button.addEventListener("click", function () {
      var open = box.classList.toggle("fold-open");
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
    if (inside) {
      var text = document.createElement("span");
      text.className = "fold-text";
      while (after.firstChild) text.appendChild(after.firstChild);
      after.appendChild(text);
      after.appendChild(button);
    } else {
      after.parentNode.insertBefore(button, after.nextSibling);
    }
  }

  // On a phone a runbook shows one line of owners and review state (the template's
  // `.meta-line`) and folds the metadata card and the table of contents behind buttons, so
  // that its first step is on the first screen.
  function foldForPhone() {
    var line = document.querySelector("[data-meta-line]");
    if (!line) return;
    document.documentElement.classList.add("js-fold");
    var card = line.parentNode.querySelector(":scope > dl.meta");
    foldBehind(card, "doc-meta", "All details", line, false);
    var toc = document.querySelector(".doc-layout > .toc");
    if (toc) foldBehind(toc.querySelector(":scope > ol"), "toc-list", "On this page", toc.querySelector(".toc-title"), true);
  }

  function init() {
    navToggle();
    foldForPhone();
    judgeReview();
    var blocks = document.querySelectorAll("pre.code");
    for (var i = 0; i < blocks.length; i++) addCopyButton(blocks[i]);
    makeScrollersFocusable();
    var pending = 0;
    window.addEventListener("resize", function () {
      window.clearTimeout(pending);
      pending = window.setTimeout(makeScrollersFocusable, 200);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }

  // Exposed for tests; harmless in pages.
  window.fieldbook = { commandsOnly: commandsOnly, judgeReview: judgeReview };
})();
