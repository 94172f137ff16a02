//! Course, lesson and case-study page contexts, and the learning pages: `learning/` (every
//! path and course, where the browser shows progress), `paths/` and `paths/<id>/`.

use super::context::*;
use super::theme::PageWriter;
use super::{Builder, Fatal, Job};
use crate::config::LearningPath;
use crate::content::front_matter::Kind;
use crate::model::Document;
use crate::model::courses::{Catalog, Lesson};

impl<'a> Builder<'a> {
    pub(super) fn catalog(&self) -> &Catalog<'a> {
        self.catalog
            .get_or_init(|| Catalog::new(self.site, &self.docs))
    }

    pub(super) fn course_ctx(&self, course: &Document) -> CourseCtx {
        course_ctx(self.catalog(), course)
    }

    pub(super) fn lesson_ctx(&self, lesson: &Document) -> Option<LessonCtx> {
        let slug = lesson.course.as_deref()?;
        let catalog = self.catalog();
        let course = catalog.course(slug)?;
        let list = catalog.lessons_of(slug);
        let i = list.iter().position(|l| l.doc.rel == lesson.rel)?;
        Some(LessonCtx {
            number: i + 1,
            count: list.len(),
            id: list[i].id.clone(),
            slug: slug.to_string(),
            minutes: lesson.meta.minutes,
            course: Link::to(course),
            prev: i.checked_sub(1).map(|p| Link::to(list[p].doc)),
            next: list.get(i + 1).map(|n| Link::to(n.doc)),
            warnings: catalog
                .warnings(lesson)
                .into_iter()
                .map(|(d, state)| CaseStudyWarning {
                    card: Card::new(self.site, d),
                    stale: state.stale,
                    lapsed: state.lapsed,
                })
                .collect(),
            outline: list.iter().map(lesson_item).collect(),
        })
    }

    /// The lessons (being built) that link to a runbook or postmortem.
    pub(super) fn taught_in(&self, doc: &Document) -> Vec<TaughtIn> {
        if !matches!(doc.kind, Kind::Runbook | Kind::Postmortem) {
            return Vec::new();
        }
        let catalog = self.catalog();
        catalog
            .taught_in
            .get(&doc.rel)
            .into_iter()
            .flatten()
            .filter_map(|l| {
                let course = catalog.course(l.course.as_deref()?)?;
                Some(TaughtIn {
                    lesson: Link::to(l),
                    course: Link::to(course),
                })
            })
            .collect()
    }

    /// Every course, each after the courses it requires.
    fn courses(&self) -> Vec<CourseCtx> {
        let catalog = self.catalog();
        catalog
            .in_prerequisite_order()
            .into_iter()
            .filter_map(|slug| catalog.course(slug))
            .map(|c| self.course_ctx(c))
            .collect()
    }

    /// `learning/`, `paths/` and each `paths/<id>/`.
    pub(super) fn learning_jobs<'j>(&'j self, jobs: &mut Vec<(String, Job<'j>)>) {
        let paths = &self.site.config.paths;
        jobs.push((
            "learning/".into(),
            Box::new(move || {
                let courses = self.courses();
                learning_page(self, paths_of(paths, &courses), courses)
            }),
        ));
        jobs.push((
            "paths/".into(),
            Box::new(move || paths_page(self, &paths_of(paths, &self.courses()))),
        ));
        for (i, p) in paths.iter().enumerate() {
            let url = format!("paths/{}/", p.id);
            jobs.push((
                url,
                Box::new(move || {
                    let path = paths_of(&paths[i..=i], &self.courses()).swap_remove(0);
                    path_page(self, &path)
                }),
            ));
        }
    }
}

/// The learning `paths` (book.toml's `[[paths]]`), each with those of its courses that are
/// among `courses`.
pub fn paths_of(paths: &[LearningPath], courses: &[CourseCtx]) -> Vec<PathCtx> {
    paths
        .iter()
        .map(|p| {
            let known: Vec<CourseCtx> = p
                .courses
                .iter()
                .filter_map(|(slug, _, _)| courses.iter().find(|c| c.slug == *slug).cloned())
                .collect();
            PathCtx {
                id: p.id.clone(),
                title: p.title.clone(),
                description: p.description.clone(),
                role: p.role.clone(),
                url: format!("paths/{}/", p.id),
                course_slugs: known
                    .iter()
                    .map(|c| c.slug.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
                total_minutes: known.iter().map(|c| c.total_minutes).sum(),
                lesson_count: known.iter().map(|c| c.lessons.len()).sum(),
                courses: known,
            }
        })
        .collect()
}

/// `learning/`: every path and course (each after the courses it requires), where the
/// browser shows the reader's progress.
pub fn learning_page(
    w: &impl PageWriter,
    paths: Vec<PathCtx>,
    courses: Vec<CourseCtx>,
) -> Result<(), Fatal> {
    let page = w.page(
        "learning",
        "My learning",
        "learning/",
        "Your progress through the handbook's courses and learning paths",
    );
    let ctx = LearningCtx { paths, courses };
    w.apply_template("learning.html", &page, "learning", &ctx)
}

/// `paths/`: every learning path.
pub fn paths_page(w: &impl PageWriter, paths: &[PathCtx]) -> Result<(), Fatal> {
    let page = w.page(
        "paths",
        "Learning paths",
        "paths/",
        "Courses in order, for each role",
    );
    w.apply_template("paths.html", &page, "paths", &paths)
}

/// `paths/<id>/`.
pub fn path_page(w: &impl PageWriter, path: &PathCtx) -> Result<(), Fatal> {
    let page = w.page("path", &path.title, &path.url, &path.description);
    w.apply_template("path.html", &page, "path", path)
}

/// The context of `course` from the `catalog` of the documents being built.
pub(super) fn course_ctx(catalog: &Catalog<'_>, course: &Document) -> CourseCtx {
    let slug = course.course.clone().unwrap_or_default();
    let lessons = catalog.lessons_of(&slug).iter().map(lesson_item).collect();
    let prerequisites = course
        .meta
        .prerequisites
        .iter()
        .filter_map(|p| {
            let c = catalog.course(p)?;
            Some(PrerequisiteCtx {
                slug: p.clone(),
                title: c.title.clone(),
                url: c.url(),
                lesson_ids: lesson_ids(catalog.lessons_of(p)),
            })
        })
        .collect();
    CourseCtx::assemble(
        slug,
        (course.title.clone(), course.url()),
        course.meta.level,
        course.meta.objectives.clone(),
        lessons,
        prerequisites,
    )
}

fn lesson_item(l: &Lesson) -> LessonItem {
    let (minutes, estimated) = crate::model::courses::lesson_minutes(l.doc);
    LessonItem {
        title: l.doc.title.clone(),
        url: l.doc.url(),
        id: l.id.clone(),
        minutes: Some(minutes),
        estimated,
        quizzes: l
            .quizzes
            .iter()
            .map(|q| format!("{}:{}", q.id, q.version))
            .collect::<Vec<_>>()
            .join(" "),
    }
}

fn lesson_ids(lessons: &[Lesson]) -> String {
    lessons
        .iter()
        .map(|l| l.id.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}
