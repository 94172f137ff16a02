//! The freshness report's chart: how long ago documents were reviewed, as an inline SVG bar
//! chart drawn at build time (no script, readable by screen readers and in print).

use crate::content::date::Date;
use serde::Serialize;
use std::fmt::Write;

/// Age buckets in days since the last review; the last bucket is "never reviewed".
const BUCKETS: [(&str, i64, i64); 5] = [
    ("0–30 days", 0, 30),
    ("31–90 days", 31, 90),
    ("91–180 days", 91, 180),
    ("181–365 days", 181, 365),
    ("over a year", 366, i64::MAX),
];

/// Counts per bucket for the given review dates (`None`: never reviewed).
pub fn buckets(today: Date, reviewed: impl IntoIterator<Item = Option<Date>>) -> [usize; 6] {
    let mut counts = [0; 6];
    for r in reviewed {
        let i = match r {
            None => 5,
            Some(d) => {
                let age = d.days_until(today).max(0);
                BUCKETS
                    .iter()
                    .position(|(_, lo, hi)| age >= *lo && age <= *hi)
                    .unwrap_or(4)
            }
        };
        counts[i] += 1;
    }
    counts
}

/// The SVG. Bars are classed `age-0` … `age-5` so a theme can recolour them; fills are set too
/// so the chart reads on its own.
pub fn review_age_svg(counts: &[usize; 6]) -> String {
    const FILLS: [&str; 6] = [
        "#2f7d4f", "#5a8f2e", "#b7791f", "#c0562b", "#b42318", "#6b7280",
    ];
    let labels: Vec<&str> = BUCKETS
        .iter()
        .map(|b| b.0)
        .chain(["never reviewed"])
        .collect();
    let max = counts.iter().copied().max().unwrap_or(0).max(1);
    let total: usize = counts.iter().sum();
    let (bar_w, gap, h, top, bottom) = (72, 16, 180, 24, 44);
    let width = labels.len() * (bar_w + gap) + gap;
    let height = top + h + bottom;
    let mut s = String::new();
    let desc: Vec<String> = labels
        .iter()
        .zip(counts)
        .map(|(l, c)| format!("{l}: {c}"))
        .collect();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart review-age" viewBox="0 0 {width} {height}" role="img" aria-labelledby="chart-title chart-desc"><title id="chart-title">Time since last review, {total} documents</title><desc id="chart-desc">{}</desc>"#,
        desc.join("; ")
    );
    let _ = write!(
        s,
        r#"<line x1="{gap}" y1="{y}" x2="{x2}" y2="{y}" stroke="currentColor" stroke-opacity="0.4"/>"#,
        y = top + h,
        x2 = width - gap
    );
    for (i, (label, &count)) in labels.iter().zip(counts).enumerate() {
        let bh = count * h / max;
        let x = gap + i * (bar_w + gap);
        let y = top + h - bh;
        let _ = write!(
            s,
            r#"<g class="bar age-{i}"><title>{label}: {count}</title><rect x="{x}" y="{y}" width="{bar_w}" height="{bh}" fill="{fill}" rx="3"/><text x="{cx}" y="{ty}" text-anchor="middle" font-size="13" fill="currentColor">{count}</text><text x="{cx}" y="{ly}" text-anchor="middle" font-size="11" fill="currentColor">{label}</text></g>"#,
            fill = FILLS[i],
            cx = x + bar_w / 2,
            ty = y.saturating_sub(6).max(12),
            ly = top + h + 18,
        );
    }
    s.push_str("</svg>");
    s
}

// ---------------------------------------------------------------- incident history

/// One incident as the history charts see it.
pub struct Incident<'a> {
    pub date: Date,
    pub title: &'a str,
    pub severity: Option<&'a str>,
    pub minutes: Option<u64>,
}

/// A chart's numbers as a table: what screen readers and print get instead of the picture.
/// The first cell of each row is its header.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct DataTable {
    pub head: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// A colour key entry: `series` is the `series-N` class (and `--fb-series-N` colour).
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct LegendItem {
    pub label: String,
    pub series: usize,
}

