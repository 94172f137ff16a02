/* Fieldbook learning: the browser side of courses (docs/courses-progress.md). Dependency-free;
 * loaded with `defer` on every page, idle on pages without course markup.
 * - every quiz (section.quiz) becomes a labelled radio or checkbox group with Check answer,
 *   Try again and Show answer, and feedback spoken through a status region;
 * - lesson pages get a "Mark as done" toggle and "Retry missed questions";
 * - course, path and "My learning" pages show progress; "My learning" exports, imports and
 *   resets it.
 * Progress lives in localStorage under one key per site base path. Whatever is read from
 * storage or from an imported file is validated into fresh null-prototype objects and only
 * ever shown as text (textContent, never HTML). When storage is blocked or full, or holds
 * something unreadable, everything still works for the visit and a short notice says so. */
(function () {
  "use strict";
  if (window.fieldbookLearning) return;

  const FORMAT = 1;                      // the "fieldbook-progress" version read and written
  const FORMAT_KEY = "fieldbook-progress";
  const MAX_IMPORT_BYTES = 1024 * 1024;
  const MAX_ID = 200;
  const MAX_CHOICES = 100;
  // Keys that would mean something to a plain object; refused so that no copy of the data,
  // ours or anyone's, can ever be turned into a prototype change.
  const FORBIDDEN_KEYS = ["__proto__", "constructor", "prototype"];

  const NOTICE_BLOCKED =
    "This browser does not let the handbook save progress (site storage is blocked), " +
    "so what you do here is forgotten when you leave the page.";
  const NOTICE_FULL =
    "Your progress could not be saved: this browser's site storage is full or blocked. " +
    "It is kept until you leave the page.";
  const noticeUnreadable = (key) =>
    "The progress saved in this browser could not be read, so it was set aside " +
    "(under “" + key + ":unreadable”) and you start afresh.";

  // ------------------------------------------------------------------ small helpers

  const dict = () => Object.create(null);
  const has = (obj, key) => Object.prototype.hasOwnProperty.call(obj, key);
  const isPlain = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
  const words = (s) => (s || "").split(/\s+/).filter(Boolean);
  const plural = (n, one, many) => n + " " + (n === 1 ? one : many || one + "s");

  /** "QID:QVER QID:QVER" -> [[qid, qver]]; a pair without ":" has the version "". */
  function quizPairs(s) {
    return words(s).map((w) => {
      const i = w.lastIndexOf(":");
      return i < 0 ? [w, ""] : [w.slice(0, i), w.slice(i + 1)];
    });
  }

  function el(tag, attrs, text) {
    const e = document.createElement(tag);
    if (attrs) for (const k of Object.keys(attrs)) e.setAttribute(k, attrs[k]);
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }

  function button(label, cls) {
    const b = el("button", { type: "button" }, label);
    if (cls) b.className = cls;
    return b;
  }

  const pad = (n) => (n < 10 ? "0" : "") + n;
  function today() {
    const d = new Date();
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate());
  }

  function isDate(s) {
    if (typeof s !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
    const [y, m, d] = s.split("-").map(Number);
    const t = new Date(Date.UTC(y, m - 1, d));
    return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
  }

  /** A value as it may be quoted in a message: JSON-escaped and cut short. */
  function quote(v) {
    let s = typeof v === "string" ? v : JSON.stringify(v);
    if (s === undefined) s = String(v);
    if (s.length > 40) s = s.slice(0, 40) + "…";
    return "“" + JSON.stringify(s).slice(1, -1) + "”";
  }

  // ------------------------------------------------------------------ validation

  class ProgressError extends Error {}
  function fail(message) {
    throw new ProgressError(message);
  }

  function checkKeys(obj, allowed, where) {
    for (const k of Object.keys(obj)) {
      if (!allowed.includes(k)) fail(where + " has an unknown field " + quote(k));
    }
  }

  function checkId(id, what) {
    if (id.length === 0 || id.length > MAX_ID || /[\u0000-\u001f\u007f\s]/.test(id) ||
        FORBIDDEN_KEYS.includes(id)) {
      fail(quote(id) + " is not a valid " + what + " id");
    }
  }

  /** The entries of a JSON object field that must map ids to objects. */
  function idMap(obj, field, what, where) {
    if (!has(obj, field)) return [];
    const map = obj[field];
    if (!isPlain(map)) fail((where ? where + ": " : "") + quote(field) + " is not an object");
    return Object.keys(map).map((id) => {
      checkId(id, what);
      const at = (where ? where + ", " : "") + what + " " + quote(id);
      if (!isPlain(map[id])) fail(at + " is not an object");
      return [id, map[id], at];
    });
  }

  /**
   * A clean copy of parsed progress data, built from scratch with only known fields of the
   * right types; throws a ProgressError that says, in words, what is wrong.
   */
  function validate(raw) {
    if (!isPlain(raw)) fail("it is not a Fieldbook progress file (not a JSON object)");
    if (!has(raw, FORMAT_KEY)) fail("it is not a Fieldbook progress file (no " + quote(FORMAT_KEY) + " field)");
    const version = raw[FORMAT_KEY];
    if (version !== FORMAT) {
      if (Number.isInteger(version) && version > FORMAT) {
        fail("it was written in a newer format (" + version + ") than this site reads (" + FORMAT + ")");
      }
      fail("its format version " + quote(version) + " is not known");
    }
    checkKeys(raw, [FORMAT_KEY, "site", "exported", "courses"], "the file");
    if (has(raw, "site") && (typeof raw.site !== "string" || raw.site.length > 500)) {
      fail("“site” is not a short text");
    }
    if (has(raw, "exported") && !isDate(raw.exported)) fail("“exported” is not a date (YYYY-MM-DD)");
    if (!has(raw, "courses")) fail("it has no “courses”");
    const out = { site: typeof raw.site === "string" ? raw.site : "", courses: dict() };
    for (const [slug, c, where] of idMap(raw, "courses", "course", "")) {
      checkKeys(c, ["lessons", "quizzes"], where);
      const course = { lessons: dict(), quizzes: dict() };
      for (const [id, l, at] of idMap(c, "lessons", "lesson", where)) {
        checkKeys(l, ["done"], at);
        if (!isDate(l.done)) fail(at + ": “done” is not a date (YYYY-MM-DD)");
        course.lessons[id] = { done: l.done };
      }
      for (const [id, q, at] of idMap(c, "quizzes", "question", where)) {
        checkKeys(q, ["version", "correct", "answer", "revealed"], at);
        if (typeof q.version !== "string" || q.version.length > MAX_ID || /[\u0000-\u001f\s:]/.test(q.version)) {
          fail(at + ": “version” is not a question version");
        }
        if (typeof q.correct !== "boolean") fail(at + ": “correct” is not true or false");
        if (has(q, "revealed") && typeof q.revealed !== "boolean") fail(at + ": “revealed” is not true or false");
        const answer = q.answer;
        if (!Array.isArray(answer) || answer.length > MAX_CHOICES ||
            !answer.every((i) => Number.isInteger(i) && i >= 0 && i < MAX_CHOICES) ||
            new Set(answer).size !== answer.length) {
          fail(at + ": “answer” is not a list of choice numbers");
        }
        const entry = { version: q.version, correct: q.correct, answer: answer.slice().sort((a, b) => a - b) };
        if (q.revealed === true) entry.revealed = true;
        course.quizzes[id] = entry;
      }
      out.courses[slug] = course;
    }
    return out;
  }

  const empty = () => ({ site: "", courses: dict() });

  /** The course's entry in `data`, created when `create`. */
  function courseOf(data, slug, create) {
    if (!data.courses[slug] && create) data.courses[slug] = { lessons: dict(), quizzes: dict() };
    return data.courses[slug] || null;
  }

  /**
   * Merge `from` into `into`. Lessons: done in either is done, with the earlier date.
   * Questions: one missing here is taken; of two answers to the same version a right one wins;
   * of two versions the one matching `current` (qid -> version by course, when known) wins.
   * Returns what changed: {lessons, quizzes}.
   */
  function merge(into, from, current) {
    const changed = { lessons: 0, quizzes: 0 };
    for (const slug of Object.keys(from.courses)) {
      const src = from.courses[slug];
      const dst = courseOf(into, slug, true);
      for (const id of Object.keys(src.lessons)) {
        const mine = dst.lessons[id];
        if (!mine) {
          dst.lessons[id] = { done: src.lessons[id].done };
          changed.lessons++;
        } else if (src.lessons[id].done < mine.done) {
          mine.done = src.lessons[id].done;
        }
      }
      const versions = (current && current[slug]) || dict();
      for (const id of Object.keys(src.quizzes)) {
        const theirs = src.quizzes[id];
        const mine = dst.quizzes[id];
        const now = versions[id];
        const take = !mine ||
          (mine.version === theirs.version ? theirs.correct && !mine.correct
            : now !== undefined && theirs.version === now);
        if (take) {
          dst.quizzes[id] = JSON.parse(JSON.stringify(theirs));
          changed.quizzes++;
        }
      }
    }
    return changed;
  }

  function counts(data) {
    let lessons = 0;
    let quizzes = 0;
    for (const slug of Object.keys(data.courses)) {
      lessons += Object.keys(data.courses[slug].lessons).length;
      quizzes += Object.keys(data.courses[slug].quizzes).length;
    }
    return { lessons, quizzes, courses: Object.keys(data.courses).length };
  }

  // ------------------------------------------------------------------ storage

  /** The site's base path (the directory of `data-site-root` from this page). */
  function siteBase() {
    const root = document.body.getAttribute("data-site-root") || "";
    try {
      return new URL(root || "./", location.href).pathname;
    } catch (e) {
      return "/";
    }
  }

  const KEY = "fieldbook-progress:" + siteBase();
  const notices = [];                    // shown in every progress area of the page
  const areas = [];                      // those areas' notice lists
  let store = null;
  try {
    store = window.localStorage;
    store.getItem(KEY);
  } catch (e) {
    store = null;
  }
  if (!store) notices.push(NOTICE_BLOCKED);

  function siteTitle() {
    const t = document.querySelector(".site-title");
    return t ? t.textContent.trim().slice(0, 500) : "";
  }

  /** What storage holds now: the data, null when there is nothing, or an Error. */
  function readStored() {
    if (!store) return null;
    let text;
    try {
      text = store.getItem(KEY);
    } catch (e) {
      return null;
    }
    if (text === null) return null;
    try {
      return validate(JSON.parse(text));
    } catch (e) {
      const err = new Error("unreadable");
      err.text = text;
      return err;
    }
  }

  function load() {
    const got = readStored();
    if (got instanceof Error) {
      try {
        store.setItem(KEY + ":unreadable", got.text);
      } catch (e) { /* the notice still says it was not read */ }
      notices.push(noticeUnreadable(KEY));
      return empty();
    }
    return got || empty();
  }

  let data = load();

  function serialize(d) {
    const out = {};
    out[FORMAT_KEY] = FORMAT;
    out.site = siteTitle();
    out.exported = today();
    out.courses = d.courses;
    return out;
  }

  /**
   * Apply `change` to the latest progress (another tab may have saved since this page
   * loaded) and save it. Returns false, after showing a notice, when it could not be saved.
   */
  function update(change) {
    const latest = readStored();
    if (latest instanceof Error) {
      // Keep ours: it replaces what could not be read (a copy of that was set aside).
    } else if (latest) {
      data = latest;
    } else if (store) {
      data = empty();                    // erased meanwhile (a reset in another tab)
    }
    change(data);
    if (!store) return false;
    try {
      store.setItem(KEY, JSON.stringify(serialize(data)));
      return true;
    } catch (e) {
      notice(NOTICE_FULL);
      return false;
    }
  }

  /** Show `message` in every progress area (once). */
  function notice(message) {
    if (notices.includes(message)) return;
    notices.push(message);
    for (const list of areas) addNotice(list, message);
  }

  function addNotice(list, message) {
    list.appendChild(el("p", { class: "learning-notice", role: "note" }, message));
  }

  /** A progress area: un-hides `box` and gives it the page's notices. */
  function area(box) {
    box.hidden = false;
    box.classList.add("learning-area");
    const list = el("div", { class: "learning-notices" });
    box.appendChild(list);
    for (const m of notices) addNotice(list, m);
    areas.push(list);
    return box;
  }

  function statusLine(cls) {
    return el("p", { class: "learning-status" + (cls ? " " + cls : ""), role: "status", "aria-live": "polite" });
  }

  const pending = new WeakMap();         // region -> the latest message's number
  /**
   * Set a live region's content a moment after clearing it, so that the same message is
   * announced again; `fill(region)` writes it (default: `message` as text). A later call wins.
   */
  function say(region, message, fill) {
    const n = (pending.get(region) || 0) + 1;
    pending.set(region, n);
    region.textContent = "";
    window.setTimeout(() => {
      if (pending.get(region) !== n) return;
      if (fill) fill(region);
      else region.textContent = message;
    }, 50);
  }

  // ------------------------------------------------------------------ progress figures

  const refreshers = [];
  function refresh() {
    for (const f of refreshers) f();
  }

  function lessonDone(slug, id) {
    const c = courseOf(data, slug, false);
    return c && c.lessons[id] ? c.lessons[id].done : null;
  }

  /** The stored answer of a question, if it is for `version`. */
  function quizEntry(slug, id, version) {
    const c = courseOf(data, slug, false);
    const q = c && c.quizzes[id];
    return q && q.version === version ? q : null;
  }

  function courseStats(slug, lessons, quizzes) {
    const done = lessons.filter((id) => lessonDone(slug, id)).length;
    let right = 0;
    let answered = 0;
    for (const [id, version] of quizzes) {
      const q = quizEntry(slug, id, version);
      if (q) {
        answered++;
        if (q.correct) right++;
      }
    }
    return {
      done, total: lessons.length, right, answered, quizzes: quizzes.length,
      finished: lessons.length > 0 && done === lessons.length,
    };
  }

  function statsText(s) {
    let text = s.finished ? "Finished: all " + plural(s.total, "lesson") + " done."
      : s.done + " of " + plural(s.total, "lesson") + " done.";
    if (s.answered) text += " " + s.right + " of " + plural(s.quizzes, "quiz question") + " answered right.";
    return text;
  }

  let ids = 0;
  /** A text line and a <progress> bar named by it; returns {box, set(text, value, max)}. */
  function meter(cls) {
    const id = "learning-meter-" + ++ids;
    const box = el("div", { class: "learning-meter " + cls });
    const text = el("p", { id: id, class: "learning-meter-text" });
    const bar = el("progress", { "aria-labelledby": id });
    box.append(text, bar);
    return {
      box,
      set(t, value, max) {
        text.textContent = t;
        bar.max = Math.max(max, 1);
        bar.value = value;
      },
    };
  }

  /** A mark in a list item (after its heading, if it has one, else at its end): visible
   *  words, never colour alone. */
  function markAfter(li, cls) {
    let mark = li.querySelector(":scope > .learning-mark");
    if (!mark) {
      mark = el("span", { class: "learning-mark" });
      const heading = li.querySelector(":scope > h2, :scope > h3");
      if (heading) li.insertBefore(mark, heading.nextSibling);
      else li.appendChild(mark);
    }
    mark.className = "learning-mark " + cls;
    return mark;
  }

  function markLesson(li, slug) {
    const done = lessonDone(slug, li.getAttribute("data-lesson"));
    const mark = markAfter(li, done ? "is-done" : "is-todo");
    mark.textContent = done ? "Done" : "Not done yet";
    li.classList.toggle("lesson-done", !!done);
  }

  /**
   * Where a course's main link goes, from its lesson items (`li[data-lesson]` with a link, in
   * order): lesson 1 before any is done, then the first lesson not done, then a review.
   */
  function nextStep(slug, items) {
    const links = items.map((li) => li.querySelector("a[href]"));
    if (!links.length || links.some((a) => !a)) return null;
    const title = (a) => a.textContent.trim();
    const done = items.filter((li) => lessonDone(slug, li.getAttribute("data-lesson"))).length;
    const first = links[0].getAttribute("href");
    if (done === 0) return { text: "Start with lesson 1: " + title(links[0]), href: first };
    const i = items.findIndex((li) => !lessonDone(slug, li.getAttribute("data-lesson")));
    if (i < 0) return { text: "Review the course", href: first };
    return { text: "Continue with lesson " + (i + 1) + ": " + title(links[i]), href: links[i].getAttribute("href") };
  }

  function setStep(a, step) {
    if (!a || !step) return;
    a.textContent = step.text;
    a.setAttribute("href", step.href);
  }

  // ------------------------------------------------------------------ where you left off

  // The lessons last opened, most recent first, under a key of their own (not part of the
  // exported progress): [{course, lesson}].
  const VISITS_KEY = KEY + ":visits";
  const MAX_VISITS = 20;

  function validId(id) {
    try {
      checkId(id, "");
      return true;
    } catch (e) {
      return false;
    }
  }

  function readVisits() {
    if (!store) return [];
    try {
      const raw = JSON.parse(store.getItem(VISITS_KEY) || "[]");
      if (!Array.isArray(raw)) return [];
      return raw
        .filter((v) => isPlain(v) && typeof v.course === "string" && typeof v.lesson === "string" &&
          validId(v.course) && validId(v.lesson))
        .slice(0, MAX_VISITS)
        .map((v) => ({ course: v.course, lesson: v.lesson }));
    } catch (e) {
      return [];
    }
  }

  function visited(course, lesson) {
    if (!store) return;
    const list = [{ course, lesson }]
      .concat(readVisits().filter((v) => v.course !== course || v.lesson !== lesson))
      .slice(0, MAX_VISITS);
    try {
      store.setItem(VISITS_KEY, JSON.stringify(list));
    } catch (e) { /* only the "where you left off" entry is lost */ }
  }

  // ------------------------------------------------------------------ quizzes

  let quizCount = 0;
  const quizzes = [];

  function enhanceQuiz(section, slug) {
    const question = section.querySelector(".quiz-question");
    const list = section.querySelector(".quiz-choices");
    const items = list ? Array.from(list.children).filter((c) => c.tagName === "LI") : [];
    if (!question || items.length === 0 || items.length > MAX_CHOICES) return;
    const n = ++quizCount;
    const base = "fb-quiz-" + n;            // ids unlike any heading anchor
    const correct = items.map((li) => li.getAttribute("data-correct") === "true");
    const multiple = section.getAttribute("data-multiple") === "true" || correct.filter(Boolean).length > 1;
    section.classList.add("quiz-live");
    if (!question.id) question.id = base + "-question";

    const hint = el("p", { class: "quiz-hint", id: base + "-hint" },
      multiple ? "Choose every answer that applies." : "Choose one answer.");
    const fieldset = el("fieldset", { class: "quiz-fieldset", "aria-labelledby": question.id, "aria-describedby": hint.id });
    list.parentNode.insertBefore(fieldset, list);
    fieldset.append(hint, list);
    const marks = [];
    const inputs = items.map((li, i) => {
      const input = el("input", { type: multiple ? "checkbox" : "radio", name: base, value: String(i), id: base + "-" + i });
      const text = el("span", { class: "quiz-choice-text" });
      while (li.firstChild) text.appendChild(li.firstChild);
      const label = el("label", { class: "quiz-choice", for: input.id });
      label.append(input, text);
      const mark = el("span", { class: "quiz-mark" });
      li.append(label, mark);
      marks.push(mark);
      return input;
    });

    const check = button("Check answer", "quiz-check");
    const retry = button("Try again", "quiz-retry");
    const reveal = button("Show answer", "quiz-reveal");
    const actions = el("div", { class: "quiz-actions" });
    actions.append(check, retry, reveal);
    const feedback = el("p", { class: "quiz-feedback", role: "status", "aria-live": "polite" });
    fieldset.parentNode.insertBefore(actions, fieldset.nextSibling);
    actions.parentNode.insertBefore(feedback, actions.nextSibling);
    const answer = section.querySelector(".quiz-answer");
    if (answer) {
      const summary = answer.querySelector("summary");
      if (summary) summary.textContent = "Answer and explanation";
    }
    const explainNode = section.querySelector(".quiz-explain");

    const q = {
      section, slug, id: section.getAttribute("data-quiz-id") || "",
      version: section.getAttribute("data-quiz-version") || "",
      state: "open", inputs,
    };
    quizzes.push(q);
    const persist = !!slug && q.id !== "";

    const chosen = () => inputs.filter((i) => i.checked).map((i) => Number(i.value));
    const isRight = (ans) => correct.every((c, i) => c === ans.includes(i));

    /** The explanation as plain text, for the spoken feedback (shown as HTML in the answer). */
    function explanation() {
      if (explainNode) return explainNode.textContent.trim();
      if (!answer) return "";
      // Older markup: everything in the answer after "Correct: ...".
      return Array.from(answer.children)
        .filter((c) => c.tagName !== "SUMMARY" && !c.classList.contains("quiz-correct") &&
          !(c.tagName === "UL" && c.previousElementSibling && c.previousElementSibling.classList.contains("quiz-correct")))
        .map((c) => c.textContent.trim()).join(" ");
    }

    function choiceText(i) {
      return items[i].querySelector(".quiz-choice-text").textContent.trim();
    }

    /** Show the quiz in `state` ("open", "right", "wrong", "revealed") for `ans`. */
    function show(state, ans, announce) {
      q.state = state;
      section.setAttribute("data-state", state);
      marks.forEach((m, i) => {
        let text = "";
        let cls = "";
        const picked = ans.includes(i);
        if (state === "right" && picked) [text, cls] = ["✓ Correct", "is-right"];
        else if (state === "wrong" && picked) [text, cls] = correct[i] && multiple ? ["✓ Correct", "is-right"] : ["✗ Not correct", "is-wrong"];
        else if (state === "revealed" && correct[i]) [text, cls] = ["✓ Correct answer", "is-right"];
        else if (state === "revealed" && picked) [text, cls] = ["✗ Not correct", "is-wrong"];
        m.textContent = text;
        m.className = "quiz-mark" + (cls ? " " + cls : "");
        items[i].setAttribute("data-mark", cls);
      });
      check.hidden = state !== "open";
      retry.hidden = state === "open";
      reveal.hidden = state === "right" || state === "revealed";
      if (answer) {
        answer.hidden = state !== "right" && state !== "revealed";
        answer.open = !answer.hidden;
      }
      feedback.className = "quiz-feedback" + (state === "open" ? "" : " is-" + state);
      let message = "";
      if (state === "right") {
        message = "Correct!";
      } else if (state === "wrong") {
        const wrongPicks = ans.filter((i) => !correct[i]).length;
        const missed = correct.filter((c, i) => c && !ans.includes(i)).length;
        if (!multiple) {
          message = "Not quite: “" + choiceText(ans[0]) + "” is not the answer. Try again, or show the answer.";
        } else {
          const parts = [];
          if (wrongPicks) parts.push(plural(wrongPicks, "of your choices is", "of your choices are") + " not correct");
          if (missed) parts.push(plural(missed, "correct answer is", "correct answers are") + " missing");
          message = "Not quite: " + parts.join(", and ") + ". Try again, or show the answer.";
        }
      } else if (state === "revealed") {
        message = "The answer is shown: the correct " + (multiple ? "choices are" : "choice is") + " marked “Correct answer”.";
      }
      const extra = state === "right" || state === "revealed" ? explanation() : "";
      const fill = () => {
        feedback.textContent = "";
        if (!message) return;
        feedback.appendChild(el("strong", null, message));
        // The explanation is on screen in the answer below; here it is only spoken.
        if (extra) feedback.appendChild(el("span", { class: "visually-hidden" }, " " + extra));
      };
      if (announce) say(feedback, message, fill);
      else {
        pending.set(feedback, (pending.get(feedback) || 0) + 1);   // cancels an announcement
        fill();
      }
    }

    function save(entry) {
      if (!persist) return;
      update((d) => { courseOf(d, slug, true).quizzes[q.id] = entry; });
      refresh();
    }

    check.addEventListener("click", () => {
      const ans = chosen();
      if (ans.length === 0) {
        feedback.className = "quiz-feedback is-empty";
        say(feedback, multiple ? "Choose at least one answer first." : "Choose an answer first.");
        return;
      }
      const right = isRight(ans);
      show(right ? "right" : "wrong", ans, true);
      retry.focus();
      save({ version: q.version, correct: right, answer: ans });
    });
    reveal.addEventListener("click", () => {
      const ans = q.state === "wrong" ? chosen() : [];
      if (q.state === "open") inputs.forEach((i) => { i.checked = false; });
      show("revealed", ans, true);
      retry.focus();
      save({ version: q.version, correct: false, answer: ans, revealed: true });
    });
    q.reset = () => {
      inputs.forEach((i) => { i.checked = false; });
      show("open", [], false);
    };
    // Choosing again after a check starts a new attempt (the inputs are never disabled: they
    // stay focusable, and their text keeps full contrast).
    for (const input of inputs) {
      input.addEventListener("change", () => {
        if (q.state === "open") return;
        show("open", [], false);
        refresh();
      });
    }
    retry.addEventListener("click", () => {
      q.reset();
      inputs[0].focus();
      refresh();
    });

    show("open", [], false);
    if (!persist) return;
    const c = courseOf(data, slug, false);
    const stored = c && c.quizzes[q.id];
    if (stored && stored.version !== q.version) {
      // Only this question changed: its old answer no longer applies.
      update((d) => { delete courseOf(d, slug, true).quizzes[q.id]; });
      const note = el("p", { class: "quiz-note" },
        "This question has changed since you last answered it, so your earlier answer was cleared.");
      section.insertBefore(note, fieldset);
    } else if (stored && stored.answer.every((i) => i < items.length)) {
      stored.answer.forEach((i) => { inputs[i].checked = true; });
      if (stored.revealed) show("revealed", stored.answer, false);
      else if (stored.answer.length) show(isRight(stored.answer) ? "right" : "wrong", stored.answer, false);
    }
  }

  // ------------------------------------------------------------------ lesson page

  function lessonActions(box, slug, lesson) {
    area(box);
    const toggle = button("Mark as done", "lesson-done-toggle");
    const state = el("span", { class: "lesson-done-state" });
    const retryMissed = button("", "lesson-retry-missed");
    const row = el("div", { class: "lesson-actions-row" });
    row.append(toggle, state, retryMissed);
    const status = statusLine();
    box.insertBefore(row, box.firstChild);
    box.insertBefore(status, row.nextSibling);

    function render() {
      const done = lessonDone(slug, lesson);
      toggle.setAttribute("aria-pressed", done ? "true" : "false");
      state.textContent = done ? "Done on " + done + "." : "Not done yet.";
      const missed = quizzes.filter((q) => q.state === "wrong" || q.state === "revealed");
      retryMissed.hidden = missed.length === 0;
      retryMissed.textContent = "Retry " + plural(missed.length, "missed question");
    }
    toggle.addEventListener("click", () => {
      const wasDone = !!lessonDone(slug, lesson);
      const saved = update((d) => {
        const c = courseOf(d, slug, true);
        if (wasDone) delete c.lessons[lesson];
        else c.lessons[lesson] = { done: today() };
      });
      refresh();
      say(status, (wasDone ? "Lesson marked as not done." : "Lesson marked as done.") +
        (saved ? "" : " (Not saved: see the note below.)"));
    });
    retryMissed.addEventListener("click", () => {
      const missed = quizzes.filter((q) => q.state === "wrong" || q.state === "revealed");
      if (missed.length === 0) return;
      missed.forEach((q) => q.reset());
      missed[0].section.scrollIntoView({ block: "start" });
      missed[0].inputs[0].focus();
      refresh();
      say(status, plural(missed.length, "question is", "questions are") + " ready to try again.");
    });
    refreshers.push(render);
    render();
  }

  // ------------------------------------------------------------------ course page

  function coursePage(article, slug) {
    const lessonItems = Array.from(article.querySelectorAll(".lesson-list li[data-lesson]"));
    const lessons = lessonItems.map((li) => li.getAttribute("data-lesson"));
    const quizzesOf = (li) => quizPairs(li.getAttribute("data-quizzes"));
    const allQuizzes = [].concat(...lessonItems.map(quizzesOf));
    const box = article.querySelector("[data-course-progress]");
    let m = null;
    let next = null;
    if (box) {
      area(box);
      m = meter("course-meter");
      next = el("p", { class: "course-next" });
      box.insertBefore(m.box, box.firstChild);
      box.insertBefore(next, m.box.nextSibling);
    }
    const prereqs = Array.from(article.querySelectorAll("li[data-prerequisite]"));

    function render() {
      for (const li of lessonItems) {
        markLesson(li, slug);
        const pairs = quizzesOf(li);
        const s = courseStats(slug, [], pairs);
        let quizMark = li.querySelector(":scope > .learning-quiz-mark");
        if (s.answered) {
          if (!quizMark) li.appendChild(quizMark = el("span", { class: "learning-quiz-mark" }));
          quizMark.textContent = s.right + " of " + plural(s.quizzes, "question") + " right";
        } else if (quizMark) {
          quizMark.remove();
        }
      }
      for (const li of prereqs) {
        const s = courseStats(li.getAttribute("data-prerequisite"), words(li.getAttribute("data-lessons")), []);
        const mark = markAfter(li, s.finished ? "is-done" : "is-todo");
        mark.textContent = s.finished ? "Finished" : "Not finished yet";
        li.classList.toggle("prerequisite-met", s.finished);
      }
      if (!m) return;
      const s = courseStats(slug, lessons, allQuizzes);
      m.set(statsText(s), s.done, s.total);
      next.textContent = "";
      const todo = lessonItems.find((li) => !lessonDone(slug, li.getAttribute("data-lesson")));
      const link = todo && todo.querySelector("a[href]");
      if (link && s.done > 0) {
        next.append("Continue with ");
        // A fresh link to the same server-rendered address, named by its text.
        next.appendChild(el("a", { href: link.getAttribute("href") }, link.textContent.trim()));
        next.append(".");
      }
      next.hidden = !next.firstChild;
      // The main button moves on with the learner: where they left off, then a review.
      setStep(article.querySelector(".course-start a.button"), nextStep(slug, lessonItems));
    }
    refreshers.push(render);
    render();
  }

  // ------------------------------------------------------------------ path pages

  function pathPage(box) {
    const items = Array.from(document.querySelectorAll("li.path-course[data-course]"));
    let m = null;
    if (box) {
      area(box);
      m = meter("path-meter");
      box.insertBefore(m.box, box.firstChild);
    }
    function render() {
      let finished = 0;
      let done = 0;
      let total = 0;
      for (const li of items) {
        const slug = li.getAttribute("data-course");
        const s = courseStats(slug, words(li.getAttribute("data-lessons")), []);
        courseMark(li, s);
        const lessonItems = Array.from(li.querySelectorAll(".lesson-list li[data-lesson]"));
        for (const l of lessonItems) markLesson(l, slug);
        setStep(li.querySelector("a.course-start-link"), nextStep(slug, lessonItems));
        if (s.finished) finished++;
        done += s.done;
        total += s.total;
      }
      if (m) {
        m.set(pathText(finished, items.length, done, total), done, total);
      }
    }
    refreshers.push(render);
    render();
  }

  /** "Finished" or "2 of 5 lessons done" after a course in a path. */
  function courseMark(li, s) {
    const mark = markAfter(li, s.finished ? "is-done" : "is-todo");
    mark.textContent = s.finished ? "Finished" : s.done + " of " + plural(s.total, "lesson") + " done";
  }

  function pathText(finished, courses, done, lessons) {
    if (courses > 0 && finished === courses) return "Path finished: all " + plural(courses, "course") + " done.";
    return finished + " of " + plural(courses, "course") + " finished; " + done + " of " + plural(lessons, "lesson") + " done.";
  }

  // ------------------------------------------------------------------ "My learning"

  function learningPage(tools) {
    const courseSections = Array.from(document.querySelectorAll("section.learning-course[data-course]"));
    const pathSections = Array.from(document.querySelectorAll("section.learning-path[data-path]"));
    for (const n of document.querySelectorAll("[data-learning-nojs]")) n.hidden = true;
    const known = dict();                // slug -> {lessons, quizzes} from this page
    for (const s of courseSections) {
      known[s.getAttribute("data-course")] = {
        lessons: words(s.getAttribute("data-lessons")),
        quizzes: quizPairs(s.getAttribute("data-quizzes")),
      };
    }
    const current = dict();              // slug -> qid -> version, for merging
    for (const slug of Object.keys(known)) {
      current[slug] = dict();
      for (const [id, v] of known[slug].quizzes) current[slug][id] = v;
    }
    const statsOf = (slug) => {
      const k = known[slug] || { lessons: [], quizzes: [] };
      return courseStats(slug, k.lessons, k.quizzes);
    };

    const courseMeters = courseSections.map((s) => sectionMeter(s, "course-meter"));
    const resumeBox = document.querySelector("[data-learning-resume]");

    /** "Where you left off": the lesson last opened and not done yet, else the next lesson of
     *  the first course started and not finished; hidden before anything is started. */
    function resume(box) {
      const lessonsOf = (section) => Array.from(section.querySelectorAll("li[data-lesson]"));
      let at = null;
      for (const v of readVisits()) {
        if (at) break;
        if (lessonDone(v.course, v.lesson)) continue;
        for (const section of courseSections) {
          if (section.getAttribute("data-course") !== v.course) continue;
          const items = lessonsOf(section);
          const i = items.findIndex((li) => li.getAttribute("data-lesson") === v.lesson);
          if (i >= 0) at = { section, items, i };
        }
      }
      for (const section of courseSections) {
        if (at) break;
        const slug = section.getAttribute("data-course");
        const s = statsOf(slug);
        if (s.done === 0 || s.finished) continue;
        const items = lessonsOf(section);
        const i = items.findIndex((li) => !lessonDone(slug, li.getAttribute("data-lesson")));
        if (i >= 0) at = { section, items, i };
      }
      for (const old of box.querySelectorAll(":scope > :not(h2)")) old.remove();
      box.hidden = !at;
      if (!at) return;
      const link = at.items[at.i].querySelector("a[href]");
      const course = at.section.querySelector("h3 a");
      if (!link) return;
      box.appendChild(el("p", null, "Lesson " + (at.i + 1) + " of " + at.items.length + " in " +
        (course ? course.textContent.trim() : at.section.getAttribute("data-course")) + "."));
      const p = el("p", { class: "course-start" });
      p.appendChild(el("a", { class: "button", href: link.getAttribute("href") },
        "Continue with lesson " + (at.i + 1) + ": " + link.textContent.trim()));
      box.appendChild(p);
    }
    const pathMeters = pathSections.map((s) => sectionMeter(s, "path-meter"));

    let overall = null;
    let status = null;
    if (tools) {
      area(tools);
      overall = el("p", { class: "learning-overall" });
      status = statusLine();
      const row = el("div", { class: "learning-tools-row" });
      const exportButton = button("Export progress", "learning-export");
      const importId = "learning-import-file";
      const importLabel = el("label", { for: importId, class: "learning-import-label" }, "Import progress from a file");
      const importInput = el("input", { type: "file", id: importId, accept: ".json,application/json" });
      const importBox = el("span", { class: "learning-import" });
      importBox.append(importLabel, importInput);
      const resetButton = button("Reset progress…", "learning-reset");
      row.append(exportButton, importBox, resetButton);
      const confirmBox = el("div", { class: "learning-confirm", role: "group", "aria-labelledby": "learning-confirm-text" });
      confirmBox.hidden = true;
      const confirmText = el("p", { id: "learning-confirm-text" },
        "Erase all your progress on this handbook in this browser? This cannot be undone; export it first to keep a copy.");
      const erase = button("Erase progress", "learning-erase");
      const cancel = button("Cancel", "learning-cancel");
      confirmBox.append(confirmText, erase, cancel);
      tools.insertBefore(overall, tools.firstChild);
      tools.insertBefore(row, overall.nextSibling);
      tools.insertBefore(confirmBox, row.nextSibling);
      tools.insertBefore(status, confirmBox.nextSibling);

      exportButton.addEventListener("click", () => {
        try {
          const c = counts(data);
          const name = exportFile();
          say(status, "Exported " + plural(c.lessons, "finished lesson") + " and " +
            plural(c.quizzes, "quiz answer") + " to “" + name + "”.");
        } catch (e) {
          say(status, "Could not export: this browser refused to save the file.");
        }
      });
      importInput.addEventListener("change", () => {
        const file = importInput.files && importInput.files[0];
        if (!file) return;
        readImport(file, (message, ok) => {
          importInput.value = "";
          status.classList.toggle("is-error", !ok);
          say(status, message);
          refresh();
        });
      });
      resetButton.addEventListener("click", () => {
        confirmBox.hidden = false;
        cancel.focus();
      });
      cancel.addEventListener("click", () => {
        confirmBox.hidden = true;
        resetButton.focus();
      });
      erase.addEventListener("click", () => {
        update((d) => { d.courses = dict(); });
        try {
          if (store) store.removeItem(VISITS_KEY);
        } catch (e) { /* nothing more to erase */ }
        confirmBox.hidden = true;
        resetButton.focus();
        status.classList.remove("is-error");
        refresh();
        say(status, "Your progress was erased.");
      });
    }

    function readImport(file, done) {
      const refuse = (why) => done("Not imported: “" + file.name + "”: " + why + ". Nothing was changed.", false);
      if (file.size > MAX_IMPORT_BYTES) {
        refuse("it is larger than " + MAX_IMPORT_BYTES / 1024 + " KiB, too large for a progress file");
        return;
      }
      const reader = new FileReader();
      reader.onerror = () => refuse("it could not be read");
      reader.onload = () => {
        try {
          done(importText(String(reader.result), file.name), true);
        } catch (e) {
          refuse(e instanceof ProgressError ? e.message : "it could not be imported (" + String(e && e.message) + ")");
        }
      };
      reader.readAsText(file);
    }

    /** Import `text`; returns the report, throws when it is refused. */
    function importText(text, name) {
      if (text.length > MAX_IMPORT_BYTES) fail("the file is too large for a progress file");
      let raw;
      try {
        raw = JSON.parse(text);
      } catch (e) {
        fail("it is not valid JSON");
      }
      const incoming = validate(raw);
      let changed = null;
      const saved = update((d) => { changed = merge(d, incoming, current); });
      const c = counts(incoming);
      const away = Object.keys(incoming.courses).filter((slug) => !known[slug]).length;
      let report = changed.lessons || changed.quizzes
        ? "Imported from “" + name + "”: " + plural(changed.lessons, "finished lesson") + " and " +
          plural(changed.quizzes, "quiz answer") + " (the file has " + plural(c.lessons, "lesson") +
          " and " + plural(c.quizzes, "quiz answer") + " in " + plural(c.courses, "course") + ")."
        : "Nothing new in “" + name + "”: everything in it was already here.";
      if (away) report += " " + plural(away, "course in it is", "courses in it are") + " not on this site; kept anyway.";
      if (incoming.site && incoming.site !== siteTitle()) report += " It was exported from “" + incoming.site + "”.";
      if (!saved) report += " It is not saved in this browser: see the note above.";
      return report;
    }

    function render() {
      courseSections.forEach((section, i) => {
        const slug = section.getAttribute("data-course");
        const s = statsOf(slug);
        courseMeters[i].set(statsText(s), s.done, s.total);
        section.classList.toggle("is-finished", s.finished);
        const lessonItems = Array.from(section.querySelectorAll("li[data-lesson]"));
        for (const li of lessonItems) markLesson(li, slug);
        setStep(section.querySelector("a.course-start-link"), nextStep(slug, lessonItems));
      });
      if (resumeBox) resume(resumeBox);
      pathSections.forEach((section, i) => {
        const slugs = words(section.getAttribute("data-courses"));
        let finished = 0;
        let done = 0;
        let total = 0;
        for (const slug of slugs) {
          const s = statsOf(slug);
          if (s.finished) finished++;
          done += s.done;
          total += s.total;
        }
        for (const li of section.querySelectorAll("li[data-course]")) courseMark(li, statsOf(li.getAttribute("data-course")));
        pathMeters[i].set(pathText(finished, slugs.length, done, total), done, total);
        section.classList.toggle("is-finished", slugs.length > 0 && finished === slugs.length);
      });
      if (overall) {
        let finished = 0;
        let done = 0;
        let total = 0;
        for (const slug of Object.keys(known)) {
          const s = statsOf(slug);
          if (s.finished) finished++;
          done += s.done;
          total += s.total;
        }
        overall.textContent = done === 0
          ? "You have not marked any lesson as done yet in this browser."
          : "In this browser you have done " + done + " of " + plural(total, "lesson") + " and finished " +
            finished + " of " + plural(Object.keys(known).length, "course") + ".";
      }
    }
    refreshers.push(render);
    render();
  }

  /** A meter above the section's list (after its heading and description). */
  function sectionMeter(section, cls) {
    const m = meter(cls);
    const list = section.querySelector(":scope > ol, :scope > ul");
    const heading = section.querySelector(":scope > h2, :scope > h3, :scope > h4");
    if (list) section.insertBefore(m.box, list);
    else if (heading) section.insertBefore(m.box, heading.nextSibling);
    else section.insertBefore(m.box, section.firstChild);
    return m;
  }

  function exportFile() {
    const slug = siteTitle().toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 60) || "fieldbook";
    const name = slug + "-progress-" + today() + ".json";
    const blob = new Blob([JSON.stringify(serialize(data), null, 2) + "\n"], { type: "application/json" });
    const href = URL.createObjectURL(blob);
    const a = el("a", { href: href, download: name });
    a.hidden = true;
    document.body.appendChild(a);
    a.click();
    a.remove();
    window.setTimeout(() => URL.revokeObjectURL(href), 10000);
    return name;
  }

  // ------------------------------------------------------------------ start

  function init() {
    const article = document.querySelector("article[data-course]");
    const slug = article ? article.getAttribute("data-course") : "";
    const lesson = article && article.getAttribute("data-lesson");
    // Quizzes on lesson pages are kept; elsewhere (a runbook's self-check) they work unsaved.
    for (const section of document.querySelectorAll("section.quiz")) {
      const lessonArticle = section.closest("article[data-course][data-lesson]");
      try {
        enhanceQuiz(section, lessonArticle ? lessonArticle.getAttribute("data-course") : "");
      } catch (e) {
        // One odd quiz must not stop the others; it stays readable as rendered.
      }
    }
    const actions = document.querySelector("[data-lesson-actions]");
    if (article && lesson && actions) lessonActions(actions, slug, lesson);
    if (article && lesson) {
      visited(slug, lesson);
      const outline = Array.from(article.querySelectorAll(".lesson-outline li[data-lesson]"));
      const render = () => { for (const li of outline) markLesson(li, slug); };
      refreshers.push(render);
      render();
    }
    if (article && !lesson && article.classList.contains("doc-course")) coursePage(article, slug);
    const pathBox = document.querySelector("[data-path-progress]");
    if (pathBox || document.querySelector("li.path-course[data-course]")) pathPage(pathBox);
    const tools = document.querySelector("[data-learning-tools]");
    if (tools || document.querySelector("section.learning-course")) learningPage(tools);

    // Another tab saved: show its progress too.
    window.addEventListener("storage", (e) => {
      if (e.key !== KEY && e.key !== VISITS_KEY) return;
      const latest = readStored();
      if (latest instanceof Error) return;
      data = latest || empty();
      refresh();
    });

    // The storage key, for tests (and a sign that the script has run).
    window.fieldbookLearning = { key: KEY };
  }

  window.fieldbookLearning = {};
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
