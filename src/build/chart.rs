//! The freshness report's chart: how long ago documents were reviewed, as an inline SVG bar
//! chart drawn at build time (no script, readable by screen readers and in print).

use crate::date::Date;
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
}