/// An inline SVG with its legend and data table. `svg` holds no unescaped user text.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct Chart {
    pub id: &'static str,
    pub svg: String,
    pub legend: Vec<LegendItem>,
    pub table: DataTable,
}

/// Calendar periods charts group incidents by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Step {
    Month,
    Quarter,
    Year,
}

impl Step {
    /// The period of `d`: (year, month 1–12 | quarter 1–4 | 0).
    fn of(self, d: Date) -> (i32, u32) {
        let (y, m) = d.year_month();
        match self {
            Step::Month => (y, m),
            Step::Quarter => (y, (m - 1) / 3 + 1),
            Step::Year => (y, 0),
        }
    }

    fn next(self, (y, i): (i32, u32)) -> (i32, u32) {
        let last = match self {
            Step::Month => 12,
            Step::Quarter => 4,
            Step::Year => return (y + 1, 0),
        };
        if i == last { (y + 1, 1) } else { (y, i + 1) }
    }

    fn label(self, (y, i): (i32, u32)) -> String {
        match self {
            Step::Month => format!("{y}-{i:02}"),
            Step::Quarter => format!("{y} Q{i}"),
            Step::Year => y.to_string(),
        }
    }

    pub fn noun(self) -> &'static str {
        match self {
            Step::Month => "month",
            Step::Quarter => "quarter",
            Step::Year => "year",
        }
    }

    /// The finest step, no finer than `finest`, that spans `first..=last` in at most `max`
    /// periods.
    pub fn fitting(first: Date, last: Date, max: usize, finest: Step) -> Step {
        [Step::Month, Step::Quarter, Step::Year]
            .into_iter()
            .filter(|s| *s >= finest)
            .find(|s| s.periods(first, last).len() <= max)
            .unwrap_or(Step::Year)
    }

    /// Every period from the one of `first` to the one of `last`.
    fn periods(self, first: Date, last: Date) -> Vec<(i32, u32)> {
        let (mut p, end) = (self.of(first.min(last)), self.of(first.max(last)));
        let mut out = vec![p];
        while p < end {
            p = self.next(p);
            out.push(p);
        }
        out
    }
}

/// Severities in the order people rank them: words (`critical` … `low`), then numbered
/// levels (`SEV1`, `P2`, `S3`) lowest number first, then anything else by name.
pub fn severity_order(s: &str) -> (u32, String) {
    let l = s.trim().to_ascii_lowercase();
    let rank = match l.as_str() {
        "critical" | "blocker" | "emergency" => 0,
        "high" | "major" => 1,
        "medium" | "moderate" => 2,
        "low" | "minor" => 3,
        _ => {
            let digits = l
                .trim_start_matches("sev")
                .trim_start_matches(['p', 's'])
                .trim_start_matches(['-', ' ']);
            match digits.parse::<u32>() {
                Ok(n) if !digits.is_empty() => 10 + n.min(80),
                _ => 100,
            }
        }
    };
    (rank, l)
}

/// Colours of the series, used when the page's style sheet does not set `--fb-series-N`.
/// Series 0 is "unspecified".
const SERIES: [&str; 7] = [
    "#7b828c", "#b42318", "#c4581d", "#a86b12", "#2f6f9f", "#6d5bb0", "#2f7d4f",
];

fn series_fill(n: usize) -> String {
    let n = if n == 0 {
        0
    } else {
        (n - 1) % (SERIES.len() - 1) + 1
    };
    format!("fill:var(--fb-series-{n},{})", SERIES[n])
}

/// The severity series of a set of incidents, in rank order, "unspecified" last.
fn severity_series(incidents: &[Incident]) -> Vec<(Option<String>, LegendItem)> {
    let mut names: Vec<&str> = incidents.iter().filter_map(|i| i.severity).collect();
    names.sort_by_key(|s| severity_order(s));
    names.dedup_by(|a, b| severity_order(a).1 == severity_order(b).1);
    let mut out: Vec<(Option<String>, LegendItem)> = names
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let label = s.trim().to_string();
            (
                Some(severity_order(s).1),
                LegendItem {
                    label,
                    series: i + 1,
                },
            )
        })
        .collect();
    if incidents.iter().any(|i| i.severity.is_none()) {
        out.push((
            None,
            LegendItem {
                label: "unspecified".into(),
                series: 0,
            },
        ));
    }
    out
}

