//! Periods for usage queries, as the Console's Usage Data Explorer offers them: today, yesterday,
//! the last 7 or 30 days, month to date, or a custom from/to.
//!
//! A period is `[start, end)` on the measurement's `ts`, which is what `POST /usage/query` takes
//! (`startDate` inclusive, `endDate` exclusive). Presets are calendar days in the user's time zone,
//! resolved against a clock the caller passes in (so tests and a long-open screen agree on "now").
//!
//! Decisions: "last N days" is N calendar days ending with today (today included), and every
//! preset ends at the start of tomorrow, so usage sent later today shows up on a refresh.
//! A custom `to` that is a date is inclusive (the whole day), one that is a date-time is exclusive.

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveTime, SecondsFormat, TimeZone, Utc};
use std::fmt;

/// A usage-query period preset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Preset {
    Today,
    Yesterday,
    Last7Days,
    Last30Days,
    MonthToDate,
}

impl Preset {
    pub const ALL: [Preset; 5] = [
        Self::Today,
        Self::Yesterday,
        Self::Last7Days,
        Self::Last30Days,
        Self::MonthToDate,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Self::Today => "Today",
            Self::Yesterday => "Yesterday",
            Self::Last7Days => "Last 7 days",
            Self::Last30Days => "Last 30 days",
            Self::MonthToDate => "Month to date",
        }
    }

    /// The short name used on command lines (`today`, `yesterday`, `7d`, `30d`, `mtd`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Today => "today",
            Self::Yesterday => "yesterday",
            Self::Last7Days => "7d",
            Self::Last30Days => "30d",
            Self::MonthToDate => "mtd",
        }
    }

    /// Reads a preset by its short name or a spelled-out form (`last-7-days`, `month-to-date`).
    pub fn from_name(s: &str) -> Option<Preset> {
        let s = s.trim().to_ascii_lowercase().replace(['_', ' '], "-");
        Some(match s.as_str() {
            "today" => Self::Today,
            "yesterday" => Self::Yesterday,
            "7d" | "last-7-days" | "last7days" | "week" => Self::Last7Days,
            "30d" | "last-30-days" | "last30days" => Self::Last30Days,
            "mtd" | "month-to-date" | "month" => Self::MonthToDate,
            _ => return None,
        })
    }

    /// `[start, end)` of this preset at `now`, in `now`'s time zone.
    pub fn resolve<Tz: TimeZone>(self, now: &DateTime<Tz>) -> Period {
        let today = now.date_naive();
        let tomorrow = today + Days::new(1);
        let (from, to) = match self {
            Self::Today => (today, tomorrow),
            Self::Yesterday => (today - Days::new(1), today),
            Self::Last7Days => (today - Days::new(6), tomorrow),
            Self::Last30Days => (today - Days::new(29), tomorrow),
            Self::MonthToDate => (today.with_day(1).expect("day 1 exists"), tomorrow),
        };
        let tz = now.timezone();
        Period {
            start: start_of_day(&tz, from),
            end: start_of_day(&tz, to),
        }
    }
}

impl fmt::Display for Preset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// `[start, end)`, in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Period {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl Period {
    /// A custom period from typed text: each bound a date (`2026-11-01`) or an RFC 3339 date-time
    /// with an offset. Dates are days in `tz`; a `to` date includes that whole day.
    pub fn custom<Tz: TimeZone>(from: &str, to: &str, tz: &Tz) -> Result<Period, String> {
        let start = parse_bound("from", from, tz, false)?;
        let end = parse_bound("to", to, tz, true)?;
        if end <= start {
            return Err(format!(
                "to ({}) must be after from ({})",
                to.trim(),
                from.trim()
            ));
        }
        Ok(Period { start, end })
    }

    /// `startDate` as the usage query takes it (RFC 3339, UTC, milliseconds).
    pub fn start_date(&self) -> String {
        self.start.to_rfc3339_opts(SecondsFormat::Millis, true)
    }

    /// `endDate` (exclusive) as the usage query takes it.
    pub fn end_date(&self) -> String {
        self.end.to_rfc3339_opts(SecondsFormat::Millis, true)
    }

    pub fn contains(&self, t: &DateTime<Utc>) -> bool {
        self.start <= *t && *t < self.end
    }
}

fn start_of_day<Tz: TimeZone>(tz: &Tz, day: NaiveDate) -> DateTime<Utc> {
    let local = day.and_time(NaiveTime::MIN);
    // A day that starts in a DST gap starts at the earliest valid instant after midnight.
    tz.from_local_datetime(&local)
        .earliest()
        .or_else(|| {
            tz.from_local_datetime(&(local + chrono::Duration::hours(1)))
                .earliest()
        })
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&local))
}

