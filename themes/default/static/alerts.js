/* Fieldbook: alert links (docs/alerts.md). The site works without this file.
 * - A runbook opened from an alert link (`alerts/KubePodCrashLooping/?namespace=payments&pod=x`
 *   lands on `runbooks/...?namespace=payments&pod=x`) fills the command placeholders the build
 *   marked (`span.cmd-var[data-var]`: `$NAMESPACE`, `${POD}`, `{{namespace}}`) with the values
 *   of the query parameters of the same name (case does not matter, `-` counts as `_`),
 *   underlines them, and says so in a note above the first filled code block, with a link
 *   back to the placeholders. The copy button copies what is shown, so the filled command.
 *   Only values a shell reads as one plain word are filled in; others are shown in the note
 *   as text, so a crafted link cannot slip `; rm -rf` into a command.
 * - Every runbook with placeholders gets a form ("Fill in the commands") above its first block
 *   with placeholders: one labelled field per variable, showing the query's values; typing
 *   fills the commands (as text, under the same one-word rule) and keeps the values in the
 *   page's address (history.replaceState), so a filled runbook can be shared and reloaded.
 * - An alert page with one runbook goes on to it (its inline script normally does this
 *   first); a choice page keeps the query string and fragment on the links to its runbooks.
 * - The "page not found" page at `alerts/<Name>/` (an alert no runbook answers: Prometheus
 *   linked to it all the same) names the alert, offers to search the handbook for it and
 *   lists the runbooks of alerts with similar names (from `alerts.json`). */
