// Browser tests of courses (static/learning.js, docs/courses-progress.md) in headless Chromium:
// quizzes (wrong then right, multiple choice, retry, reveal, keyboard only), lesson done marks
// and progress on lesson, course, path and "My learning" pages kept across reloads and across
// rebuilds after a lesson's text changed, one changed question reset alone, export and import
// (and hostile imports refused), blocked, full and corrupt storage, file://, axe-core.
//
// Builds its own copy of the demo handbook (FIELDBOOK_BIN, as serve.test.mjs) with one more
// course that has On-call 101 as prerequisite and a learning path of both, so that it can edit
// a lesson and rebuild. FIELDBOOK_COURSES_THEMES may name another themes/ folder to build with
// (to check that the tests fail against a deliberately broken learning.js).

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync, mkdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { serve } from "./server.mjs";
import { REPO, SCREENSHOTS, formatViolations, launch, runAxe, watch } from "./lib.mjs";

const BIN = process.env.FIELDBOOK_BIN || path.join(REPO, "target/debug/fieldbook");

const COURSE = "oncall-101";
const LESSON_1 = "01-slos-and-error-budgets";
const LESSON_2 = "02-alerts-and-paging";
const LESSON_FILE = `content/courses/${COURSE}/${LESSON_1}.md`;
const NEXT = "courses-js-followup";             // the course added here, after On-call 101
const PATH_ID = "courses-js-path";
const P = {
  course: `courses/${COURSE}/`,
  lesson: `courses/${COURSE}/${LESSON_1}/`,
  lesson2: `courses/${COURSE}/${LESSON_2}/`,
  next: `courses/${NEXT}/`,
  nextLesson: `courses/${NEXT}/01-after-on-call/`,
  learning: "learning/",
  path: `paths/${PATH_ID}/`,
};
// The lesson's quizzes, in page order (content/courses/oncall-101/01-slos-and-error-budgets.md).
const Q_BUDGET = 0; // single choice; "50,000" is right
const Q_SLI = 1; // multiple choice; the first two are right
const Q_BURN = 2; // single choice; the second is right
const BUDGET_EXPLAIN = "The budget is 0.5% of all requests";

let work;
let src;
let out;
let server;
let browser;
let original;
mkdirSync(SCREENSHOTS, { recursive: true });
const url = (p) => server.base + p;

function build() {
  execFileSync(BIN, ["build", src, "--output", out, "--color", "never"], { stdio: "pipe" });
}

before(async () => {
  if (!existsSync(BIN)) throw new Error(`no fieldbook binary at ${BIN}: set FIELDBOOK_BIN`);
  work = mkdtempSync(path.join(os.tmpdir(), "fieldbook-courses-"));
  src = path.join(work, "site");
  out = path.join(work, "public");
  for (const name of ["content", "owners.yaml", "book.toml"]) {
    cpSync(path.join(REPO, name), path.join(src, name), { recursive: true });
  }
  const themes = process.env.FIELDBOOK_COURSES_THEMES || path.join(REPO, "themes");
  cpSync(themes, path.join(src, "themes"), { recursive: true });
  const next = path.join(src, "content/courses", NEXT);
  mkdirSync(next, { recursive: true });
  writeFileSync(
    path.join(next, "index.md"),
    `---\ntitle: After on-call\nowners: [team-sre]\nreviewed: 2026-10-15\nprerequisites: [${COURSE}]\n---\n\nWhat comes after your first shadow week.\n`,
  );
  writeFileSync(
    path.join(next, "01-after-on-call.md"),
    "---\ntitle: After on-call\nminutes: 5\n---\n\nHand over, rest, write down what surprised you.\n",
  );
  appendFileSync(
    path.join(src, "book.toml"),
    `\n[[paths]]\nid = "${PATH_ID}"\ntitle = "Test path"\ndescription = "On-call 101, then what comes after."\ncourses = ["${COURSE}", "${NEXT}"]\n`,
  );
  original = readFileSync(path.join(src, LESSON_FILE), "utf8");
  build();
  server = await serve(out);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Rebuild with the lesson's file replaced by `text` (the original when omitted). */
function rebuildLesson(text = original) {
  writeFileSync(path.join(src, LESSON_FILE), text);
  build();
}

/**
 * A fresh browser context (its own localStorage) and page, watched for console errors,
 * uncaught exceptions and failed requests; `done()` closes it and fails on any of them.
 */
async function open(options = {}) {
  const context = await browser.newContext({ acceptDownloads: true, ...options });
  const page = await context.newPage();
  const trouble = watch(page);
  const dialogs = [];
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    d.dismiss();
  });
  return {
    context,
    page,
    trouble,
    async done() {
      await context.close();
      assert.deepEqual(trouble.problems, [], "no console errors, exceptions or failed requests");
      assert.deepEqual(dialogs, [], "no dialogs");
    },
  };
}

