//! Calendar dates and review periods (`90d`, `6w`, `3m`, `1y`, `never`) with FORMAT.md's
//! arithmetic: months and years are calendar units that clamp to the end of a shorter month.

use chrono::{Days, Months, NaiveDate};
use std::fmt;

/// A calendar date without time zone: review dates are days, not instants.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(NaiveDate);

impl Date {
    /// Parse `YYYY-MM-DD` strictly: exactly that shape, and a day that exists.
    pub fn parse(s: &str) -> Result<Date, String> {
        let b = s.as_bytes();
        let shape_ok = b.len() == 10
            && b[4] == b'-'
            && b[7] == b'-'
            && b.iter()
                .enumerate()
                .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
        if !shape_ok {
            return Err(format!("`{s}` is not a date of the form YYYY-MM-DD"));
        }
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Date)
            .map_err(|_| format!("`{s}` is not a day of the calendar"))
    }

    pub fn from_ymd(y: i32, m: u32, d: u32) -> Option<Date> {
        NaiveDate::from_ymd_opt(y, m, d).map(Date)
    }

    /// The year and month (1–12), for grouping by calendar period.
    pub fn year_month(self) -> (i32, u32) {
        use chrono::Datelike;
        (self.0.year(), self.0.month())
    }

    /// Today in the local time zone: the day the person running the build lives in.
    pub fn today() -> Date {
        Date(chrono::Local::now().date_naive())
    }

    /// Days from `self` to `later` (negative when `later` is earlier).
    pub fn days_until(self, later: Date) -> i64 {
        (later.0 - self.0).num_days()
    }

    pub fn plus(self, p: Period) -> Option<Date> {
        let d = match p {
            Period::Never => return None,
            Period::Days(n) => self.0.checked_add_days(Days::new(n.into())),
            Period::Weeks(n) => self.0.checked_add_days(Days::new(u64::from(n) * 7)),
            Period::Months(n) => self.0.checked_add_months(Months::new(n)),
            Period::Years(n) => self.0.checked_add_months(Months::new(n.saturating_mul(12))),
        };
        d.map(Date)
    }

    pub fn sub_days(self, n: u32) -> Date {
        Date(
            self.0
                .checked_sub_days(Days::new(n.into()))
                .unwrap_or(self.0),
        )
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m-%d"))
    }
}

impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// How often a document must be reviewed, or how long a postmortem may run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Period {
    Days(u32),
    Weeks(u32),
    Months(u32),
    Years(u32),
    Never,
}

impl Period {
    /// `Nd`, `Nw`, `Nm`, `Ny` or `never`.
    pub fn parse(s: &str) -> Result<Period, String> {
        let s = s.trim();
        if s == "never" {
            return Ok(Period::Never);
        }
        let err = || {
            format!(
                "`{s}` is not a period: write a number and a unit (`90d`, `6w`, `3m`, `1y`) or `never`"
            )
        };
        let (num, unit) = split_unit(s);
        if num.is_empty() || !num.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err());
        }
        let n: u32 = num.parse().map_err(|_| err())?;
        if n == 0 {
            return Err(format!(
                "`{s}` is zero: a review period must be at least one day"
            ));
        }
        // Bounded so that date arithmetic can never overflow: 1000 years is "never" in practice.
        let days_equiv = match unit {
            "d" => u64::from(n),
            "w" => u64::from(n) * 7,
            "m" => u64::from(n) * 31,
            "y" => u64::from(n) * 366,
            _ => return Err(err()),
        };
        if days_equiv > 366_000 {
            return Err(format!("`{s}` is longer than 1000 years: use `never`"));
        }
        Ok(match unit {
            "d" => Period::Days(n),
            "w" => Period::Weeks(n),
            "m" => Period::Months(n),
            _ => Period::Years(n),
        })
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Days(n) => write!(f, "{n}d"),
            Period::Weeks(n) => write!(f, "{n}w"),
            Period::Months(n) => write!(f, "{n}m"),
            Period::Years(n) => write!(f, "{n}y"),
            Period::Never => f.write_str("never"),
        }
    }
}

impl serde::Serialize for Period {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A number and its one-character unit. The unit need not be ASCII: `5é` is an error for
/// the caller to report, not a panic (found by fuzzing).
fn split_unit(s: &str) -> (&str, &str) {
    s.split_at(s.char_indices().last().map_or(0, |(i, _)| i))
}

/// Postmortem `duration`: `Nm`, `Nh`, `Nd` (minutes, hours, days), as minutes.
pub fn parse_duration_minutes(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let err = || format!("`{s}` is not a duration: write a number and a unit (`45m`, `3h`, `2d`)");
    let (num, unit) = split_unit(s);
    if num.is_empty() || !num.bytes().all(|b| b.is_ascii_digit()) || num.len() > 9 {
        return Err(err());
    }
    let n: u64 = num.parse().map_err(|_| err())?;
    match unit {
        "m" => Ok(n),
        "h" => Ok(n * 60),
        "d" => Ok(n * 60 * 24),
        _ => Err(err()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn strict_dates() {
        assert!(Date::parse("2026-02-30").unwrap_err().contains("not a day"));
        assert!(Date::parse("2026-2-3").is_err());
        assert!(Date::parse("2026-02-03T00:00").is_err());
        assert!(Date::parse(" 2026-02-03").is_err());
        assert_eq!(d("2024-02-29").to_string(), "2024-02-29");
    }

    #[test]
    fn month_arithmetic_clamps_to_month_end() {
        let p = Period::parse("1m").unwrap();
        assert_eq!(d("2026-01-31").plus(p), Some(d("2026-02-28")));
        assert_eq!(
            d("2024-02-29").plus(Period::Years(1)),
            Some(d("2025-02-28"))
        );
        assert_eq!(
            d("2026-11-27").plus(Period::Days(90)),
            Some(d("2027-02-25"))
        );
        assert_eq!(
            d("2026-11-27").plus(Period::Weeks(2)),
            Some(d("2026-12-11"))
        );
        assert_eq!(d("2026-11-27").plus(Period::Never), None);
    }

    #[test]
    fn periods() {
        assert_eq!(Period::parse("never"), Ok(Period::Never));
        assert_eq!(Period::parse("6w"), Ok(Period::Weeks(6)));
        for bad in [
            "",
            "d",
            "90",
            "9x",
            "-3d",
            "0d",
            "1.5m",
            "99999999999d",
            "1001y",
            "5é",
            "é",
            "14\u{fffd}",
        ] {
            assert!(Period::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration_minutes("3h"), Ok(180));
        assert_eq!(parse_duration_minutes("2d"), Ok(2880));
        assert!(parse_duration_minutes("2é").is_err());
        assert!(parse_duration_minutes("3 hours").is_err());
    }
}
