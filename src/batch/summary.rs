//! The summary of a comparison: every numeric metric described per
//! condition, paired against the baseline condition replication by
//! replication, and the conditions on the Pareto front of harm against time
//! to restore order.

use serde::Serialize;

use super::stats::{self, Describe, Paired};
use super::store::BatchPlan;
use super::table::{Cell, Kind, Table};

/// The metrics `summary.md` shows, in this order, with their names in
/// words and units: the outcomes an arrangement may change (harm by side,
/// force and legality by agency, sites, order), then its mechanisms.
/// `headline.site_breached_minutes.*` is shown per site after these.
const SHOWN: [(&str, &str, Unit); 19] = [
    ("headline.deaths", "Deaths on every side, per run", Unit::Count),
    ("headline.civilian_deaths", "Civilian deaths, per run", Unit::Count),
    ("headline.harm.civilian.injured", "Civilians injured, per run", Unit::Count),
    ("headline.harm.pnp.injured", "Police injured, per run", Unit::Count),
    ("headline.harm.ffaa.injured", "Soldiers injured, per run", Unit::Count),
    ("headline.excessive_force_rate", "Uses of force above the resistance met (share of all uses)", Unit::Share),
    (
        "headline.by_agency.pnp.unlawful_lethal_force",
        "Lethal force without a lethal threat by the police, per run",
        Unit::Count,
    ),
    (
        "headline.by_agency.ffaa.unlawful_lethal_force",
        "Lethal force without a lethal threat by soldiers, per run",
        Unit::Count,
    ),
    ("headline.by_agency.pnp.legal_violations", "Violations of the law by the police, per run", Unit::Count),
    ("headline.by_agency.ffaa.legal_violations", "Violations of the law by soldiers, per run", Unit::Count),
    (
        "headline.minutes_to_restore_order_or_end",
        "Time from the first crisis to order restored, or to the end of the run (censored)",
        Unit::Hours,
    ),
    ("headline.order_not_restored", "Runs where order was not restored (share)", Unit::Share),
    ("headline.people_arrested", "People arrested, per run", Unit::Count),
    ("mean_active_share", "Civilians active, mean share over the run", Unit::Share),
    ("peak_active", "Civilians active at the peak", Unit::Count),
    ("operation.order_latency_minutes.mean", "Orders' latency, mean per run", Unit::Minutes),
    ("operation.transmissions_lost", "Transmissions lost, per run", Unit::Count),
    ("operation.conflicting_orders", "Conflicting orders, per run", Unit::Count),
    ("operation.unity_of_command_breaks", "Unity-of-command breaks, per run", Unit::Count),
];

/// Where a site's breach time sits among the metrics.
const SITE_BREACHED: &str = "headline.site_breached_minutes.";

/// Harm (deaths, excessive-force rate) against restoring order: the share
/// of runs where order never returned, and the time to restore it
/// restricted to the run's end. A run that never restored order enters as
/// "not restored", not as a time: a condition whose runs are all censored
/// at 700 minutes does not beat one that restored order at 710.
pub const PARETO_AXES: [&str; 4] = [
    "headline.deaths",
    "headline.excessive_force_rate",
    "headline.order_not_restored",
    "headline.minutes_to_restore_order_or_end",
];