(function () {
  "use strict";

  var SAFE = /^[A-Za-z0-9._:\/@+=,%-]{1,256}$/;

  /** The query's parameters, each name once (the first value), lower case, `-` as `_`. */
  function given() {
    var out = {};
    new URLSearchParams(window.location.search).forEach(function (value, key) {
      var name = key.trim().toLowerCase().replace(/-/g, "_");
      if (name && value !== "" && !Object.prototype.hasOwnProperty.call(out, name)) {
        out[name] = value;
      }
    });
    return out;
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  /** "name = value, name = value" as code elements, into `p`. */
  function listValues(p, names, values) {
    names.forEach(function (name, i) {
      if (i > 0) p.appendChild(document.createTextNode(", "));
      p.appendChild(el("code", null, name));
      p.appendChild(document.createTextNode(" = "));
      p.appendChild(el("code", "cmd-var-value", values[name]));
    });
  }

  /** Put `value` into the placeholder `span` (as text), or its placeholder back when null. */
  function fillSpan(span, value, why) {
    if (!span.hasAttribute("data-placeholder")) {
      span.setAttribute("data-placeholder", span.textContent);
    }
    var placeholder = span.getAttribute("data-placeholder");
    if (value === null) {
      span.textContent = placeholder;
      span.classList.remove("cmd-var-filled");
      span.removeAttribute("title");
      return;
    }
    span.textContent = value;
    span.classList.add("cmd-var-filled");
    span.title = why + " (the runbook says " + placeholder + ")";
  }

  /** The page's address with the variable `name` set to `value` (or left out when ""). */
  function withValue(name, value) {
    var params = new URLSearchParams(window.location.search);
    var keys = [];
    params.forEach(function (v, key) {
      if (key.trim().toLowerCase().replace(/-/g, "_") === name) keys.push(key);
    });
    keys.forEach(function (key) { params.delete(key); });
    if (value !== "") params.set(name, value);
    var query = params.toString();
    return window.location.pathname + (query ? "?" + query : "") + window.location.hash;
  }

  /** A form with one text field per variable: typing fills the commands and the address. */
  function commandForm(spans, values) {
    var names = [];
    var written = {};
    for (var i = 0; i < spans.length; i++) {
      var name = spans[i].getAttribute("data-var");
      if (names.indexOf(name) < 0) {
        names.push(name);
        written[name] = spans[i].getAttribute("data-placeholder") || spans[i].textContent;
      }
    }
    var box = el("details", "cmd-vars-form");
    // Open where there is room; folded on a phone, so that the commands come first.
    box.open = !window.matchMedia || window.matchMedia("(min-width: 701px)").matches;
    var summary = el("summary", null, "Fill in the commands");
    box.appendChild(summary);
    var form = el("form");
    form.setAttribute("aria-label", "Fill in the commands");
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    var hint = el("p", "cmd-vars-hint",
      "Values fill the placeholders in the commands below and are kept in this page's address, " +
      "so the filled runbook can be shared. Only values a shell reads as one word are filled.");
    hint.id = "cmd-vars-hint";
    form.appendChild(hint);
    names.forEach(function (name) {
      var row = el("div", "cmd-vars-field");
      var id = "cmd-var-" + name;
      var label = el("label");
      label.htmlFor = id;
      label.appendChild(el("code", null, written[name]));
      row.appendChild(label);
      var input = el("input");
      input.type = "text";
      input.id = id;
      input.name = name;
      input.autocomplete = "off";
      input.spellcheck = false;
      input.setAttribute("autocapitalize", "none");
      input.setAttribute("aria-describedby", "cmd-vars-hint " + id + "-error");
      if (Object.prototype.hasOwnProperty.call(values, name)) input.value = values[name];
      var error = el("span", "cmd-vars-error");
      error.id = id + "-error";
      error.setAttribute("aria-live", "polite");
      var update = function (keepAddress) {
        var value = input.value.trim();
        var safe = value === "" || SAFE.test(value);
        input.setAttribute("aria-invalid", safe ? "false" : "true");
        error.textContent = safe ? "" : "Not filled in: this value holds characters a shell would interpret.";
        for (var i = 0; i < spans.length; i++) {
          if (spans[i].getAttribute("data-var") !== name) continue;
          fillSpan(spans[i], value !== "" && safe ? value : null, "Filled in from the form");
        }
        if (!keepAddress && window.history && window.history.replaceState) {
          window.history.replaceState(window.history.state, "", withValue(name, value));
        }
      };
      input.addEventListener("input", function () { update(false); });
      if (input.value !== "" && !SAFE.test(input.value)) update(true);
      row.appendChild(input);
      row.appendChild(error);
      form.appendChild(row);
    });
    box.appendChild(form);
    return box;
  }

  function fillCommands() {
    var spans = document.querySelectorAll("pre.code .cmd-var[data-var]");
    if (!spans.length) return;
    var values = window.location.search ? given() : {};
    var filled = [];
    var refused = [];
    var first = null;
    for (var i = 0; i < spans.length; i++) {
      var span = spans[i];
      var name = span.getAttribute("data-var");
      if (!Object.prototype.hasOwnProperty.call(values, name)) continue;
      first = first || span.closest("pre.code");
      if (!SAFE.test(values[name])) {
        if (refused.indexOf(name) < 0) refused.push(name);
        continue;
      }
      fillSpan(span, values[name], "Filled in from the alert link");
      if (filled.indexOf(name) < 0) filled.push(name);
    }

    // The form goes above the first block with placeholders (on a runbook only: other pages
    // show commands as examples).
    var firstBlock = spans[0].closest("pre.code");
    var firstBox = firstBlock.closest(".code-block") || firstBlock;
    if (document.body.classList.contains("kind-runbook")) {
      firstBox.parentNode.insertBefore(commandForm(spans, values), firstBox);
    }
    if (!first) return;

    var note = el("div", "cmd-vars-note");
    note.setAttribute("role", "note");
    if (filled.length) {
      var p = el("p");
      p.appendChild(el("strong", null, "Filled in from the alert link: "));
      listValues(p, filled, values);
      p.appendChild(document.createTextNode(". Filled values are underlined in the commands. "));
      var clear = el("a", "cmd-vars-clear", "Show the placeholders");
      clear.href = window.location.pathname + window.location.hash;
      p.appendChild(clear);
      note.appendChild(p);
    }
    if (refused.length) {
      var r = el("p");
      r.appendChild(el("strong", null, "Not filled in: "));
      listValues(r, refused, values);
      r.appendChild(document.createTextNode(
        refused.length > 1
          ? ". These values hold characters a shell would interpret (spaces, quotes, ;, $, <, >...): check them and type them in by hand."
          : ". This value holds characters a shell would interpret (spaces, quotes, ;, $, <, >...): check it and type it in by hand."));
      note.appendChild(r);
    }
    var box = first.closest(".code-block") || first;
    var form = box.previousElementSibling;
    if (form && form.classList.contains("cmd-vars-form")) box = form;
    box.parentNode.insertBefore(note, box);
  }

  function followAlert() {
    var target = document.querySelector('meta[name="fieldbook-redirect"]');
    if (target) {
      window.location.replace(target.getAttribute("content") + window.location.search + window.location.hash);
      return;
    }
    var keep = window.location.search + window.location.hash;
    if (!keep) return;
    var links = document.querySelectorAll("[data-keep-query] .card-title a");
    for (var i = 0; i < links.length; i++) {
      links[i].setAttribute("href", links[i].getAttribute("href") + keep);
    }
  }

  /** Edit distance, bounded: enough to tell a typo or a variant of an alert name. */
  function distance(a, b) {
    if (Math.abs(a.length - b.length) > 8) return 99;
    var prev = [];
    for (var j = 0; j <= b.length; j++) prev.push(j);
    for (var i = 1; i <= a.length; i++) {
      var cur = [i];
      for (var k = 1; k <= b.length; k++) {
        cur.push(Math.min(prev[k] + 1, cur[k - 1] + 1, prev[k - 1] + (a[i - 1] === b[k - 1] ? 0 : 1)));
      }
      prev = cur;
    }
    return prev[b.length];
  }

  /** Alerts whose names are close to `name`, closest first. */
  function similar(name, alerts) {
    var low = name.toLowerCase();
    return alerts
      .map(function (a) {
        var other = a.name.toLowerCase();
        var d = distance(low, other);
        if (other.indexOf(low) >= 0 || low.indexOf(other) >= 0) d = Math.min(d, 2);
        return { alert: a, d: d };
      })
      .filter(function (x) { return x.d <= Math.max(3, Math.floor(low.length / 3)); })
      .sort(function (x, y) { return x.d - y.d || (x.alert.name < y.alert.name ? -1 : 1); })
      .slice(0, 5)
      .map(function (x) { return x.alert; });
  }

  function unknownAlert() {
    if (!document.body.classList.contains("kind-not-found")) return;
    var root = document.body.getAttribute("data-site-root") || "/";
    var path = decodeURIComponent(window.location.pathname);
    var base = root.charAt(0) === "/" ? root : "/";
    if (path.indexOf(base) !== 0) return;
    var m = /^alerts\/([^\/]+)\/?$/.exec(path.slice(base.length));
    if (!m) return;
    var name = m[1];
    var main = document.querySelector(".not-found");
    if (!main) return;
    var h1 = main.querySelector("h1");
    h1.textContent = "";
    h1.appendChild(document.createTextNode("No runbook for alert "));
    h1.appendChild(el("code", null, name));
    var lead = main.querySelector(".lead");
    if (lead) {
      lead.textContent = "No runbook in this handbook answers this alert yet. Search for it, " +
        "look at runbooks of alerts with similar names, or escalate to the service's team.";
    }
    var input = main.querySelector("input[type=search]");
    if (input) input.value = name;
    var section = el("section", "alert-unknown");
    section.setAttribute("aria-labelledby", "alert-unknown-h");
    var h2 = el("h2", null, "Similar alerts");
    h2.id = "alert-unknown-h";
    section.appendChild(h2);
    var search = el("p");
    var link = el("a", null, "Search the handbook for " + name);
    link.href = root + "search/?q=" + encodeURIComponent(name);
    search.appendChild(link);
    section.appendChild(search);
    var header = main.querySelector(".page-header");
    header.parentNode.insertBefore(section, header.nextSibling);
    fetch(root + "alerts.json")
      .then(function (r) { return r.ok ? r.json() : { alerts: [] }; })
      .then(function (data) {
        var found = similar(name, data.alerts || []);
        if (!found.length) {
          section.appendChild(el("p", "muted", "No alert of the handbook has a similar name."));
          return;
        }
        var list = el("ul", "link-list");
        found.forEach(function (a) {
          var li = el("li");
          var al = el("a");
          al.href = a.url;
          al.appendChild(el("code", null, a.name));
          li.appendChild(al);
          var titles = (a.runbooks || []).map(function (r) { return r.title; }).join("; ");
          if (titles) li.appendChild(document.createTextNode(" — " + titles));
          list.appendChild(li);
        });
        section.appendChild(list);
      })
      .catch(function () {});
  }

  function init() {
    followAlert();
    fillCommands();
    unknownAlert();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