async function go(page, p) {
  const res = await page.goto(url(p));
  assert.equal(res.status(), 200, `GET ${url(p)}`);
  // learning.js is deferred: wait until it has run.
  await page.waitForFunction(() => window.fieldbookLearning && window.fieldbookLearning.key);
}

async function reload(page) {
  await page.reload();
  await page.waitForFunction(() => window.fieldbookLearning && window.fieldbookLearning.key);
}

const quiz = (page, i) => page.locator("section.quiz").nth(i);
const choice = (q, text) => q.getByLabel(text, { exact: true });

async function feedback(q) {
  const f = q.locator(".quiz-feedback");
  await f.waitFor({ state: "visible" });
  return (await f.innerText()).trim();
}

/** Answer a quiz by clicking the choices labelled `texts`, then Check answer. */
async function answer(q, texts) {
  for (const t of texts) await choice(q, t).check();
  await q.getByRole("button", { name: "Check answer" }).click();
}

async function toggleDone(page) {
  // A click that lands before the page's script has wired the button changes nothing: wait
  // for the state to turn, and click again only if it never did.
  const toggle = page.getByRole("button", { name: "Mark as done" });
  const before = await toggle.getAttribute("aria-pressed");
  const deadline = Date.now() + 5000;
  await toggle.click();
  let clicked = Date.now();
  while ((await toggle.getAttribute("aria-pressed")) === before) {
    if (Date.now() > deadline) throw new Error("Mark as done never changed its state");
    if (Date.now() - clicked > 1000) {
      await toggle.click();
      clicked = Date.now();
    }
    await page.waitForTimeout(25);
  }
}

