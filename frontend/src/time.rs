//! Times and durations as pages show them.

use chrono::{DateTime, Utc};
use wasm_bindgen::JsValue;

/// A UTC instant as `YYYY-MM-DD HH:MM:SS` in the time zone `zone` (an IANA name such as the
/// dashboard's `TIMEZONE`), formatted by the browser; in UTC when the zone is unknown to it.
pub(crate) fn local_time(time: DateTime<Utc>, zone: &str) -> String {
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"timeZone".into(), &zone.into());
    let date = js_sys::Date::new(&JsValue::from_f64(time.timestamp_millis() as f64));
    // Called through `Reflect.apply`, which turns the RangeError of an unknown zone into an
    // `Err`. Swedish dates are ISO 8601 dates: `2026-11-21 09:30:00`.
    let formatted = js_sys::Reflect::get(&date, &"toLocaleString".into())
        .map(js_sys::Function::from)
        .and_then(|format| {
            js_sys::Reflect::apply(
                &format,
                &date,
                &js_sys::Array::of2(&"sv-SE".into(), &options),
            )
        });
    match formatted.ok().and_then(|value| value.as_string()) {
        Some(text) => text,
        None => time.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
    }
}

/// How long ago, roughly: `just now`, `5 min ago`, `3 h ago`, `2 days ago`.
pub(crate) fn ago(now: DateTime<Utc>, then: Option<DateTime<Utc>>) -> String {
    let Some(then) = then else {
        return "never".to_owned();
    };
    let seconds = (now - then).num_seconds().max(0);
    match seconds {
        0..60 => "just now".to_owned(),
        60..3600 => format!("{} min ago", seconds / 60),
        3600..86_400 => format!("{} h ago", seconds / 3600),
        _ => format!("{} days ago", seconds / 86_400),
    }
}

/// A duration with the precision it deserves: `850 µs`, `12.3 ms`, `1450 ms`.
pub(crate) fn duration(ms: f64) -> String {
    if ms < 1.0 {
        format!("{:.0} µs", ms * 1000.0)
    } else if ms < 100.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{ms:.0} ms")
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn durations_are_shown_with_a_fitting_unit() {
        assert_eq!(duration(0.0421), "42 µs");
        assert_eq!(duration(12.345), "12.3 ms");
        assert_eq!(duration(1450.2), "1450 ms");
    }

    #[test]
    fn last_requested_reads_as_time_ago() {
        let now = Utc.with_ymd_and_hms(2026, 11, 21, 12, 0, 0).unwrap();
        assert_eq!(ago(now, None), "never");
        assert_eq!(
            ago(now, Some(now - chrono::TimeDelta::seconds(20))),
            "just now"
        );
        assert_eq!(
            ago(now, Some(now - chrono::TimeDelta::minutes(5))),
            "5 min ago"
        );
        assert_eq!(ago(now, Some(now - chrono::TimeDelta::hours(3))), "3 h ago");
        assert_eq!(
            ago(now, Some(now - chrono::TimeDelta::days(2))),
            "2 days ago"
        );
    }
}
