//! Writing metrics in the Prometheus text format 0.0.4 or in OpenMetrics 1.0.

use std::fmt::Write;

use super::histogram::{BOUNDS_SECONDS, HistogramSnapshot};

/// The exposition formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    /// `text/plain; version=0.0.4`, what Prometheus has always read.
    Text,
    /// `application/openmetrics-text; version=1.0.0`, when the scraper asks for it.
    OpenMetrics,
}

impl Format {
    /// The format a scraper's `Accept` header asks for.
    pub(crate) fn negotiate(accept: Option<&str>) -> Format {
        match accept {
            Some(accept) if accept.contains("application/openmetrics-text") => Format::OpenMetrics,
            _ => Format::Text,
        }
    }

    /// The `Content-Type` of the format.
    pub(crate) fn content_type(self) -> &'static str {
        match self {
            Format::Text => "text/plain; version=0.0.4; charset=utf-8",
            Format::OpenMetrics => "application/openmetrics-text; version=1.0.0; charset=utf-8",
        }
    }
}

/// The kinds of metric families.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Counter,
    Gauge,
    Histogram,
    /// A gauge of 1 whose labels carry facts; `info` in OpenMetrics.
    Info,
}

/// A label set, as `(name, value)` pairs.
pub(crate) type Labels<'a> = &'a [(&'a str, &'a str)];

/// An exposition being written.
pub(crate) struct Exposition {
    format: Format,
    out: String,
}

impl Exposition {
    pub(crate) fn new(format: Format) -> Self {
        Exposition {
            format,
            out: String::with_capacity(16 * 1024),
        }
    }

    /// Starts a family. Counter names end in `_total`; OpenMetrics names the family without it.
    pub(crate) fn family(&mut self, name: &str, help: &str, kind: Kind) {
        let (family, kind) = match (self.format, kind) {
            (Format::OpenMetrics, Kind::Counter) => {
                (name.strip_suffix("_total").unwrap_or(name), "counter")
            }
            (Format::OpenMetrics, Kind::Info) => {
                (name.strip_suffix("_info").unwrap_or(name), "info")
            }
            (_, Kind::Counter) => (name, "counter"),
            (_, Kind::Gauge | Kind::Info) => (name, "gauge"),
            (_, Kind::Histogram) => (name, "histogram"),
        };
        let _ = writeln!(self.out, "# HELP {family} {help}");
        let _ = writeln!(self.out, "# TYPE {family} {kind}");
    }

    /// One sample.
    pub(crate) fn sample(&mut self, name: &str, labels: Labels<'_>, value: f64) {
        self.out.push_str(name);
        self.labels(labels, None);
        let _ = writeln!(self.out, " {}", number(value));
    }

    /// The `_bucket`, `_sum` and `_count` samples of a histogram.
    pub(crate) fn histogram(
        &mut self,
        name: &str,
        labels: Labels<'_>,
        snapshot: &HistogramSnapshot,
    ) {
        // Bounds as floats (`10.0`, not `10`), as OpenMetrics asks.
        let bounds = BOUNDS_SECONDS
            .iter()
            .map(|bound| format!("{bound:?}"))
            .chain(["+Inf".to_owned()]);
        for (bound, count) in bounds.zip(snapshot.cumulative) {
            let _ = write!(self.out, "{name}_bucket");
            self.labels(labels, Some(&bound));
            let _ = writeln!(self.out, " {count}");
        }
        self.sample(&format!("{name}_sum"), labels, snapshot.sum_seconds);
        self.sample(&format!("{name}_count"), labels, snapshot.count() as f64);
    }

    fn labels(&mut self, labels: Labels<'_>, le: Option<&str>) {
        if labels.is_empty() && le.is_none() {
            return;
        }
        self.out.push('{');
        let all = labels.iter().copied().chain(le.map(|le| ("le", le)));
        for (i, (name, value)) in all.enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            let _ = write!(self.out, "{name}=\"");
            escape_into(&mut self.out, value);
            self.out.push('"');
        }
        self.out.push('}');
    }

    /// The finished text.
    pub(crate) fn finish(mut self) -> String {
        if self.format == Format::OpenMetrics {
            self.out.push_str("# EOF\n");
        }
        self.out
    }
}

/// A number as Prometheus writes it: integers without a fraction, `+Inf`, `NaN`.
fn number(value: f64) -> String {
    if value.is_infinite() {
        if value > 0.0 {
            "+Inf".to_owned()
        } else {
            "-Inf".to_owned()
        }
    } else if value.is_nan() {
        "NaN".to_owned()
    } else {
        format!("{value}")
    }
}

/// Label values escape `\`, `"` and newlines.
fn escape_into(out: &mut String, value: &str) {
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiates_openmetrics_only_when_asked() {
        assert_eq!(Format::negotiate(None), Format::Text);
        assert_eq!(
            Format::negotiate(Some("text/plain;version=0.0.4;q=0.5,*/*;q=0.1")),
            Format::Text
        );
        assert_eq!(
            Format::negotiate(Some(
                "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5"
            )),
            Format::OpenMetrics
        );
    }

    #[test]
    fn writes_families_samples_and_escaped_labels() {
        let mut text = Exposition::new(Format::Text);
        text.family("jobs_total", "Jobs done.", Kind::Counter);
        text.sample("jobs_total", &[("queue", "a\"b\\c\nd")], 3.0);
        text.family("service_info", "Facts.", Kind::Info);
        text.sample("service_info", &[("service_version", "1.0")], 1.0);
        assert_eq!(
            text.finish(),
            "# HELP jobs_total Jobs done.\n# TYPE jobs_total counter\njobs_total{queue=\"a\\\"b\\\\c\\nd\"} 3\n\
             # HELP service_info Facts.\n# TYPE service_info gauge\nservice_info{service_version=\"1.0\"} 1\n"
        );
        let mut open = Exposition::new(Format::OpenMetrics);
        open.family("jobs_total", "Jobs done.", Kind::Counter);
        open.sample("jobs_total", &[], 0.5);
        open.family("service_info", "Facts.", Kind::Info);
        assert_eq!(
            open.finish(),
            "# HELP jobs Jobs done.\n# TYPE jobs counter\njobs_total 0.5\n# HELP service Facts.\n# TYPE service info\n# EOF\n"
        );
    }

    #[test]
    fn histograms_are_cumulative_and_count_equals_the_inf_bucket() {
        let histogram = super::super::histogram::AtomicHistogram::new();
        histogram.observe(std::time::Duration::from_millis(20));
        histogram.observe(std::time::Duration::from_secs(30));
        let mut text = Exposition::new(Format::Text);
        text.histogram("d_seconds", &[("r", "/x")], &histogram.snapshot());
        let text = text.finish();
        assert!(
            text.contains("d_seconds_bucket{r=\"/x\",le=\"0.01\"} 0\n"),
            "{text}"
        );
        assert!(
            text.contains("d_seconds_bucket{r=\"/x\",le=\"0.025\"} 1\n"),
            "{text}"
        );
        assert!(
            text.contains("d_seconds_bucket{r=\"/x\",le=\"10.0\"} 1\n"),
            "{text}"
        );
        assert!(
            text.contains("d_seconds_bucket{r=\"/x\",le=\"+Inf\"} 2\n"),
            "{text}"
        );
        assert!(text.contains("d_seconds_sum{r=\"/x\"} 30.02\n"), "{text}");
        assert!(text.contains("d_seconds_count{r=\"/x\"} 2\n"), "{text}");
    }
}