/** Wait until `loc`'s text matches `re` (status messages appear after a moment); return it. */
async function expectText(loc, re) {
  const deadline = Date.now() + 5000;
  let text = "";
  while (Date.now() < deadline) {
    text = (await loc.innerText()).trim();
    if (re.test(text)) return text;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.match(text, re);
  return text;
}

/** Whether the quiz's answer area shows `text` (the explanation). */
const explained = (q, text) => q.locator(".quiz-answer").getByText(text, { exact: false }).isVisible();

/** The names of the quiz's buttons that are shown. */
async function buttons(q) {
  const shown = [];
  for (const b of await q.locator(".quiz-actions button").all()) {
    if (await b.isVisible()) shown.push((await b.innerText()).trim());
  }
  return shown;
}

const lessonMark = (page, id) => page.locator(`li[data-lesson="${id}"] .learning-mark`).first();
const stored = (page) => page.evaluate(() => JSON.parse(localStorage.getItem(window.fieldbookLearning.key)));

// ------------------------------------------------------------------------------ quizzes

test("a quiz answered wrongly, then rightly: feedback in words, then the explanation", async () => {
  const { page, done } = await open();
  try {
    await go(page, P.lesson);
    const q = quiz(page, Q_BUDGET);
    // Without a choice nothing is checked.
    await q.getByRole("button", { name: "Check answer" }).click();
    assert.match(await feedback(q), /Choose an answer first/);
    // The answer and explanation stay hidden until answered right or revealed.
    assert.ok(!(await explained(q, BUDGET_EXPLAIN)), "explanation hidden before answering");
    assert.equal(await q.getByRole("radio").count(), 4, "a labelled radio per choice");
    assert.deepEqual(await buttons(q), ["Check answer", "Show answer"]);

    await answer(q, ["5,000"]);
    assert.match(await feedback(q), /Not quite: “5,000” is not the answer/);
    assert.match(await q.locator("li", { hasText: "5,000" }).first().innerText(), /✗ Not correct/);
    assert.ok(!(await explained(q, BUDGET_EXPLAIN)), "a wrong answer does not give the explanation away");
    assert.deepEqual(await buttons(q), ["Try again", "Show answer"]);
    const retry = q.getByRole("button", { name: "Try again" });
    assert.ok(await retry.evaluate((b) => b === document.activeElement), "focus moves to Try again");
    assert.ok(await q.getByRole("status").first().evaluate((s) => s.getAttribute("aria-live") === "polite"));

    await retry.click();
    assert.ok(await q.getByRole("radio").first().evaluate((r) => r === document.activeElement && !r.checked));
    assert.equal(await q.locator(".quiz-mark:not(:empty)").count(), 0, "marks cleared");
    await answer(q, ["50,000"]);
    assert.match(await feedback(q), /^Correct!/);
    assert.ok(await explained(q, BUDGET_EXPLAIN), "the explanation is shown");
    // Screen readers hear the explanation with the verdict.
    assert.match(await q.locator(".quiz-feedback").textContent(), new RegExp(BUDGET_EXPLAIN.replace(/[.%]/g, "\\$&")));
    assert.match(await q.locator("li", { hasText: "50,000" }).first().innerText(), /✓ Correct/);
    assert.deepEqual(await buttons(q), ["Try again"]);

    const saved = await stored(page);
    const qid = await q.getAttribute("data-quiz-id");
    assert.deepEqual(saved.courses[COURSE].quizzes[qid], {
      version: await q.getAttribute("data-quiz-version"),
      correct: true,
      answer: [1],
    });
  } finally {
    await done();
  }
});

test("multiple choice, reveal, and retry of missed questions", async () => {
  const { page, done } = await open();
  try {
    await go(page, P.lesson);
    const q = quiz(page, Q_SLI);
    assert.equal(await q.getByRole("checkbox").count(), 4, "checkboxes for a multiple-choice question");
    assert.match(await q.locator(".quiz-hint").innerText(), /every answer that applies/);
    const [right1, right2, wrong] = [
      "Share of tracking page requests answered in under 800 ms",
      "Share of parcel scans visible on the tracking page within 5 minutes",
      "Average CPU usage of the tracking-api pods",
    ];
    await answer(q, [right1, wrong]);
    assert.match(await feedback(q), /Not quite: 1 of your choices is not correct, and 1 correct answer is missing/);
    // Changing the choice after a check starts a new attempt.
    await choice(q, wrong).uncheck();
    assert.deepEqual(await buttons(q), ["Check answer", "Show answer"]);
    assert.equal(await q.locator(".quiz-feedback").innerText(), "");
    assert.equal(await q.locator(".quiz-mark:not(:empty)").count(), 0, "marks cleared");
    assert.ok(await choice(q, right1).isChecked(), "the other choice is kept");
    await answer(q, [right2]);
    assert.match(await feedback(q), /^Correct!/);

    // Reveal a question without answering it.
    const burn = quiz(page, Q_BURN);
    await burn.getByRole("button", { name: "Show answer" }).click();
    assert.match(await feedback(burn), /The answer is shown/);
    assert.deepEqual(await buttons(burn), ["Try again"]);
    assert.match(
      await burn.locator("li", { hasText: "whole 30-day budget" }).first().innerText(),
      /✓ Correct answer/,
    );
    assert.ok(await explained(burn, "720 hours / 14.4 = 50 hours"));

    // One missed (revealed) question: retry it from the lesson's actions.
    const retryMissed = page.getByRole("button", { name: "Retry 1 missed question" });
    assert.ok(await retryMissed.isVisible());
    await retryMissed.click();
    assert.deepEqual(await buttons(burn), ["Check answer", "Show answer"], "the missed question is open again");
    assert.ok(await burn.getByRole("radio").first().evaluate((r) => r === document.activeElement));
    assert.ok(!(await page.locator(".lesson-retry-missed").isVisible()), "nothing left to retry");
    // The right answers were not reset.
    assert.match(await feedback(q), /^Correct!/);
    await answer(burn, ["If it continues, the whole 30-day budget is gone in about two days"]);
    assert.match(await feedback(burn), /^Correct!/);
  } finally {
    await done();
  }
});

test("keyboard only: Tab, Space and Enter complete a quiz and mark the lesson done", async () => {
  const { page, done } = await open();
  try {
    await go(page, P.lesson);
    const q = quiz(page, Q_SLI);
    const first = q.getByRole("checkbox").first();
    const isFocused = (loc) => loc.evaluate((e) => e === document.activeElement);
    /** Press Tab until `loc` has the focus. */
    const tabTo = async (loc, what) => {
      for (let presses = 0; !(await isFocused(loc)); presses++) {
        assert.ok(presses < 300, `Tab reaches ${what}`);
        await page.keyboard.press("Tab");
      }
    };
    await tabTo(first, "the multiple-choice question");
    // Focus is visible on the checkbox.
    const outline = await first.evaluate((e) => getComputedStyle(e).outlineStyle);
    assert.notEqual(outline, "none", "focus is visible");
    await page.keyboard.press("Space");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Space");
    await page.keyboard.press("Tab"); // third choice
    await page.keyboard.press("Tab"); // fourth choice
    await page.keyboard.press("Tab");
    assert.ok(await isFocused(q.getByRole("button", { name: "Check answer" })), "Tab reaches Check answer");
    await page.keyboard.press("Enter");
    assert.match(await feedback(q), /^Correct!/);
    assert.ok(await isFocused(q.getByRole("button", { name: "Try again" })));

    const toggle = page.getByRole("button", { name: "Mark as done" });
    await tabTo(toggle, "Mark as done");
    await page.keyboard.press("Space");
    assert.equal(await toggle.getAttribute("aria-pressed"), "true");
    await expectText(page.locator(".lesson-actions [role=status]"), /Lesson marked as done/);
  } finally {
    await done();
  }
});

// ------------------------------------------------------------------------------ progress

test("progress is kept across reloads: lesson, course, path and My learning pages", async () => {
  const { page, done } = await open();
  try {
    await go(page, P.lesson);
    await answer(quiz(page, Q_BUDGET), ["50,000"]);
    await answer(quiz(page, Q_BURN), ["14.4% of requests are failing"]);
    await toggleDone(page);
    await go(page, P.lesson2);
    await toggleDone(page);

    await reload(page);
    const toggle = page.getByRole("button", { name: "Mark as done" });
    assert.equal(await toggle.getAttribute("aria-pressed"), "true", "done after reload");
    assert.match(await page.locator(".lesson-done-state").innerText(), /^Done on \d{4}-\d{2}-\d{2}\.$/);

    await go(page, P.lesson);
    assert.match(await feedback(quiz(page, Q_BUDGET)), /^Correct!/, "a right answer is restored");
    assert.ok(await choice(quiz(page, Q_BUDGET), "50,000").isChecked());
    assert.match(await feedback(quiz(page, Q_BURN)), /^Not quite/, "a wrong answer is restored");
    assert.equal(await quiz(page, Q_SLI).locator(".quiz-feedback").innerText(), "", "an unanswered one is open");
    assert.ok(await page.getByRole("button", { name: "Retry 1 missed question" }).isVisible());

    await go(page, P.course);
    const progress = page.locator("[data-course-progress]");
    assert.ok(await progress.isVisible());
    assert.match(await progress.innerText(), /2 of 5 lessons done\. 1 of 11 quiz questions answered right\./);
    assert.equal(await lessonMark(page, LESSON_1).innerText(), "Done");
    assert.equal(await lessonMark(page, LESSON_2).innerText(), "Done");
    assert.equal(await lessonMark(page, "03-using-runbooks").innerText(), "Not done yet");
    assert.match(await page.locator(`li[data-lesson="${LESSON_1}"]`).innerText(), /1 of 3 questions right/);
    assert.match(await progress.innerText(), /Continue with Using runbooks/);
    // The main button moves on with the learner (issue 29, point 6).
    const main = page.locator(".course-start a.button");
    assert.match(await main.innerText(), /^Continue with lesson 3: Using runbooks/);
    assert.match(await main.getAttribute("href"), /03-using-runbooks\/$/);
    assert.equal(await progress.locator("progress").evaluate((p) => [p.value, p.max].join("/")), "2/5");

    // The next course lists On-call 101 as a prerequisite, not finished yet.
    await go(page, P.next);
    const prereq = page.locator(`li[data-prerequisite="${COURSE}"]`);
    assert.match(await prereq.innerText(), /Not finished yet/);

    await go(page, P.learning);
    const section = page.locator(`section.learning-course[data-course="${COURSE}"]`);
    assert.match(await section.locator(".learning-meter").innerText(), /2 of 5 lessons done/);
    assert.equal(await lessonMark(section, LESSON_1).innerText(), "Done");
    assert.equal(await lessonMark(section, "04-incident-command").innerText(), "Not done yet");
    const pathSection = page.locator(`section.learning-path[data-path="${PATH_ID}"]`);
    assert.match(await pathSection.locator(".learning-meter").innerText(), /0 of 2 courses finished; 2 of 6 lessons done/);
    assert.equal(await pathSection.locator(`li[data-course="${COURSE}"] .learning-mark`).innerText(), "2 of 5 lessons done");
    assert.match(await page.locator(".learning-overall").innerText(), /done 2 of \d+ lessons/);

    await go(page, P.path);
    assert.match(await page.locator("[data-path-progress]").innerText(), /0 of 2 courses finished; 2 of 6 lessons done/);
    assert.match(await page.locator(`li.path-course[data-course="${COURSE}"]`).innerText(), /2 of 5 lessons done/);

    // Finish the course: the prerequisite is met, the path counts it.
    for (const lesson of ["03-using-runbooks", "04-incident-command", "05-writing-postmortems"]) {
      await go(page, `courses/${COURSE}/${lesson}/`);
      await toggleDone(page);
    }
    await go(page, P.next);
    assert.match(await prereq.innerText(), /Finished/);
    assert.doesNotMatch(await prereq.innerText(), /Not finished/);
    await go(page, P.course);
    assert.match(await progress.innerText(), /Finished: all 5 lessons done\./);
    await go(page, P.path);
    assert.match(await page.locator(`li.path-course[data-course="${COURSE}"]`).innerText(), /Finished/);
    assert.match(await page.locator("[data-path-progress]").innerText(), /1 of 2 courses finished; 5 of 6 lessons done/);
    await go(page, P.nextLesson);
    await toggleDone(page);
    await go(page, P.path);
    assert.match(await page.locator("[data-path-progress]").innerText(), /Path finished: all 2 courses done\./);

    // Undo: marking a lesson not done again.
    await go(page, P.nextLesson);
    await toggleDone(page);
    assert.equal(await page.getByRole("button", { name: "Mark as done" }).getAttribute("aria-pressed"), "false");
    await go(page, P.path);
    assert.match(await page.locator("[data-path-progress]").innerText(), /1 of 2 courses finished/);
  } finally {
    await done();
  }
});

test("editing a lesson's text keeps progress; changing one question resets only it", async () => {
  const { page, done } = await open();
  try {
    await go(page, P.lesson);
    await answer(quiz(page, Q_BUDGET), ["50,000"]);
    await answer(quiz(page, Q_BURN), ["If it continues, the whole 30-day budget is gone in about two days"]);
    await toggleDone(page);

    // New prose, a new section and a new title: not the quizzes.
    const edited = original
      .replace("title: SLOs and error budgets", "title: SLOs, SLIs and error budgets")
      .replace("## Burn rate", "## A note added later\n\nA new paragraph added in an edit.\n\n## Burn rate");
    assert.notEqual(edited, original);
    rebuildLesson(edited);
    await reload(page);
    assert.ok(await page.getByText("A new paragraph added in an edit.").isVisible(), "the rebuilt page is shown");
    assert.equal(await page.getByRole("button", { name: "Mark as done" }).getAttribute("aria-pressed"), "true");
    assert.match(await feedback(quiz(page, Q_BUDGET)), /^Correct!/);
    assert.match(await feedback(quiz(page, Q_BURN)), /^Correct!/);

    // One choice of one question reworded: that question is reset, with a note; the other kept.
    const reworded = edited.replace("  - text: 14.4% of requests are failing", "  - text: 14.4 percent of all requests fail");
    assert.notEqual(reworded, edited);
    const burnVersion = await quiz(page, Q_BURN).getAttribute("data-quiz-version");
    rebuildLesson(reworded);
    await reload(page);
    const burn = quiz(page, Q_BURN);
    assert.notEqual(await burn.getAttribute("data-quiz-version"), burnVersion, "the question's version changed");
    assert.match(await burn.locator(".quiz-note").innerText(), /This question has changed/);
    assert.deepEqual(await buttons(burn), ["Check answer", "Show answer"], "it is open again");
    assert.equal(await burn.getByRole("radio", { checked: true }).count(), 0);
    assert.match(await feedback(quiz(page, Q_BUDGET)), /^Correct!/, "the other question is kept");
    assert.equal(await page.getByRole("button", { name: "Mark as done" }).getAttribute("aria-pressed"), "true");
    const saved = await stored(page);
    assert.equal(saved.courses[COURSE].quizzes[await burn.getAttribute("data-quiz-id")], undefined, "the old answer is gone");

    await go(page, P.course);
    assert.match(await page.locator("[data-course-progress]").innerText(), /1 of 5 lessons done\. 1 of 11 quiz questions answered right\./);
  } finally {
    rebuildLesson();
    await done();
  }
});

test("another tab's changes show at once on an open course page", async () => {
  const { context, page, done } = await open();
  try {
    await go(page, P.course);
    assert.equal(await lessonMark(page, LESSON_2).innerText(), "Not done yet");
    const other = await context.newPage();
    await go(other, P.lesson2);
    await toggleDone(other);
    await expectText(lessonMark(page, LESSON_2), /^Done$/);
    assert.match(await page.locator("[data-course-progress]").innerText(), /1 of 5 lessons done/);
  } finally {
    await done();
  }
});

// ------------------------------------------------------------------------------ export / import

test("export progress to a file, clear storage, import it: progress is back", async () => {
  const { page, done } = await open();
  try {
    await go(page, P.lesson);
    await answer(quiz(page, Q_BUDGET), ["50,000"]);
    await toggleDone(page);
    await go(page, P.lesson2);
    await toggleDone(page);

    await go(page, P.learning);
    const tools = page.locator("[data-learning-tools]");
    assert.ok(await tools.isVisible());
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      tools.getByRole("button", { name: "Export progress" }).click(),
    ]);
    assert.match(download.suggestedFilename(), /^[a-z0-9-]+-progress-\d{4}-\d{2}-\d{2}\.json$/);
    const file = path.join(work, download.suggestedFilename());
    await download.saveAs(file);
    const exported = JSON.parse(readFileSync(file, "utf8"));
    assert.equal(exported["fieldbook-progress"], 1);
    assert.equal(exported.site, "Northwind Parcel Reliability Handbook");
    assert.deepEqual(Object.keys(exported.courses[COURSE].lessons).sort(), [LESSON_1, LESSON_2]);
    assert.match(exported.courses[COURSE].lessons[LESSON_1].done, /^\d{4}-\d{2}-\d{2}$/);
    assert.equal(Object.values(exported.courses[COURSE].quizzes)[0].correct, true);
    await expectText(tools.getByRole("status"), /Exported 2 finished lessons and 1 quiz answer/);

    // A new laptop.
    await page.evaluate(() => localStorage.clear());
    await reload(page);
    assert.match(await page.locator(".learning-overall").innerText(), /not marked any lesson/);

    await page.getByLabel("Import progress from a file").setInputFiles(file);
    await page.waitForFunction(() => /Imported/.test(document.querySelector("[data-learning-tools] [role=status]").textContent));
    assert.match(
      await tools.getByRole("status").innerText(),
      /Imported from “.*\.json”: 2 finished lessons and 1 quiz answer/,
    );
    const section = page.locator(`section.learning-course[data-course="${COURSE}"]`);
    assert.match(await section.locator(".learning-meter").innerText(), /2 of 5 lessons done/);

    // Importing the same file again adds nothing.
    await page.getByLabel("Import progress from a file").setInputFiles(file);
    await page.waitForFunction(() => /Nothing new/.test(document.querySelector("[data-learning-tools] [role=status]").textContent));

    await go(page, P.lesson);
    assert.equal(await page.getByRole("button", { name: "Mark as done" }).getAttribute("aria-pressed"), "true");
    assert.match(await feedback(quiz(page, Q_BUDGET)), /^Correct!/);

    // Reset asks first, then erases.
    await go(page, P.learning);
    await tools.getByRole("button", { name: "Reset progress…" }).click();
    await tools.getByRole("button", { name: "Cancel" }).click();
    assert.match(await section.locator(".learning-meter").innerText(), /2 of 5 lessons done/);
    await tools.getByRole("button", { name: "Reset progress…" }).click();
    await tools.getByRole("button", { name: "Erase progress" }).click();
    assert.match(await section.locator(".learning-meter").innerText(), /0 of 5 lessons done/);
    await reload(page);
    assert.match(await section.locator(".learning-meter").innerText(), /0 of 5 lessons done/);
  } finally {
    await done();
  }
});