fn series_of(series: &[(Option<String>, LegendItem)], sev: Option<&str>) -> usize {
    let key = sev.map(|s| severity_order(s).1);
    series.iter().position(|(k, _)| *k == key).unwrap_or(0)
}

/// Escape text for SVG (XML) content and attribute values.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A round step for a count axis reaching `max`: 1, 2, 5, 10, 20, 50, ...
fn count_step(max: usize) -> usize {
    let mut base = 1;
    loop {
        for m in [1, 2, 5] {
            if max.div_ceil(base * m) <= 5 {
                return base * m;
            }
        }
        base *= 10;
    }
}

/// Geometry shared by the charts over time.
struct TimeAxis {
    left: f64,
    top: f64,
    plot_h: f64,
    slot: f64,
    width: f64,
    height: f64,
}

impl TimeAxis {
    fn new(n: usize) -> TimeAxis {
        let slot = (420.0 / n.max(1) as f64).clamp(10.0, 48.0);
        let (left, top, plot_h) = (56.0, 12.0, 180.0);
        TimeAxis {
            left,
            top,
            plot_h,
            slot,
            width: left + slot * n.max(1) as f64 + 12.0,
            height: top + plot_h + 34.0,
        }
    }

    fn center(&self, i: usize) -> f64 {
        self.left + self.slot * (i as f64 + 0.5)
    }

    fn base(&self) -> f64 {
        self.top + self.plot_h
    }

    /// The opening tag, title, description, baseline and period labels.
    fn open(&self, id: &str, class: &str, title: &str, desc: &str, labels: &[String]) -> String {
        let mut s = String::new();
        let _ = write!(
            s,
            r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart {class}" viewBox="0 0 {w:.0} {h:.0}" role="img" aria-labelledby="{id}-title {id}-desc"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
            esc(title),
            esc(desc),
            w = self.width,
            h = self.height,
        );
        let _ = write!(
            s,
            r#"<line x1="{x1:.1}" y1="{y:.1}" x2="{x2:.1}" y2="{y:.1}" stroke="currentColor" stroke-opacity="0.5"/>"#,
            x1 = self.left,
            x2 = self.width - 12.0,
            y = self.base(),
        );
        // Every k-th label, so that they do not run into each other.
        let every = (labels.len() as f64 * 52.0 / (self.width - self.left))
            .ceil()
            .max(1.0) as usize;
        for (i, l) in labels.iter().enumerate().filter(|(i, _)| i % every == 0) {
            let _ = write!(
                s,
                r#"<text x="{x:.1}" y="{y:.1}" text-anchor="middle" font-size="11" fill="currentColor">{}</text>"#,
                esc(l),
                x = self.center(i),
                y = self.base() + 18.0,
            );
        }
        s
    }

    /// A horizontal grid line with its label at `y`.
    fn grid(&self, s: &mut String, y: f64, label: &str) {
        let _ = write!(
            s,
            r#"<line x1="{x1:.1}" y1="{y:.1}" x2="{x2:.1}" y2="{y:.1}" stroke="currentColor" stroke-opacity="0.15"/><text x="{tx:.1}" y="{ty:.1}" text-anchor="end" font-size="11" fill="currentColor">{label}</text>"#,
            x1 = self.left,
            x2 = self.width - 12.0,
            tx = self.left - 6.0,
            ty = y + 4.0,
        );
    }
}

/// The first and last day the history spans: the earliest incident to `today` (or the
/// latest incident, if later).
fn span(incidents: &[Incident], today: Date) -> Option<(Date, Date)> {
    let first = incidents.iter().map(|i| i.date).min()?;
    let last = incidents.iter().map(|i| i.date).max()?.max(today);
    Some((first, last))
}

