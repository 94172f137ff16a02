// The learner's main button moves on (issue 29, point 6): "Continue with lesson N: <title>"
// once started and "Review the course" when done, on path pages and My learning as on course
// pages; My learning starts with where you left off and lists a course after its
// prerequisites; a lesson shows its course's outline with done marks and itself marked as
// the current page. Progress is the browser's (localStorage), so each test has a fresh context.

import { test } from "node:test";
import assert from "node:assert/strict";
import { PAGES, formatViolations, runAxe, servedSite, watch } from "./lib.mjs";

const site = servedSite();
const COURSE = "oncall-101";
const LESSONS = [
  "01-slos-and-error-budgets",
  "02-alerts-and-paging",
  "03-using-runbooks",
  "04-incident-command",
  "05-writing-postmortems",
];
const lessonUrl = (id) => `courses/${COURSE}/${id}/`;

async function open(viewport = { width: 1280, height: 800 }, colorScheme = "light") {
  const context = await site.browser.newContext({ viewport, colorScheme });
  const page = await context.newPage();
  const watched = watch(page);
  return { context, page, watched };
}

async function go(page, p) {
  await page.goto(site.server.base + p);
  await page.waitForFunction(() => window.fieldbookLearning && window.fieldbookLearning.key);
}

async function markDone(page, id) {
  await go(page, lessonUrl(id));
  await page.getByRole("button", { name: "Mark as done" }).click();
  await page.waitForFunction(() => document.querySelector(".lesson-done-toggle").getAttribute("aria-pressed") === "true");
}

test("a lesson shows its course outline with done marks and itself as the current page", async () => {
  const { context, page, watched } = await open();
  try {
    await markDone(page, LESSONS[0]);
    await go(page, lessonUrl(LESSONS[1]));
    const outline = page.getByRole("navigation", { name: /Course outline/ });
    const items = outline.locator("li[data-lesson]");
    assert.deepEqual(await items.evaluateAll((lis) => lis.map((li) => li.getAttribute("data-lesson"))), LESSONS);
    assert.match(await items.nth(0).innerText(), /Done$/);
    assert.match(await items.nth(1).innerText(), /\(this lesson\)\s*Not done yet$/);
    const current = outline.locator('a[aria-current="page"]');
    assert.equal(await current.count(), 1);
    assert.match(await current.getAttribute("href"), /02-alerts-and-paging\/$/);
    assert.deepEqual(watched.problems, []);
  } finally {
    await context.close();
  }
});

test("the main button moves on on course, path and My learning pages; My learning resumes", async () => {
  const { context, page, watched } = await open();
  try {
    // Nothing done: every main link starts with lesson 1, and there is nothing to resume.
    await go(page, "paths/sre-onboarding/");
    const pathStart = page.locator(`li.path-course[data-course="${COURSE}"] a.course-start-link`);
    assert.match(await pathStart.innerText(), /^Start with lesson 1: /);
    await go(page, "learning/");
    assert.ok(!(await page.locator("[data-learning-resume]").isVisible()), "nothing to resume yet");

    // Two lessons done, then the fourth opened (and left unfinished).
    await markDone(page, LESSONS[0]);
    await markDone(page, LESSONS[1]);
    await go(page, lessonUrl(LESSONS[3]));

    await go(page, PAGES.course);
    assert.match(await page.locator(".course-start a.button").innerText(), /^Continue with lesson 3: Using runbooks/);
    await go(page, "paths/sre-onboarding/");
    assert.match(await pathStart.innerText(), /^Continue with lesson 3: Using runbooks/);
    assert.match(await pathStart.getAttribute("href"), /03-using-runbooks\/$/);

    await go(page, "learning/");
    const courseLink = page.locator(`section.learning-course[data-course="${COURSE}"] a.course-start-link`);
    assert.match(await courseLink.innerText(), /^Continue with lesson 3: Using runbooks/);
    // Where you left off: the lesson last opened and not done, first thing on the page.
    const resume = page.getByRole("region", { name: "Where you left off" });
    assert.ok(await resume.isVisible());
    const button = resume.locator("a.button");
    assert.match(await button.innerText(), /^Continue with lesson 4: /);
    assert.match(await button.getAttribute("href"), /04-incident-command\/$/);
    const first = await page.evaluate(() => {
      const main = document.querySelector(".learning-page");
      const resume = main.querySelector("[data-learning-resume]");
      const courses = main.querySelector(".learning-courses");
      return resume.compareDocumentPosition(courses) & Node.DOCUMENT_POSITION_FOLLOWING;
    });
    assert.ok(first, "the resume entry comes before the lists");

    // Finish the course: "Review the course", and the resume entry moves on or goes.
    for (const id of LESSONS.slice(2)) await markDone(page, id);
    await go(page, PAGES.course);
    assert.equal(await page.locator(".course-start a.button").innerText(), "Review the course");
    await go(page, "paths/sre-onboarding/");
    assert.equal(await pathStart.innerText(), "Review the course");
    await go(page, "learning/");
    assert.equal(await courseLink.innerText(), "Review the course");
    assert.ok(!(await page.locator("[data-learning-resume]").isVisible()), "nothing left to resume");
    assert.deepEqual(watched.problems, []);
  } finally {
    await context.close();
  }
});

test("My learning lists a course after the courses it requires", async () => {
  const { context, page } = await open();
  try {
    await go(page, "learning/");
    const order = await page
      .locator("section.learning-course[data-course]")
      .evaluateAll((ss) => ss.map((s) => s.getAttribute("data-course")));
    // database-oncall requires oncall-101 (and sorts before it by name).
    assert.ok(order.indexOf("oncall-101") < order.indexOf("database-oncall"), order.join(", "));
  } finally {
    await context.close();
  }
});

test("lesson, path and My learning pages are accessible with progress (axe-core), light and dark", async () => {
  const failures = [];
  for (const scheme of ["light", "dark"]) {
    const { context, page } = await open({ width: 1280, height: 800 }, scheme);
    try {
      await markDone(page, LESSONS[0]);
      for (const p of [lessonUrl(LESSONS[1]), "paths/sre-onboarding/", "learning/"]) {
        await go(page, p);
        const violations = await runAxe(page, scheme === "dark" ? ["color-contrast"] : null);
        const bad = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
        if (bad.length) failures.push(`/${p} (${scheme}):\n${formatViolations(bad)}`);
      }
    } finally {
      await context.close();
    }
  }
  assert.ok(failures.length === 0, `axe-core violations:\n${failures.join("\n")}`);
});