test("hostile or invalid imports are refused with a message; nothing runs, nothing changes", async () => {
  const { page, done } = await open();
  try {
    await go(page, P.lesson);
    await toggleDone(page);
    await go(page, P.learning);
    const before = await page.evaluate(() => localStorage.getItem(window.fieldbookLearning.key));
    const ok = (courses) => JSON.stringify({ "fieldbook-progress": 1, courses });
    const cases = [
      ["not-json.json", "<script>window.__pwned = 1</script>", /not valid JSON/],
      ["array.json", "[1, 2, 3]", /not a JSON object/],
      ["other.json", JSON.stringify({ hello: "world" }), /not a Fieldbook progress file/],
      ["newer.json", JSON.stringify({ "fieldbook-progress": 2, courses: {} }), /newer format \(2\)/],
      ["version.json", JSON.stringify({ "fieldbook-progress": "1", courses: {} }), /format version “1” is not known/],
      ["nocourses.json", JSON.stringify({ "fieldbook-progress": 1 }), /no “courses”/],
      [
        "proto.json",
        `{"fieldbook-progress": 1, "courses": {"__proto__": {"lessons": {"x": {"done": "2026-01-01"}}}}}`,
        /“__proto__” is not a valid course id/,
      ],
      [
        "html-date.json",
        ok({ [COURSE]: { lessons: { [LESSON_2]: { done: "<img src=x onerror=window.__pwned=1>" } } } }),
        /lesson “02-alerts-and-paging”: “done” is not a date/,
      ],
      [
        "answer.json",
        ok({ [COURSE]: { quizzes: { abc: { version: "1", correct: true, answer: "0; alert(1)" } } } }),
        /“answer” is not a list of choice numbers/,
      ],
      [
        "correct.json",
        ok({ [COURSE]: { quizzes: { abc: { version: "1", correct: "yes", answer: [0] } } } }),
        /“correct” is not true or false/,
      ],
      ["extra.json", ok({ [COURSE]: { lessons: {}, script: "x" } }), /unknown field “script”/],
      ["badid.json", ok({ "a b": { lessons: {} } }), /“a b” is not a valid course id/],
      ["huge.json", ok({}) + " ".repeat(1024 * 1024 + 10), /larger than 1024 KiB/],
    ];
    const status = page.locator("[data-learning-tools] [role=status]");
    for (const [name, text, expected] of cases) {
      await page.getByLabel("Import progress from a file").setInputFiles({
        name,
        mimeType: "application/json",
        buffer: Buffer.from(text),
      });
      await page.waitForFunction(
        (name) => document.querySelector("[data-learning-tools] [role=status]").textContent.includes(name),
        name,
      );
      const message = await status.innerText();
      assert.match(message, /^Not imported: /, `${name}: refused`);
      assert.match(message, expected, `${name}: says why`);
      assert.match(message, /Nothing was changed\.$/, `${name}`);
      assert.ok(await status.evaluate((s) => s.classList.contains("is-error")));
    }
    assert.equal(await page.evaluate(() => localStorage.getItem(window.fieldbookLearning.key)), before, "storage unchanged");

    // A valid file whose texts look like HTML: imported, shown as text only.
    await page.getByLabel("Import progress from a file").setInputFiles({
      name: "<b>bold<i>.json",
      mimeType: "application/json",
      buffer: Buffer.from(JSON.stringify({
        "fieldbook-progress": 1,
        site: "<img src=x onerror=window.__pwned=1>",
        courses: { "no-such-course": { lessons: { "x": { done: "2026-01-02" } } } },
      })),
    });
    await page.waitForFunction(() => /Imported/.test(document.querySelector("[data-learning-tools] [role=status]").textContent));
    const message = await status.innerText();
    assert.match(message, /exported from “<img src=x onerror=window.__pwned=1>”/);
    assert.match(message, /1 course in it is not on this site/);
    assert.equal(await page.locator("main img, main b").count(), 0, "nothing inserted as HTML");

    await page.waitForTimeout(100);
    assert.equal(await page.evaluate(() => window.__pwned), undefined, "no script ran");
    assert.equal(await page.evaluate(() => ({}).lessons), undefined, "no prototype was changed");
  } finally {
    await done();
  }
});

