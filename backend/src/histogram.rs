//! Logarithmic latency buckets: every duration falls in a bucket whose representative value is
//! within [`RELATIVE_ERROR`] of it, so quantiles computed from bucket counts are too.

use dashboard_shared::LatencyBox;

/// Ratio between consecutive bucket bounds.
const GAMMA: f64 = 1.03;

/// The bucket of a duration in milliseconds. Bucket `i` holds durations in
/// (γ^(i−1), γ^i] microseconds; everything up to 1 µs falls in bucket 0.
pub(crate) fn bucket_of(duration_ms: f64) -> i32 {
    let micros = duration_ms * 1000.0;
    if micros <= 1.0 || micros.is_nan() {
        return 0;
    }
    // At most ~1100 for a day-long request: far from i32's limits.
    (micros.ln() / GAMMA.ln()).ceil() as i32
}

/// The representative duration of a bucket, in milliseconds.
pub(crate) fn bucket_value(bucket: i32) -> f64 {
    2.0 * GAMMA.powi(bucket) / (GAMMA + 1.0) / 1000.0
}

/// The `q`-quantile (0 ≤ q ≤ 1) of the durations counted in `buckets` (bucket, count), sorted by
/// bucket; interpolates between ranks like the exact quantile does. `None` when there is no count.
pub(crate) fn quantile(buckets: &[(i32, u64)], q: f64) -> Option<f64> {
    let total: u64 = buckets.iter().map(|(_, count)| count).sum();
    if total == 0 {
        return None;
    }
    let position = q.clamp(0.0, 1.0) * (total - 1) as f64;
    let lower = position.floor() as u64;
    let fraction = position - lower as f64;
    let low = value_at_rank(buckets, lower)?;
    if fraction == 0.0 {
        return Some(low);
    }
    let high = value_at_rank(buckets, lower + 1)?;
    Some(low + (high - low) * fraction)
}

/// The exact `q`-quantile (0 ≤ q ≤ 1) of ascending `sorted` durations, interpolating between
/// ranks as [`quantile`] does. `None` when there are none.
pub(crate) fn exact_quantile(sorted: &[f64], q: f64) -> Option<f64> {
    let position = q.clamp(0.0, 1.0) * sorted.len().checked_sub(1)? as f64;
    let lower = position.floor() as usize;
    let low = sorted[lower];
    let high = sorted.get(lower + 1).copied().unwrap_or(low);
    Some(low + (high - low) * (position - lower as f64))
}

/// What a box shows: p5 (the lower whisker), the quartiles around the median, p95 (the upper
/// whisker), and p99 beside it.
pub(crate) fn box_quantiles(quantile: impl Fn(f64) -> Option<f64>) -> Option<[f64; 6]> {
    Some([
        quantile(0.05)?,
        quantile(0.25)?,
        quantile(0.5)?,
        quantile(0.75)?,
        quantile(0.95)?,
        quantile(0.99)?,
    ])
}

/// The latency box of `count` requests whose `quantile` function is given (from a histogram or
/// an exact sample); `None` without requests.
pub(crate) fn latency_box(
    label: String,
    colour: [u8; 3],
    count: u64,
    quantile: impl Fn(f64) -> Option<f64>,
) -> Option<LatencyBox> {
    let [p5_ms, q1_ms, median_ms, q3_ms, p95_ms, p99_ms] = box_quantiles(quantile)?;
    Some(LatencyBox {
        label,
        colour,
        count,
        p5_ms,
        q1_ms,
        median_ms,
        q3_ms,
        p95_ms,
        p99_ms,
    })
}

/// The representative value of the element at 0-based `rank`.
fn value_at_rank(buckets: &[(i32, u64)], rank: u64) -> Option<f64> {
    let mut seen = 0;
    for (bucket, count) in buckets {
        seen += count;
        if seen > rank {
            return Some(bucket_value(*bucket));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    /// The largest relative error of a bucket's representative value: (γ − 1) / (γ + 1) ≈ 1.5 %.
    const RELATIVE_ERROR: f64 = (GAMMA - 1.0) / (GAMMA + 1.0);

    fn histogram(durations: &[f64]) -> Vec<(i32, u64)> {
        let mut counts = BTreeMap::new();
        for d in durations {
            *counts.entry(bucket_of(*d)).or_insert(0) += 1;
        }
        counts.into_iter().collect()
    }

    fn exact_median(durations: &[f64]) -> f64 {
        let mut sorted = durations.to_vec();
        sorted.sort_by(f64::total_cmp);
        exact_quantile(&sorted, 0.5).unwrap()
    }

    #[test]
    fn every_bucket_value_is_within_the_stated_error() {
        let mut duration = 0.0013;
        while duration < 600_000.0 {
            let estimate = bucket_value(bucket_of(duration));
            assert!(
                (estimate - duration).abs() / duration <= RELATIVE_ERROR + 1e-12,
                "{duration} ms → {estimate} ms"
            );
            duration *= 1.0007;
        }
        const { assert!(RELATIVE_ERROR < 0.02) };
    }

    #[test]
    fn medians_are_within_two_percent_for_odd_and_even_counts() {
        let samples: Vec<f64> = (1..=1001)
            .map(|i| 0.5 + (i as f64).powf(1.7) / 13.0)
            .collect();
        for n in [1, 2, 3, 10, 11, 500, 1001] {
            let durations = &samples[..n];
            let estimate = quantile(&histogram(durations), 0.5).unwrap();
            let exact = exact_median(durations);
            assert!(
                (estimate - exact).abs() / exact <= 0.02,
                "n={n}: {estimate} vs {exact}"
            );
        }
    }

    #[test]
    fn exact_quantiles_interpolate_between_ranks() {
        let sorted = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(exact_quantile(&sorted, 0.5), Some(2.5));
        assert_eq!(exact_quantile(&sorted, 0.0), Some(1.0));
        assert_eq!(exact_quantile(&sorted, 1.0), Some(4.0));
        assert_eq!(exact_quantile(&[7.0], 0.25), Some(7.0));
        assert_eq!(exact_quantile(&[], 0.5), None);
    }

    #[test]
    fn no_counts_no_quantile() {
        assert_eq!(quantile(&[], 0.5), None);
    }
}
