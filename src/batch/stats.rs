//! Statistics for comparisons: description of one sample, the paired
//! difference of two, and the Pareto front of conditions.
//!
//! Student's t quantiles and tail probabilities come from `statrs`; the rest
//! is arithmetic, tested against values computed by hand and with R/numpy.

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, StudentsT};

/// One sample described. Percentiles interpolate linearly between order
/// statistics (R's type 7, numpy's default).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Describe {
    pub n: usize,
    pub mean: f64,
    /// Sample standard deviation (n − 1); `None` below two values.
    pub sd: Option<f64>,
    pub median: f64,
    pub p5: f64,
    pub p95: f64,
    /// 95% confidence interval of the mean, Student's t; `None` below two values.
    pub ci95: Option<(f64, f64)>,
}

/// `q`-quantile (0..=1) of sorted values, R type 7.
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

fn mean_sd(xs: &[f64]) -> (f64, Option<f64>) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let sd = (xs.len() > 1).then(|| (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt());
    (mean, sd)
}

/// t quantile for a two-sided 95% interval with `df` degrees of freedom.
pub fn t975(df: f64) -> f64 {
    StudentsT::new(0.0, 1.0, df).map_or(f64::NAN, |t| t.inverse_cdf(0.975))
}

/// Describes the finite values of `xs`; `None` if there are none.
pub fn describe(xs: &[f64]) -> Option<Describe> {
    let mut v: Vec<f64> = xs.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let (mean, sd) = mean_sd(&v);
    let ci95 = sd.map(|s| {
        let half = t975(v.len() as f64 - 1.0) * s / (v.len() as f64).sqrt();
        (mean - half, mean + half)
    });
    Some(Describe {
        n: v.len(),
        mean,
        sd,
        median: quantile(&v, 0.5),
        p5: quantile(&v, 0.05),
        p95: quantile(&v, 0.95),
        ci95,
    })
}

/// A condition against the baseline, replication by replication.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Paired {
    /// Pairs where both values are finite.
    pub n: usize,
    /// Mean of (condition − baseline).
    pub mean_difference: f64,
    pub ci95: Option<(f64, f64)>,
    /// Paired t statistic; infinite when every difference is the same non-zero value.
    pub t: Option<f64>,
    /// Two-sided p-value of the paired t-test (1 when all differences are 0).
    pub p_value: Option<f64>,
}

/// Paired comparison of `condition` against `baseline` (same replications).
pub fn paired(condition: &[f64], baseline: &[f64]) -> Option<Paired> {
    let d: Vec<f64> =
        condition.iter().zip(baseline).filter(|(a, b)| a.is_finite() && b.is_finite()).map(|(a, b)| a - b).collect();
    if d.is_empty() {
        return None;
    }
    let n = d.len() as f64;
    let (mean, sd) = mean_sd(&d);
    let Some(sd) = sd else {
        return Some(Paired { n: d.len(), mean_difference: mean, ci95: None, t: None, p_value: None });
    };
    let se = sd / n.sqrt();
    let (t, p) = if se == 0.0 {
        if mean == 0.0 { (0.0, 1.0) } else { (mean.signum() * f64::INFINITY, 0.0) }
    } else {
        let t = mean / se;
        let p = StudentsT::new(0.0, 1.0, n - 1.0).map_or(f64::NAN, |dist| 2.0 * dist.cdf(-t.abs()));
        (t, p)
    };
    let half = t975(n - 1.0) * se;
    Some(Paired {
        n: d.len(),
        mean_difference: mean,
        ci95: Some((mean - half, mean + half)),
        t: Some(t),
        p_value: Some(p),
    })
}

/// Indices of the points not dominated by any other, every coordinate to be
/// minimised: a point is dominated when another is no worse in every
/// coordinate and better in at least one.
pub fn pareto_front(points: &[Vec<f64>]) -> Vec<usize> {
    let dominates = |a: &[f64], b: &[f64]| a.iter().zip(b).all(|(x, y)| x <= y) && a.iter().zip(b).any(|(x, y)| x < y);
    (0..points.len()).filter(|&i| !(0..points.len()).any(|j| j != i && dominates(&points[j], &points[i]))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9 * b.abs().max(1.0)
    }

    #[test]
    fn description_matches_hand_computed_values() {
        // mean 5; squared deviations sum to 32, so sd = sqrt(32/7).
        let d = describe(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]).unwrap();
        assert_eq!(d.n, 8);
        assert!(close(d.mean, 5.0));
        assert!(close(d.sd.unwrap(), (32.0f64 / 7.0).sqrt()));
        assert!(close(d.median, 4.5));
        // numpy.percentile(x, [5, 95]) = 2.7, 8.3
        assert!(close(d.p5, 2.7), "{}", d.p5);
        assert!(close(d.p95, 8.3), "{}", d.p95);
        // t(0.975, 7) = 2.364624251592785 (R: qt(0.975, 7))
        let half = 2.364624251592785 * (32.0f64 / 7.0).sqrt() / 8f64.sqrt();
        let (lo, hi) = d.ci95.unwrap();
        assert!((lo - (5.0 - half)).abs() < 1e-6 && (hi - (5.0 + half)).abs() < 1e-6, "{lo} {hi}");
    }

    #[test]
    fn t_quantiles_match_tables() {
        assert!((t975(1.0) - 12.706204736).abs() < 1e-6);
        assert!((t975(9.0) - 2.262157163).abs() < 1e-6);
        assert!((t975(29.0) - 2.045229642).abs() < 1e-6);
    }

    #[test]
    fn non_finite_values_are_left_out_and_one_value_has_no_interval() {
        let d = describe(&[f64::NAN, 3.0]).unwrap();
        assert_eq!((d.n, d.mean, d.sd, d.ci95), (1, 3.0, None, None));
        assert!(describe(&[f64::NAN]).is_none());
    }

    #[test]
    fn paired_test_matches_a_hand_computed_example() {
        // Differences 1, 2, 3, 4, 5 (all +1 … +5): mean 3, sd sqrt(2.5),
        // t = 3 / (sqrt(2.5)/sqrt(5)) = 4.242640687; R: t.test(d)$p.value = 0.01324
        let base = [10.0, 10.0, 10.0, 10.0, 10.0];
        let cond = [11.0, 12.0, 13.0, 14.0, 15.0];
        let p = paired(&cond, &base).unwrap();
        assert_eq!(p.n, 5);
        assert!(close(p.mean_difference, 3.0));
        assert!(close(p.t.unwrap(), 4.242640687119285));
        assert!((p.p_value.unwrap() - 0.013236).abs() < 1e-5, "{:?}", p.p_value);
        // CI: 3 ± 2.776445105 * 0.707106781
        let (lo, hi) = p.ci95.unwrap();
        assert!((lo - 1.036756).abs() < 1e-5 && (hi - 4.963244).abs() < 1e-5, "{lo} {hi}");
    }

    #[test]
    fn identical_conditions_have_no_difference() {
        let x = [1.0, 5.0, 2.0];
        let p = paired(&x, &x).unwrap();
        assert_eq!((p.mean_difference, p.t, p.p_value), (0.0, Some(0.0), Some(1.0)));
    }

    #[test]
    fn pareto_front_keeps_only_undominated_points() {
        let pts = vec![vec![1.0, 5.0], vec![2.0, 2.0], vec![3.0, 3.0], vec![5.0, 1.0], vec![2.0, 2.0]];
        // (3,3) is dominated by (2,2); the two (2,2) do not dominate each other.
        assert_eq!(pareto_front(&pts), vec![0, 1, 3, 4]);
    }
}