// ------------------------------------------------------------------------------ robustness

test("storage blocked: a notice, and quizzes and the done toggle still work", async () => {
  const { page, done } = await open();
  try {
    await page.addInitScript(() => {
      Object.defineProperty(window, "localStorage", {
        get() {
          throw new DOMException("The operation is insecure.", "SecurityError");
        },
      });
    });
    await go(page, P.lesson);
    const notice = page.locator(".lesson-actions .learning-notice");
    assert.match(await notice.innerText(), /does not let the handbook save progress/);
    await answer(quiz(page, Q_BUDGET), ["50,000"]);
    assert.match(await feedback(quiz(page, Q_BUDGET)), /^Correct!/);
    await toggleDone(page);
    assert.equal(await page.getByRole("button", { name: "Mark as done" }).getAttribute("aria-pressed"), "true");
    await expectText(page.locator(".lesson-actions [role=status]"), /Not saved/);
    await go(page, P.learning);
    assert.match(await page.locator("[data-learning-tools] .learning-notice").innerText(), /does not let/);
  } finally {
    await done();
  }
});

test("storage full: saving fails with a notice, no script error", async () => {
  const { page, done } = await open();
  try {
    await page.addInitScript(() => {
      const setItem = Storage.prototype.setItem;
      Storage.prototype.setItem = function (key, value) {
        if (String(key).startsWith("fieldbook-progress:")) {
          throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
        }
        return setItem.call(this, key, value);
      };
    });
    await go(page, P.lesson);
    assert.equal(await page.locator(".learning-notice").count(), 0, "no notice before saving");
    await toggleDone(page);
    assert.match(await page.locator(".lesson-actions .learning-notice").innerText(), /could not be saved/);
    assert.equal(await page.getByRole("button", { name: "Mark as done" }).getAttribute("aria-pressed"), "true");
  } finally {
    await done();
  }
});