/// Incidents per month (quarter or year when the history is long), stacked by severity.
/// `None` without incidents.
pub fn incidents_over_time(incidents: &[Incident], today: Date) -> Option<Chart> {
    let (first, last) = span(incidents, today)?;
    let step = Step::fitting(first, last, 18, Step::Month);
    let periods = step.periods(first, last);
    let series = severity_series(incidents);
    let mut counts = vec![vec![0usize; series.len()]; periods.len()];
    for inc in incidents {
        let p = periods.binary_search(&step.of(inc.date)).unwrap_or(0);
        counts[p][series_of(&series, inc.severity)] += 1;
    }
    let totals: Vec<usize> = counts.iter().map(|c| c.iter().sum()).collect();
    let max = totals.iter().copied().max().unwrap_or(0).max(1);
    let tick = count_step(max);
    let top = max.div_ceil(tick) * tick;
    let labels: Vec<String> = periods.iter().map(|p| step.label(*p)).collect();
    let axis = TimeAxis::new(periods.len());
    let busiest = totals
        .iter()
        .enumerate()
        .max_by_key(|(i, t)| (**t, std::cmp::Reverse(*i)))
        .map(|(i, t)| format!("; most in {}: {t}", labels[i]))
        .unwrap_or_default();
    let desc = format!(
        "{} incident{} from {} to {}, counted per {}{busiest}. The table below lists every {}.",
        incidents.len(),
        if incidents.len() == 1 { "" } else { "s" },
        labels[0],
        labels[labels.len() - 1],
        step.noun(),
        step.noun(),
    );
    let mut s = axis.open(
        "incidents-chart",
        "incidents-over-time",
        &format!("Incidents per {}, by severity", step.noun()),
        &desc,
        &labels,
    );
    let scale = axis.plot_h / top as f64;
    for v in (tick..=top).step_by(tick) {
        axis.grid(&mut s, axis.base() - v as f64 * scale, &v.to_string());
    }
    axis.grid(&mut s, axis.base(), "0");
    let bar = axis.slot * 0.7;
    for (i, row) in counts.iter().enumerate() {
        let mut y = axis.base();
        for (k, &n) in row.iter().enumerate().filter(|(_, n)| **n > 0) {
            let h = n as f64 * scale;
            y -= h;
            let _ = write!(
                s,
                r#"<rect class="series-{c}" x="{x:.1}" y="{y:.1}" width="{bar:.1}" height="{h:.1}" style="{fill}"><title>{}: {n} {}</title></rect>"#,
                esc(&labels[i]),
                esc(&series[k].1.label),
                c = series[k].1.series,
                x = axis.center(i) - bar / 2.0,
                fill = series_fill(series[k].1.series),
            );
        }
    }
    s.push_str("</svg>");
    let mut head = vec![step.noun()[..1].to_uppercase() + &step.noun()[1..]];
    head.extend(series.iter().map(|(_, l)| l.label.clone()));
    head.push("Total".into());
    let rows = counts
        .iter()
        .zip(&labels)
        .zip(&totals)
        .map(|((row, label), total)| {
            let mut r = vec![label.clone()];
            r.extend(row.iter().map(usize::to_string));
            r.push(total.to_string());
            r
        })
        .collect();
    Some(Chart {
        id: "incidents-chart",
        svg: s,
        legend: series.into_iter().map(|(_, l)| l).collect(),
        table: DataTable { head, rows },
    })
}

/// Tick marks of the duration axis, in minutes.
const DURATION_TICKS: [(u64, &str); 8] = [
    (1, "1 min"),
    (10, "10 min"),
    (60, "1 h"),
    (360, "6 h"),
    (1440, "1 day"),
    (10080, "1 week"),
    (43200, "30 days"),
    (525600, "1 year"),
];