#[derive(Debug, Clone, Serialize)]
pub struct ConditionInfo {
    pub index: usize,
    pub label: String,
    pub values: Vec<(String, String)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ConditionStat {
    pub condition: usize,
    pub stats: Option<Describe>,
    /// Against the baseline; `None` for the baseline itself.
    pub vs_baseline: Option<Paired>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MetricSummary {
    pub metric: String,
    pub conditions: Vec<ConditionStat>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Pareto {
    /// Coordinates, each minimised: condition means.
    pub axes: Vec<String>,
    pub means: Vec<Vec<f64>>,
    /// Conditions not dominated by any other.
    pub front: Vec<usize>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CompareSummary {
    /// `compare` or `sweep` (a sweep's design points have no baseline).
    pub kind: String,
    pub scenario: String,
    pub replications: usize,
    pub seed: u64,
    pub baseline: usize,
    pub conditions: Vec<ConditionInfo>,
    pub metrics: Vec<MetricSummary>,
    /// `None` for scenarios without an operation (no harm to weigh).
    pub pareto: Option<Pareto>,
}

/// Values of column `col` as `[condition][replication]` (NaN if absent).
fn by_condition(t: &Table, plan: &BatchPlan, col: usize) -> Vec<Vec<f64>> {
    let mut v = vec![vec![f64::NAN; plan.replications]; plan.conditions.len()];
    for (row, x) in t.rows.iter().zip(t.numbers(col)) {
        if let (Cell::Int(c), Cell::Int(r)) = (&row[1], &row[2])
            && let Some(slot) = v.get_mut(*c as usize).and_then(|reps| reps.get_mut(*r as usize))
        {
            *slot = x;
        }
    }
    v
}

/// Σ of column `name` per condition (0 where absent).
fn totals(t: &Table, plan: &BatchPlan, name: &str) -> Option<Vec<f64>> {
    let col = t.column(name)?;
    Some(by_condition(t, plan, col).iter().map(|reps| reps.iter().filter(|x| x.is_finite()).sum()).collect())
}

pub fn compare(plan: &BatchPlan, t: &Table) -> CompareSummary {
    let baseline = plan.baseline.filter(|&b| b < plan.conditions.len()).unwrap_or(0);
    let n = plan.conditions.len();
    let metric_cols: Vec<usize> = (t.first_metric..t.columns.len()).filter(|&c| t.kinds[c] == Kind::Num).collect();
    let metrics = metric_cols
        .iter()
        .map(|&col| {
            let values = by_condition(t, plan, col);
            MetricSummary {
                metric: t.columns[col].clone(),
                conditions: (0..n)
                    .map(|c| ConditionStat {
                        condition: c,
                        stats: stats::describe(&values[c]),
                        // A sweep's design points have no baseline to pair with.
                        vs_baseline: (c != baseline && plan.kind == "compare")
                            .then(|| stats::paired(&values[c], &values[baseline]))
                            .flatten(),
                    })
                    .collect(),
            }
        })
        .collect::<Vec<_>>();
    let pareto = (|| {
        let mean = |name: &str| {
            let m = metrics.iter().find(|m| m.metric == name)?;
            Some((0..n).map(|c| m.conditions[c].stats.map_or(f64::NAN, |s| s.mean)).collect::<Vec<f64>>())
        };
        let deaths = mean(PARETO_AXES[0])?;
        let not_restored = mean(PARETO_AXES[2])?;
        let time = mean(PARETO_AXES[3])?;
        // Pooled over the replications, so that a run with one use of force
        // weighs one use, not a whole run; 0 where no force was used.
        let uses = totals(t, plan, "headline.uses_of_force")?;
        let excessive = totals(t, plan, "headline.excessive_uses_of_force")?;
        let means: Vec<Vec<f64>> = (0..n)
            .map(|c| {
                vec![deaths[c], if uses[c] > 0.0 { excessive[c] / uses[c] } else { 0.0 }, not_restored[c], time[c]]
            })
            .collect();
        // Conditions without a finite value on every axis are left out.
        let finite: Vec<usize> = (0..n).filter(|&c| means[c].iter().all(|x| x.is_finite())).collect();
        let points: Vec<Vec<f64>> = finite.iter().map(|&c| means[c].clone()).collect();
        Some(Pareto {
            axes: vec![
                PARETO_AXES[0].into(),
                "pooled excessive-force rate".into(),
                "share of runs where order was not restored".into(),
                "restricted mean of headline.minutes_to_restore_order_or_end".into(),
            ],
            front: stats::pareto_front(&points).into_iter().map(|i| finite[i]).collect(),
            means,
        })
    })();
    CompareSummary {
        kind: plan.kind.to_string(),
        scenario: plan.scenario_name.clone(),
        replications: plan.replications,
        seed: plan.seed,
        baseline,
        conditions: plan
            .conditions
            .iter()
            .enumerate()
            .map(|(i, c)| ConditionInfo { index: i, label: c.label(), values: c.values.clone() })
            .collect(),
        metrics,
        pareto,
    }
}

/// How a metric is read, if `summary.md` shows it: its place, its name in
/// words and its unit.
pub(crate) fn described(metric: &str) -> Option<(usize, String, Unit)> {
    if let Some(i) = SHOWN.iter().position(|(m, _, _)| *m == metric) {
        let (_, title, unit) = SHOWN[i];
        return Some((i, title.to_string(), unit));
    }
    let site = metric.strip_prefix(SITE_BREACHED)?;
    Some((SHOWN.len(), format!("Time {site} was breached, per run"), Unit::Hours))
}

/// The unit a metric is written in for reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unit {
    /// A count per run: one decimal.
    Count,
    /// A share: per cent with one decimal; differences in points.
    Share,
    Minutes,
    /// Minutes written as hours.
    Hours,
}

impl Unit {
    /// For a chart's axis: the factor a value is drawn at, and the unit's
    /// name.
    pub(crate) fn axis(self) -> (f64, &'static str) {
        match self {
            Unit::Count => (1.0, "per run"),
            Unit::Share => (100.0, "%"),
            Unit::Minutes => (1.0, "minutes"),
            Unit::Hours => (1.0 / 60.0, "hours"),
        }
    }

    /// A value for reading (a minus sign, not a hyphen, below zero).
    fn value(self, x: f64) -> String {
        let text = match self {
            Unit::Count => format!("{x:.1}"),
            Unit::Share => format!("{:.1}%", 100.0 * x),
            Unit::Minutes => format!("{x:.1} min"),
            Unit::Hours => format!("{:.1} h", x / 60.0),
        };
        match text.strip_prefix('-') {
            Some(rest) => format!("−{rest}"),
            None => text,
        }
    }

    /// A difference, signed (a minus sign, not a hyphen).
    fn difference(self, x: f64) -> String {
        let sign = if x > 0.0 {
            "+"
        } else if x < 0.0 {
            "−"
        } else {
            ""
        };
        let x = x.abs();
        let body = match self {
            Unit::Share => format!("{:.1} pp", 100.0 * x),
            _ => self.value(x),
        };
        // A difference that rounds to zero has no sign.
        if body.chars().filter(char::is_ascii_digit).all(|c| c == '0') { body } else { format!("{sign}{body}") }
    }
}

#[cfg(test)]
mod unit_tests {
    use super::{SHOWN, Unit, described, p_value};

    #[test]
    fn summary_md_shows_outcomes_then_mechanisms_then_each_site() {
        let place = |m: &str| described(m).map(|(i, _, _)| i);
        assert!(place("headline.deaths") < place("operation.conflicting_orders"));
        let site = described("headline.site_breached_minutes.Mine gate").unwrap();
        assert_eq!(
            (site.0, site.1.as_str(), site.2),
            (SHOWN.len(), "Time Mine gate was breached, per run", Unit::Hours)
        );
        assert!(described("operation.orders_issued").is_none(), "not every metric is a table");
    }

    #[test]
    fn numbers_are_written_in_their_units_and_differences_signed() {
        assert_eq!(Unit::Share.value(0.1612), "16.1%");
        assert_eq!(Unit::Share.difference(0.038), "+3.8 pp");
        assert_eq!(Unit::Count.difference(-2.867), "−2.9");
        assert_eq!(Unit::Count.difference(-0.01), "0.0", "no sign on what rounds to nothing");
        assert_eq!(Unit::Hours.value(4200.8), "70.0 h");
        assert_eq!(Unit::Minutes.value(12.808), "12.8 min");
        assert_eq!(Unit::Count.value(-9.46), "−9.5", "a minus sign in values too");
        assert_eq!(p_value(0.0004), "<0.001");
        assert_eq!(p_value(0.2891), "0.289");
    }
}

/// A p-value as papers write it.
fn p_value(p: f64) -> String {
    if p < 0.001 { "<0.001".into() } else { format!("{p:.3}") }
}

fn fmt(x: f64) -> String {
    if x == x.trunc() && x.abs() < 1e9 {
        format!("{x:.0}")
    } else if x.abs() >= 100.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.3}")
    }
}

fn opt(x: Option<f64>) -> String {
    x.map_or(String::new(), |x| x.to_string())
}

impl CompareSummary {
    /// One row per metric and condition.
    pub fn to_csv(&self) -> String {
        // A sweep's varied parameters get a column each, after the label.
        let sweep = self.kind == "sweep";
        let params: Vec<&str> = if sweep {
            self.conditions.first().map_or(Vec::new(), |c| c.values.iter().map(|(p, _)| p.as_str()).collect())
        } else {
            Vec::new()
        };
        let mut out = String::from("metric,condition,label,");
        for p in &params {
            out.push_str(&super::table::csv_field(p));
            out.push(',');
        }
        out.push_str(
            "n,mean,sd,median,p5,p95,ci95_low,ci95_high,\
             diff_vs_baseline,diff_ci95_low,diff_ci95_high,diff_t,diff_p_value,pareto_optimal\n",
        );
        let front = self.pareto.as_ref().map(|p| p.front.clone());
        for m in &self.metrics {
            for c in &m.conditions {
                let s = c.stats;
                let d = c.vs_baseline;
                let label = &self.conditions[c.condition].label;
                let values: Vec<String> = if sweep {
                    self.conditions[c.condition].values.iter().map(|(_, v)| super::table::csv_field(v)).collect()
                } else {
                    Vec::new()
                };
                let head =
                    [super::table::csv_field(&m.metric), c.condition.to_string(), super::table::csv_field(label)];
                let fields = [
                    s.map_or("0".into(), |s| s.n.to_string()),
                    opt(s.map(|s| s.mean)),
                    opt(s.and_then(|s| s.sd)),
                    opt(s.map(|s| s.median)),
                    opt(s.map(|s| s.p5)),
                    opt(s.map(|s| s.p95)),
                    opt(s.and_then(|s| s.ci95).map(|c| c.0)),
                    opt(s.and_then(|s| s.ci95).map(|c| c.1)),
                    opt(d.map(|d| d.mean_difference)),
                    opt(d.and_then(|d| d.ci95).map(|c| c.0)),
                    opt(d.and_then(|d| d.ci95).map(|c| c.1)),
                    opt(d.and_then(|d| d.t)),
                    opt(d.and_then(|d| d.p_value)),
                    front.as_ref().map_or(String::new(), |f| f.contains(&c.condition).to_string()),
                ];
                let row: Vec<String> = head.into_iter().chain(values).chain(fields).collect();
                out.push_str(&row.join(","));
                out.push('\n');
            }
        }
        out
    }