test("corrupt stored progress is set aside with a notice", async () => {
  const { page, done } = await open();
  try {
    await go(page, P.course);
    for (const bad of ["{not json", JSON.stringify({ "fieldbook-progress": 1, courses: { [COURSE]: { lessons: { [LESSON_1]: { done: 5 } } } } })]) {
      await page.evaluate((bad) => localStorage.setItem(window.fieldbookLearning.key, bad), bad);
      await reload(page);
      assert.match(await page.locator("[data-course-progress] .learning-notice").innerText(), /could not be read/);
      assert.match(await page.locator("[data-course-progress]").innerText(), /0 of 5 lessons done/);
      assert.equal(
        await page.evaluate(() => localStorage.getItem(window.fieldbookLearning.key + ":unreadable")),
        bad,
        "a copy is kept",
      );
    }
    // Saving again replaces it with good data.
    await go(page, P.lesson);
    await toggleDone(page);
    await go(page, P.course);
    assert.equal(await page.locator(".learning-notice").count(), 0);
    assert.match(await page.locator("[data-course-progress]").innerText(), /1 of 5 lessons done/);
  } finally {
    await done();
  }
});

test("works from file:// without a server", async () => {
  const { page, done } = await open();
  const file = (p) => pathToFileURL(path.join(out, p, "index.html")).href;
  try {
    await page.goto(file(P.lesson));
    await page.waitForFunction(() => window.fieldbookLearning && window.fieldbookLearning.key);
    await answer(quiz(page, Q_BUDGET), ["50,000"]);
    assert.match(await feedback(quiz(page, Q_BUDGET)), /^Correct!/);
    await toggleDone(page);
    await page.goto(file(P.course));
    await page.waitForFunction(() => window.fieldbookLearning && window.fieldbookLearning.key);
    assert.equal(await lessonMark(page, LESSON_1).innerText(), "Done");
    assert.match(await page.locator("[data-course-progress]").innerText(), /1 of 5 lessons done/);
  } finally {
    await done();
  }
});

