//! Mood's median test of two samples, as `scipy.stats.median_test` computes it with its
//! defaults (`ties="below"`, `correction=True`, `lambda_=1`).

/// The outcome of [`median_test`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct MedianTest {
    /// The median of both samples pooled.
    pub(crate) grand_median: f64,
    /// Pearson's chi-square statistic of the 2×2 table, with Yates's continuity correction.
    pub(crate) statistic: f64,
    /// The probability of a statistic at least this large if both samples share a median
    /// (chi-square with one degree of freedom).
    pub(crate) p_value: f64,
    /// `[[above in a, above in b], [at or below in a, at or below in b]]`.
    pub(crate) table: [[u64; 2]; 2],
}

/// Mood's median test of `a` against `b`; `None` when it is undefined: an empty sample, or a
/// row of the table all zero (every value on one side of the pooled median).
pub(crate) fn median_test(a: &[f64], b: &[f64]) -> Option<MedianTest> {
    if a.is_empty() || b.is_empty() {
        return None;
    }
    let mut pooled: Vec<f64> = a.iter().chain(b).copied().collect();
    let grand_median = median(&mut pooled)?;
    let above = |sample: &[f64]| sample.iter().filter(|&&x| x > grand_median).count() as u64;
    let (above_a, above_b) = (above(a), above(b));
    let table = [
        [above_a, above_b],
        [a.len() as u64 - above_a, b.len() as u64 - above_b],
    ];
    if table.iter().any(|row| row.iter().all(|&n| n == 0)) {
        return None;
    }
    let statistic = yates_chi_square(table);
    Some(MedianTest {
        grand_median,
        statistic,
        p_value: chi_square_1_survival(statistic),
        table,
    })
}

/// The median of `values` (sorted in place): the mean of the two middle values for an even
/// count, as NumPy's.
fn median(values: &mut [f64]) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    crate::histogram::exact_quantile(values, 0.5)
}

/// Pearson's statistic of a 2×2 table after moving every cell half a count towards its expected
/// value (at most the whole gap), as `scipy.stats.chi2_contingency(correction=True)`.
fn yates_chi_square(table: [[u64; 2]; 2]) -> f64 {
    let rows = [table[0][0] + table[0][1], table[1][0] + table[1][1]];
    let columns = [table[0][0] + table[1][0], table[0][1] + table[1][1]];
    let total = (rows[0] + rows[1]) as f64;
    let mut statistic = 0.0;
    for (row, cells) in table.iter().enumerate() {
        for (column, &observed) in cells.iter().enumerate() {
            let expected = rows[row] as f64 * columns[column] as f64 / total;
            let gap = expected - observed as f64;
            let corrected = observed as f64 + gap.signum() * gap.abs().min(0.5);
            statistic += (corrected - expected).powi(2) / expected;
        }
    }
    statistic
}

/// P(X ≥ x) for X chi-square distributed with one degree of freedom: erfc(√(x/2)).
fn chi_square_1_survival(x: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    libm::erfc((x / 2.0).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Samples and `scipy.stats.median_test` results, made by `tests/data/mood_vectors.py`.
    const VECTORS: &str = include_str!("../../tests/data/mood_vectors.json");

    #[derive(serde::Deserialize)]
    struct Vector {
        a: Vec<f64>,
        b: Vec<f64>,
        statistic: f64,
        p_value: f64,
        grand_median: f64,
        table: [[u64; 2]; 2],
    }

    #[test]
    fn matches_scipy_median_test_to_one_millionth() {
        let vectors: Vec<Vector> = serde_json::from_str(VECTORS).unwrap();
        assert!(vectors.len() >= 6);
        for (i, vector) in vectors.iter().enumerate() {
            let test = median_test(&vector.a, &vector.b).unwrap();
            assert_eq!(test.table, vector.table, "vector {i}");
            assert!(
                (test.grand_median - vector.grand_median).abs() < 1e-6,
                "vector {i}"
            );
            assert!(
                (test.statistic - vector.statistic).abs() < 1e-6,
                "vector {i}: statistic {} vs scipy {}",
                test.statistic,
                vector.statistic
            );
            assert!(
                (test.p_value - vector.p_value).abs() < 1e-6,
                "vector {i}: p {} vs scipy {}",
                test.p_value,
                vector.p_value
            );
        }
    }

    #[test]
    fn is_undefined_when_every_value_is_on_one_side() {
        assert_eq!(median_test(&[], &[1.0]), None);
        assert_eq!(median_test(&[1.0, 1.0], &[1.0]), None);
    }
}