    /// The headline metrics as readable Markdown: a table per metric under
    /// its name in words, numbers rounded for reading in the metric's own
    /// unit (`summary.csv` and `summary.json` keep full precision).
    pub fn to_markdown(&self) -> String {
        let sweep = self.kind == "sweep";
        let mut out = if sweep {
            format!(
                "# Sweep: {}\n\n{} design points, {} replications each, master seed {}; replication i uses the same \
                 seed at every design point.\n",
                self.scenario,
                self.conditions.len(),
                self.replications,
                self.seed
            )
        } else {
            format!(
                "# Comparison: {}\n\n{} replications per condition, master seed {}; replication i uses the same \
                 seed under every condition. Baseline: {}. Differences are paired by replication; p is the paired \
                 t-test's.\n",
                self.scenario, self.replications, self.seed, self.conditions[self.baseline].label
            )
        };
        let mut shown: Vec<_> =
            self.metrics.iter().filter_map(|m| described(&m.metric).map(|(i, t, u)| (i, t, u, m))).collect();
        shown.sort_by_key(|s| s.0);
        for (_, title, unit, m) in shown {
            out.push_str(&format!("\n## {title}\n\n`{}`\n\n", m.metric));
            if sweep {
                out.push_str("| design point | mean | 95% CI | median | p5–p95 |\n|---|---:|---:|---:|---:|\n");
            } else {
                out.push_str("| condition | mean | 95% CI | median | p5–p95 | Δ vs baseline | Δ 95% CI | p |\n");
                out.push_str("|---|---:|---:|---:|---:|---:|---:|---:|\n");
            }
            for c in &m.conditions {
                let label = &self.conditions[c.condition].label;
                let Some(s) = c.stats else {
                    out.push_str(&format!("| {label} | – | | | | | | |\n"));
                    continue;
                };
                let v = |x: f64| unit.value(x);
                let ci = s.ci95.map_or("–".into(), |(a, b)| format!("[{}, {}]", v(a), v(b)));
                if sweep {
                    out.push_str(&format!(
                        "| {label} | {} | {ci} | {} | {}–{} |\n",
                        v(s.mean),
                        v(s.median),
                        v(s.p5),
                        v(s.p95)
                    ));
                    continue;
                }
                let (diff, dci, p) = match c.vs_baseline {
                    None => ("baseline".to_string(), String::new(), String::new()),
                    Some(d) => (
                        unit.difference(d.mean_difference),
                        d.ci95
                            .map_or("–".into(), |(a, b)| format!("[{}, {}]", unit.difference(a), unit.difference(b))),
                        d.p_value.map_or("–".into(), p_value),
                    ),
                };
                out.push_str(&format!(
                    "| {label} | {} | {ci} | {} | {}–{} | {diff} | {dci} | {p} |\n",
                    v(s.mean),
                    v(s.median),
                    v(s.p5),
                    v(s.p95)
                ));
            }
        }
        if let Some(m) = self.metrics.iter().find(|m| m.metric == "headline.order_not_restored") {
            out.push_str(
                "\n`headline.minutes_to_restore_order_or_end` is censored: a run where order never returned counts \
                 its minutes from the first crisis to the end of the run (\"at least this long\"), so its mean is a \
                 mean restricted to the run's length, not a mean time to restore order. Runs censored:\n\n",
            );
            for c in &m.conditions {
                let label = &self.conditions[c.condition].label;
                if let Some(s) = c.stats {
                    let censored = (s.mean * s.n as f64).round() as usize;
                    out.push_str(&format!("- {label}: {censored} of {}\n", s.n));
                }
            }
        }
        match &self.pareto {
            Some(p) => {
                out.push_str(&format!(
                    "\nPareto-optimal on harm against restoring order ({}; lower is better):\n\n",
                    p.axes.iter().map(|a| format!("`{a}`")).collect::<Vec<_>>().join(", ")
                ));
                for &i in &p.front {
                    let v: Vec<String> = p.means[i].iter().map(|x| fmt(*x)).collect();
                    out.push_str(&format!("- {} ({})\n", self.conditions[i].label, v.join(", ")));
                }
            }
            None => out.push_str("\nNo Pareto front: the scenario has no security operation (no harm to weigh).\n"),
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::plan::{Condition, Shard};

    /// Two conditions equal on harm: A never restores order (its runs end
    /// 700 minutes after the crisis), B restores it after 710 minutes.
    fn censored_against_restored() -> (BatchPlan, Table) {
        let condition = |v: &str| Condition { values: vec![("command.model".into(), v.into())] };
        let plan = BatchPlan {
            mando_version: String::new(),
            kind: "compare".into(),
            scenario: String::new(),
            scenario_name: "test".into(),
            fingerprint: String::new(),
            base: String::new(),
            parameters: vec!["command.model".into()],
            conditions: vec![condition("a"), condition("b")],
            replications: 2,
            seed: 1,
            runs_total: 4,
            shard: Shard::WHOLE,
            baseline: Some(0),
        };
        let metrics = [
            "headline.deaths",
            "headline.uses_of_force",
            "headline.excessive_uses_of_force",
            "headline.order_not_restored",
            "headline.minutes_to_restore_order_or_end",
        ];
        let mut columns: Vec<String> = vec!["run".into(), "condition".into(), "replication".into()];
        columns.extend(metrics.iter().map(|m| m.to_string()));
        let mut kinds = vec![Kind::Int; 3];
        kinds.extend([Kind::Num; 5]);
        let row = |run: i64, c: i64, r: i64, censored: f64, minutes: f64| {
            let mut row = vec![Cell::Int(run), Cell::Int(c), Cell::Int(r)];
            row.extend([1.0, 10.0, 2.0, censored, minutes].map(Cell::Num));
            row
        };
        let rows = vec![
            row(0, 0, 0, 1.0, 700.0),
            row(1, 0, 1, 1.0, 700.0),
            row(2, 1, 0, 0.0, 710.0),
            row(3, 1, 1, 0.0, 710.0),
        ];
        (plan, Table { columns, kinds, rows, first_metric: 3 })
    }

    #[test]
    fn a_censored_time_does_not_beat_a_measured_one() {
        let (plan, table) = censored_against_restored();
        let summary = compare(&plan, &table);
        let pareto = summary.pareto.as_ref().expect("an operation's batch has a front");
        // On time alone A (700, never restored) would dominate B (710).
        assert_eq!(pareto.front, vec![0, 1], "B restored order: A must not dominate it");
        assert_eq!(pareto.means[0][2], 1.0);
        assert_eq!(pareto.means[1][2], 0.0);
        let md = summary.to_markdown();
        assert!(md.contains("## Deaths on every side, per run"), "{md}");
        assert!(md.contains("| command.model=b | 1.0 |"), "{md}");
        assert!(md.contains("- command.model=a: 2 of 2"), "{md}");
        assert!(md.contains("- command.model=b: 0 of 2"), "{md}");
    }
}