/// `95` → "1 h 35 min", `4320` → "3 d".
pub fn human_minutes(m: u64) -> String {
    match m {
        0..60 => format!("{m} min"),
        60..1440 if m.is_multiple_of(60) => format!("{} h", m / 60),
        60..1440 => format!("{} h {} min", m / 60, m % 60),
        _ if m.is_multiple_of(1440) => format!("{} d", m / 1440),
        _ => format!("{} d {} h", m / 1440, (m % 1440) / 60),
    }
}

/// The median of sorted values (the lower middle of an even count: a real incident's value).
fn median(sorted: &[u64]) -> Option<u64> {
    (!sorted.is_empty()).then(|| sorted[(sorted.len() - 1) / 2])
}

/// Durations over time as a strip plot on a log scale: every incident a dot in its quarter
/// (month or year when the history is short or long), with each period's range and median.
/// `None` when no incident has a duration.
pub fn durations_over_time(incidents: &[Incident], today: Date) -> Option<Chart> {
    let timed: Vec<&Incident> = incidents.iter().filter(|i| i.minutes.is_some()).collect();
    let (first, last) = span(incidents, today)?;
    if timed.is_empty() {
        return None;
    }
    let months = Step::Month.periods(first, last).len();
    let finest = if months <= 6 {
        Step::Month
    } else {
        Step::Quarter
    };
    let step = Step::fitting(first, last, 16, finest);
    let periods = step.periods(first, last);
    let labels: Vec<String> = periods.iter().map(|p| step.label(*p)).collect();
    let series = severity_series(incidents);
    let mut per: Vec<Vec<&Incident>> = vec![Vec::new(); periods.len()];
    for inc in &timed {
        let p = periods.binary_search(&step.of(inc.date)).unwrap_or(0);
        per[p].push(inc);
    }
    for p in &mut per {
        p.sort_by(|a, b| a.date.cmp(&b.date).then_with(|| a.title.cmp(b.title)));
    }
    let mins = || timed.iter().map(|i| i.minutes.unwrap_or(1).max(1));
    let (lo_v, hi_v) = (mins().min().unwrap_or(1), mins().max().unwrap_or(1));
    let lo = DURATION_TICKS
        .iter()
        .rposition(|t| t.0 <= lo_v)
        .unwrap_or(0);
    let hi = DURATION_TICKS
        .iter()
        .position(|t| t.0 >= hi_v)
        .unwrap_or(DURATION_TICKS.len() - 1)
        .max(lo + 1);
    let (ln_lo, ln_hi) = (
        (DURATION_TICKS[lo].0 as f64).ln(),
        (DURATION_TICKS[hi].0 as f64).ln(),
    );
    let axis = TimeAxis::new(periods.len());
    let y_of = |m: u64| {
        let v = (m.max(1) as f64).ln().clamp(ln_lo, ln_hi);
        axis.base() - (v - ln_lo) / (ln_hi - ln_lo) * axis.plot_h
    };
    let all: Vec<u64> = {
        let mut v: Vec<u64> = mins().collect();
        v.sort_unstable();
        v
    };
    let desc = format!(
        "{} incident{} with a duration, per {}, on a logarithmic scale from {} to {}; shortest {}, median {}, longest {}.{} The table below lists each {}'s incidents.",
        timed.len(),
        if timed.len() == 1 { "" } else { "s" },
        step.noun(),
        DURATION_TICKS[lo].1,
        DURATION_TICKS[hi].1,
        human_minutes(lo_v),
        human_minutes(median(&all).unwrap_or(0)),
        human_minutes(hi_v),
        match incidents.len() - timed.len() {
            0 => String::new(),
            n => format!(" {n} without a duration are left out."),
        },
        step.noun(),
    );
    let mut s = axis.open(
        "durations-chart",
        "durations-over-time",
        &format!("Incident durations per {}", step.noun()),
        &desc,
        &labels,
    );
    for (m, label) in &DURATION_TICKS[lo..=hi] {
        axis.grid(&mut s, y_of(*m), label);
    }
    let mut rows = Vec::new();
    for (i, incs) in per.iter().enumerate() {
        let mut vals: Vec<u64> = incs.iter().map(|x| x.minutes.unwrap_or(1).max(1)).collect();
        vals.sort_unstable();
        let cx = axis.center(i);
        if let (Some(&min), Some(&max), Some(med)) = (vals.first(), vals.last(), median(&vals)) {
            if vals.len() > 1 {
                let half = (axis.slot * 0.35).min(12.0);
                let _ = write!(
                    s,
                    r#"<g class="spread"><title>{}: {} incidents, median {}</title><line x1="{cx:.1}" y1="{y1:.1}" x2="{cx:.1}" y2="{y2:.1}" stroke="currentColor" stroke-opacity="0.45" stroke-width="2"/><line x1="{mx1:.1}" y1="{my:.1}" x2="{mx2:.1}" y2="{my:.1}" stroke="currentColor" stroke-width="2.5"/></g>"#,
                    esc(&labels[i]),
                    vals.len(),
                    human_minutes(med),
                    y1 = y_of(max),
                    y2 = y_of(min),
                    mx1 = cx - half,
                    mx2 = cx + half,
                    my = y_of(med),
                );
            }
            rows.push(vec![
                labels[i].clone(),
                vals.len().to_string(),
                human_minutes(min),
                human_minutes(med),
                human_minutes(max),
            ]);
        }
        // Dots side by side within the slot so that equal durations stay visible.
        let spread = (axis.slot * 0.6).min(24.0);
        for (k, inc) in incs.iter().enumerate() {
            let offset = if incs.len() > 1 {
                (k as f64 / (incs.len() - 1) as f64 - 0.5) * spread
            } else {
                0.0
            };
            let m = inc.minutes.unwrap_or(1);
            let c = series[series_of(&series, inc.severity)].1.series;
            let _ = write!(
                s,
                r#"<circle class="dot series-{c}" cx="{x:.1}" cy="{y:.1}" r="4" style="{fill}" stroke="currentColor" stroke-width="0.75"><title>{} ({}, {}): {}</title></circle>"#,
                esc(inc.title),
                inc.date,
                esc(inc.severity.unwrap_or("unspecified")),
                human_minutes(m),
                x = cx + offset,
                y = y_of(m),
                fill = series_fill(c),
            );
        }
    }
    s.push_str("</svg>");
    let noun = step.noun()[..1].to_uppercase() + &step.noun()[1..];
    Some(Chart {
        id: "durations-chart",
        svg: s,
        legend: series.into_iter().map(|(_, l)| l).collect(),
        table: DataTable {
            head: [noun.as_str(), "Incidents", "Shortest", "Median", "Longest"]
                .map(String::from)
                .to_vec(),
            rows,
        },
    })
}