test("without JavaScript: quizzes read as questions with a Show answer disclosure", async () => {
  const { page, done } = await open({ javaScriptEnabled: false });
  try {
    await page.goto(url(P.lesson));
    const q = quiz(page, Q_BUDGET);
    assert.equal(await q.getByRole("radio").count(), 0);
    assert.ok(await q.locator("summary", { hasText: "Show answer" }).isVisible());
    assert.ok(await q.getByText("50,000", { exact: true }).isVisible());
    assert.ok(!(await page.locator("[data-lesson-actions]").isVisible()), "no dead buttons");
    await page.goto(url(P.learning));
    assert.ok(await page.locator(`section.learning-course[data-course="${COURSE}"] li[data-lesson="${LESSON_1}"] a`).isVisible());
    assert.ok(!(await page.locator("[data-learning-tools]").isVisible()));
  } finally {
    await done();
  }
});

// ------------------------------------------------------------------------------ accessibility

test("no serious or critical axe-core violations with progress shown, light and dark", async (t) => {
  const DARK_RULES = ["color-contrast", "link-in-text-block"];
  const failures = [];
  for (const scheme of ["light", "dark"]) {
    const { page, done } = await open({ colorScheme: scheme });
    try {
      await go(page, P.lesson);
      await answer(quiz(page, Q_BUDGET), ["5,000"]);
      await answer(quiz(page, Q_SLI), [
        "Share of tracking page requests answered in under 800 ms",
        "Share of parcel scans visible on the tracking page within 5 minutes",
      ]);
      await quiz(page, Q_BURN).getByRole("button", { name: "Show answer" }).click();
      await toggleDone(page);
      await page.waitForTimeout(100);
      // Dark mode changes only colours, and the path page's colours are the course page's.
      const pages = scheme === "dark" ? [P.lesson, P.course, P.learning] : [P.lesson, P.course, P.learning, P.path];
      for (const p of pages) {
        if (p !== P.lesson) await go(page, p);
        if (p === P.learning) {
          await page.getByRole("button", { name: "Reset progress…" }).click();
        }
        await page.screenshot({ path: path.join(SCREENSHOTS, `learning-${p.replace(/\W+/g, "-")}${scheme}.png`), fullPage: true });
        const violations = await runAxe(page, scheme === "dark" ? DARK_RULES : null);
        const bad = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
        const minor = violations.filter((v) => !bad.includes(v));
        if (bad.length) failures.push(`/${p} (${scheme}):\n${formatViolations(bad)}`);
        if (minor.length) t.diagnostic(`/${p} (${scheme}), not failing:\n${formatViolations(minor)}`);
      }
    } finally {
      await done();
    }
  }
  assert.ok(failures.length === 0, `axe-core violations:\n${failures.join("\n")}`);
});