fn parse_bound<Tz: TimeZone>(
    name: &str,
    text: &str,
    tz: &Tz,
    inclusive_day: bool,
) -> Result<DateTime<Utc>, String> {
    let text = text.trim();
    if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        let day = if inclusive_day {
            day + Days::new(1)
        } else {
            day
        };
        return Ok(start_of_day(tz, day));
    }
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            format!(
                "{name}: {text:?} is not a date (2026-11-01) or a date-time with an offset (2026-11-01T09:00:00Z)"
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::FixedOffset;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn now() -> DateTime<Utc> {
        utc("2026-11-25T13:34:00Z")
    }

    #[test]
    fn presets_in_utc() {
        let p = |preset: Preset| {
            let r = preset.resolve(&now());
            (r.start_date(), r.end_date())
        };
        let s = |a: &str, b: &str| (a.to_string(), b.to_string());
        assert_eq!(
            p(Preset::Today),
            s("2026-11-25T00:00:00.000Z", "2026-11-26T00:00:00.000Z")
        );
        assert_eq!(
            p(Preset::Yesterday),
            s("2026-11-24T00:00:00.000Z", "2026-11-25T00:00:00.000Z")
        );
        assert_eq!(
            p(Preset::Last7Days),
            s("2026-11-19T00:00:00.000Z", "2026-11-26T00:00:00.000Z")
        );
        assert_eq!(
            p(Preset::Last30Days),
            s("2026-10-27T00:00:00.000Z", "2026-11-26T00:00:00.000Z")
        );
        assert_eq!(
            p(Preset::MonthToDate),
            s("2026-11-01T00:00:00.000Z", "2026-11-26T00:00:00.000Z")
        );
    }

    #[test]
    fn presets_follow_the_clock_time_zone() {
        // 01:00 on the 26th in UTC+2 is still the 25th in UTC: "today" is the local day.
        let tz = FixedOffset::east_opt(2 * 3600).unwrap();
        let local_now = utc("2026-11-25T23:00:00Z").with_timezone(&tz);
        let today = Preset::Today.resolve(&local_now);
        assert_eq!(today.start, utc("2026-11-25T22:00:00Z"));
        assert_eq!(today.end, utc("2026-11-26T22:00:00Z"));
        assert!(today.contains(&utc("2026-11-25T23:00:00Z")));
    }

    #[test]
    fn month_to_date_on_the_first_is_one_day() {
        let r = Preset::MonthToDate.resolve(&utc("2026-03-01T05:00:00Z"));
        assert_eq!(r.end - r.start, chrono::Duration::days(1));
    }

    #[test]
    fn names_round_trip_and_spellings_read() {
        for p in Preset::ALL {
            assert_eq!(Preset::from_name(p.name()), Some(p));
        }
        assert_eq!(Preset::from_name("Last 7 days"), Some(Preset::Last7Days));
        assert_eq!(
            Preset::from_name("month_to_date"),
            Some(Preset::MonthToDate)
        );
        assert_eq!(Preset::from_name("fortnight"), None);
    }

    #[test]
    fn custom_dates_include_the_to_day_and_datetimes_are_exclusive() {
        let p = Period::custom("2026-11-01", "2026-11-03", &Utc).unwrap();
        assert_eq!(p.start, utc("2026-11-01T00:00:00Z"));
        assert_eq!(p.end, utc("2026-11-04T00:00:00Z"));
        let p = Period::custom("2026-11-01T09:00:00+01:00", "2026-11-01T10:00:00Z", &Utc).unwrap();
        assert_eq!(p.start, utc("2026-11-01T08:00:00Z"));
        assert_eq!(p.end, utc("2026-11-01T10:00:00Z"));
    }

    #[test]
    fn custom_errors_name_the_bound() {
        let e = Period::custom("yesterday-ish", "2026-11-03", &Utc).unwrap_err();
        assert!(e.starts_with("from: \"yesterday-ish\""), "{e}");
        let e = Period::custom("2026-11-03", "2026-11-01", &Utc).unwrap_err();
        assert!(e.contains("must be after"), "{e}");
        let e = Period::custom("2026-11-01", "2026-11-03T00:00:00", &Utc).unwrap_err();
        assert!(e.starts_with("to:"), "a naive date-time is refused: {e}");
    }
}