/// Horizontal bars: incidents per service, most first (the first `max` services). `None`
/// when no incident names a service.
pub fn incidents_per_service(counts: &[(String, usize)], max: usize) -> Option<Chart> {
    let mut counts: Vec<&(String, usize)> = counts.iter().filter(|c| c.1 > 0).collect();
    if counts.is_empty() {
        return None;
    }
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let shown = &counts[..counts.len().min(max.max(1))];
    let top = shown[0].1.max(1);
    let (label_w, bar_w, row_h, pad) = (150.0, 270.0, 24.0, 8.0);
    let width = label_w + bar_w + 40.0;
    let height = pad * 2.0 + row_h * shown.len() as f64;
    let rest = counts.len() - shown.len();
    let desc = format!(
        "{}{}. The table below lists every service.",
        shown
            .iter()
            .map(|(n, c)| format!("{n}: {c}"))
            .collect::<Vec<_>>()
            .join("; "),
        if rest > 0 {
            format!("; and {rest} more services")
        } else {
            String::new()
        }
    );
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart incidents-per-service" viewBox="0 0 {width:.0} {height:.0}" role="img" aria-labelledby="services-chart-title services-chart-desc"><title id="services-chart-title">Incidents per service</title><desc id="services-chart-desc">{}</desc>"#,
        esc(&desc)
    );
    for (i, (name, n)) in shown.iter().enumerate() {
        let y = pad + row_h * i as f64;
        let shown_name: String = if name.chars().count() > 22 {
            name.chars().take(21).collect::<String>() + "…"
        } else {
            name.clone()
        };
        let w = (*n as f64 / top as f64 * bar_w).max(2.0);
        let _ = write!(
            s,
            r#"<g class="bar"><title>{}: {n}</title><text x="{tx:.1}" y="{ty:.1}" text-anchor="end" font-size="12" fill="currentColor">{}</text><rect class="series-4" x="{label_w:.1}" y="{ry:.1}" width="{w:.1}" height="{bh:.1}" rx="2" style="{fill}"/><text x="{cx:.1}" y="{ty:.1}" font-size="12" fill="currentColor">{n}</text></g>"#,
            esc(name),
            esc(&shown_name),
            tx = label_w - 8.0,
            ty = y + row_h / 2.0 + 4.0,
            ry = y + 4.0,
            bh = row_h - 8.0,
            cx = label_w + w + 6.0,
            fill = series_fill(4),
        );
    }
    s.push_str("</svg>");
    Some(Chart {
        id: "services-chart",
        svg: s,
        legend: Vec::new(),
        table: DataTable {
            head: vec!["Service".into(), "Incidents".into()],
            rows: counts
                .iter()
                .map(|(n, c)| vec![n.clone(), c.to_string()])
                .collect(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_by_age() {
        let today = Date::parse("2026-11-27").unwrap();
        let d = |s| Some(Date::parse(s).unwrap());
        let c = buckets(
            today,
            [
                d("2026-11-27"),
                d("2026-10-28"),
                d("2026-08-01"),
                d("2025-01-01"),
                None,
                d("2026-12-01"),
            ],
        );
        assert_eq!(c, [3, 0, 1, 0, 1, 1]);
    }

    #[test]
    fn svg_is_labelled_and_deterministic() {
        let svg = review_age_svg(&[3, 0, 1, 0, 1, 1]);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("role=\"img\"") && svg.contains("never reviewed: 1"));
        assert_eq!(svg, review_age_svg(&[3, 0, 1, 0, 1, 1]));
        assert!(review_age_svg(&[0; 6]).contains("0 documents"));
    }

    fn day(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    fn inc<'a>(
        date: &str,
        title: &'a str,
        sev: Option<&'a str>,
        minutes: Option<u64>,
    ) -> Incident<'a> {
        Incident {
            date: day(date),
            title,
            severity: sev,
            minutes,
        }
    }

    /// Well-formed XML, labelled, and free of non-numbers.
    fn well_formed(svg: &str) {
        let doc = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("{e}: {svg}"));
        assert_eq!(doc.root_element().attribute("role"), Some("img"));
        assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
    }

    #[test]
    fn steps_fit_the_span() {
        let (a, b) = (day("2026-01-15"), day("2026-11-27"));
        assert_eq!(Step::fitting(a, b, 18, Step::Month), Step::Month);
        assert_eq!(Step::Month.periods(a, b).len(), 11);
        let long = day("2023-02-01");
        assert_eq!(Step::fitting(long, b, 18, Step::Month), Step::Quarter);
        assert_eq!(Step::Quarter.periods(long, b).len(), 16);
        assert_eq!(Step::Quarter.label((2023, 1)), "2023 Q1");
        assert_eq!(
            Step::fitting(day("2001-01-01"), b, 16, Step::Month),
            Step::Year
        );
        // A year's turn.
        assert_eq!(
            Step::Month.periods(day("2025-12-31"), day("2026-01-01")),
            [(2025, 12), (2026, 1)]
        );
        assert_eq!(Step::Year.periods(b, b), [(2026, 0)]);
    }

    #[test]
    fn severities_rank_as_people_rank_them() {
        let mut s = vec!["low", "SEV2", "critical", "sev-1", "P3", "weird", "high"];
        s.sort_by_key(|x| severity_order(x));
        assert_eq!(
            s,
            ["critical", "high", "low", "sev-1", "SEV2", "P3", "weird"]
        );
    }

    #[test]
    fn count_axis_steps_are_round() {
        let steps: Vec<usize> = [1, 5, 6, 9, 10, 11, 24, 26, 60, 240]
            .map(count_step)
            .to_vec();
        assert_eq!(steps, [1, 1, 2, 2, 2, 5, 5, 10, 20, 50]);
    }

    #[test]
    fn durations_read_as_people_write_them() {
        assert_eq!(human_minutes(45), "45 min");
        assert_eq!(human_minutes(120), "2 h");
        assert_eq!(human_minutes(96), "1 h 36 min");
        assert_eq!(human_minutes(2880), "2 d");
        assert_eq!(human_minutes(1500), "1 d 1 h");
    }

    #[test]
    fn no_incidents_no_charts() {
        let today = day("2026-11-27");
        assert!(incidents_over_time(&[], today).is_none());
        assert!(durations_over_time(&[], today).is_none());
        assert!(incidents_per_service(&[], 12).is_none());
        // Incidents without durations: no duration chart.
        let one = [inc("2026-11-01", "A", None, None)];
        assert!(durations_over_time(&one, today).is_none());
    }

    #[test]
    fn one_incident_draws_without_division_by_zero() {
        let today = day("2026-11-27");
        let one = [inc("2026-11-27", "Only", Some("SEV1"), Some(0))];
        let counts = incidents_over_time(&one, today).unwrap();
        well_formed(&counts.svg);
        assert_eq!(counts.table.rows, [vec!["2026-11", "1", "1"]]);
        let d = durations_over_time(&one, today).unwrap();
        well_formed(&d.svg);
        assert_eq!(d.svg.matches("<circle").count(), 1);
        let s = incidents_per_service(&[("api".into(), 1)], 12).unwrap();
        well_formed(&s.svg);
    }

    #[test]
    fn incident_charts_are_escaped_deterministic_and_complete() {
        let today = day("2026-11-27");
        let incs = [
            inc("2025-01-10", "A <b>&", Some("<SEV1>"), Some(30)),
            inc("2025-01-20", "B", Some("SEV2"), Some(300)),
            inc("2025-02-01", "C", None, Some(4000)),
            inc("2026-06-01", "D", Some("SEV2"), None),
        ];
        let a = incidents_over_time(&incs, today).unwrap();
        assert_eq!(a, incidents_over_time(&incs, today).unwrap());
        well_formed(&a.svg);
        assert!(a.svg.contains("&lt;SEV1&gt;") && !a.svg.contains("<SEV1>"));
        // One stacked segment per (period, severity) with incidents; every period a row.
        assert_eq!(a.svg.matches("<rect").count(), 4);
        assert_eq!(a.table.rows.len(), 8, "2025 Q1 to 2026 Q4");
        let legend: Vec<&str> = a.legend.iter().map(|l| l.label.as_str()).collect();
        assert_eq!(legend, ["SEV2", "<SEV1>", "unspecified"]);
        assert_eq!(a.legend[2].series, 0);

        let d = durations_over_time(&incs, today).unwrap();
        well_formed(&d.svg);
        assert!(
            d.svg
                .contains("A &lt;b&gt;&amp; (2025-01-10, &lt;SEV1&gt;): 30 min")
        );
        assert_eq!(d.svg.matches("<circle").count(), 3, "D has no duration");
        assert!(d.svg.contains("1 without a duration are left out"));
        // The quarter with three incidents: its spread and median.
        assert_eq!(
            d.table.rows[0],
            ["2025 Q1", "3", "30 min", "5 h", "2 d 18 h"]
        );
        assert_eq!(d.svg.matches("class=\"spread\"").count(), 1);

        let many: Vec<(String, usize)> = (0..20).map(|i| (format!("svc-{i:02}"), 20 - i)).collect();
        let s = incidents_per_service(&many, 12).unwrap();
        well_formed(&s.svg);
        assert_eq!(s.svg.matches("<rect").count(), 12);
        assert_eq!(s.table.rows.len(), 20);
        assert!(s.svg.contains("and 8 more services"));
    }
}