test("no horizontal scrolling at 375px with quizzes answered and progress shown", async () => {
  const { page, done } = await open({ viewport: { width: 375, height: 800 } });
  try {
    await go(page, P.lesson);
    await answer(quiz(page, Q_SLI), ["Share of tracking page requests answered in under 800 ms"]);
    await quiz(page, Q_BURN).getByRole("button", { name: "Show answer" }).click();
    await toggleDone(page);
    for (const p of [P.lesson, P.course, P.learning, P.path]) {
      if (p !== P.lesson) await go(page, p);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 375, `/${p} is ${width}px wide at 375px`);
    }
  } finally {
    await done();
  }
});

test("print: quiz and progress buttons hidden, progress text kept", async () => {
  const { page, done } = await open();
  try {
    await go(page, P.lesson);
    await toggleDone(page);
    await page.emulateMedia({ media: "print" });
    assert.ok(!(await page.getByRole("button", { name: "Check answer" }).first().isVisible()));
    assert.ok(!(await page.getByRole("button", { name: "Mark as done" }).isVisible()));
    assert.ok(await page.locator(".lesson-done-state").isVisible(), "the done state is printed");
    await go(page, P.course);
    await page.emulateMedia({ media: "print" });
    assert.ok(await page.locator("[data-course-progress] .learning-meter-text").isVisible());
  } finally {
    await done();
  }
});
