//! The comparison report of a `compare` or `sweep` folder: per headline
//! metric, the distribution per condition and the paired differences
//! against the baseline (compare), the Pareto front, and for sweeps the
//! response of each headline metric to each varied parameter.

use std::path::Path;

use serde::Serialize;

use super::charts::{self, Difference, Point, Strip};
use super::{Figure, ReportError};
use crate::batch::store::{self, BatchPlan};
use crate::batch::summary::{self, CompareSummary, described};
use crate::batch::table::{self, Cell, Table};

#[derive(Serialize)]
pub struct BatchPage {
    /// `compare` or `sweep`.
    pub kind: &'static str,
    pub title: String,
    pub facts: Vec<(String, String)>,
    pub lead: Vec<String>,
    /// Per metric: its distribution and its differences.
    pub metrics: Vec<MetricFigures>,
    pub pareto: Option<Figure>,
    pub responses: Vec<Figure>,
    pub table: Vec<Vec<String>>,
    pub table_header: Vec<String>,
}

#[derive(Serialize)]
pub struct MetricFigures {
    pub title: String,
    pub metric: String,
    pub figures: Vec<Figure>,
}

/// Headline metrics a sweep's responses are drawn for.
const RESPONSES: [&str; 4] = [
    "headline.deaths",
    "headline.excessive_force_rate",
    "headline.order_not_restored",
    "headline.minutes_to_restore_order_or_end",
];

/// The value of `metric` per `[condition][replication]`, with whether
/// each is censored (time to restore order in a run where it never was).
fn values(t: &Table, plan: &BatchPlan, metric: &str) -> Option<Vec<Vec<(f64, bool)>>> {
    let col = t.column(metric)?;
    let censor = (metric == "headline.minutes_to_restore_order_or_end")
        .then(|| t.column("headline.order_not_restored"))
        .flatten();
    let numbers = t.numbers(col);
    let censored = censor.map(|c| t.numbers(c));
    let mut out = vec![Vec::new(); plan.conditions.len()];
    for (i, row) in t.rows.iter().enumerate() {
        if let Cell::Int(c) = row[1]
            && let Some(slot) = out.get_mut(c as usize)
            && numbers[i].is_finite()
        {
            slot.push((numbers[i], censored.as_ref().is_some_and(|c| c[i] > 0.5)));
        }
    }
    Some(out)
}

pub fn page(dir: &Path) -> Result<BatchPage, ReportError> {
    let (plan, records) = store::read_dirs(&[dir.to_path_buf()]).map_err(|e| ReportError::Batch(e.to_string()))?;
    if records.is_empty() {
        return Err(ReportError::Batch(format!("{}: no finished runs to report", dir.display())));
    }
    let t = table::runs_table(&plan, &records);
    let s = summary::compare(&plan, &t);
    let chart = |name: String, caption: String, svg: Result<String, String>| -> Result<Figure, ReportError> {
        Ok(Figure { name, caption, svg: svg.map_err(ReportError::Chart)? })
    };
    // With one varied parameter its value names the condition; otherwise
    // the values in order.
    let label = |c: usize| {
        let values: Vec<&str> = s.conditions[c].values.iter().map(|(_, v)| v.as_str()).collect();
        if values.is_empty() { s.conditions[c].label.clone() } else { values.join(", ") }
    };
    let compare = plan.kind == "compare";
    let complete = records.len() == plan.runs_total;

    let mut metrics = Vec::new();
    if compare {
        let mut shown: Vec<_> =
            s.metrics.iter().filter_map(|m| described(&m.metric).map(|(i, title, unit)| (i, title, unit, m))).collect();
        shown.sort_by_key(|x| x.0);
        for (_, title, unit, m) in shown {
            let (scale, unit_name) = unit.axis();
            let Some(per) = values(&t, &plan, &m.metric) else { continue };
            let strips: Vec<Strip> = m
                .conditions
                .iter()
                .map(|c| Strip {
                    label: label(c.condition),
                    values: per[c.condition].iter().map(|&(v, cens)| (v * scale, cens)).collect(),
                    mean: c.stats.map_or(f64::NAN, |d| d.mean * scale),
                    ci: c.stats.and_then(|d| d.ci95).map(|(a, b)| (a * scale, b * scale)),
                })
                .collect();
            let slug = m.metric.replace(|c: char| !c.is_ascii_alphanumeric(), "-");
            let mut figures = vec![chart(
                format!("{slug}-distribution"),
                format!(
                    "{title}: every replication (dot; hollow = censored, the true value is at least this), the \
                     condition's mean (bar) and its 95% CI (line)."
                ),
                charts::strips(&title, unit_name, &strips),
            )?];
            let diffs: Vec<Difference> = m
                .conditions
                .iter()
                .filter_map(|c| {
                    let p = c.vs_baseline?;
                    Some(Difference {
                        label: label(c.condition),
                        mean: p.mean_difference * scale,
                        ci: p.ci95.map(|(a, b)| (a * scale, b * scale)),
                    })
                })
                .collect();
            if !diffs.is_empty() {
                let what = if unit_name == "%" { "percentage points".to_string() } else { unit_name.to_string() };
                figures.push(chart(
                    format!("{slug}-forest"),
                    format!(
                        "Paired difference from the baseline ({}), replication by replication, with its 95% CI.",
                        label(s.baseline)
                    ),
                    charts::forest(&format!("{title}: difference from the baseline"), &what, &diffs),
                )?);
            }
            metrics.push(MetricFigures { title, metric: m.metric.clone(), figures });
        }
    }

    let pareto = match &s.pareto {
        Some(p) if p.means.len() > 1 => {
            let points: Vec<Point> = p
                .means
                .iter()
                .enumerate()
                .map(|(c, m)| Point { label: label(c), x: m[0], y: 100.0 * m[1], front: p.front.contains(&c) })
                .collect();
            Some(chart(
                "pareto".into(),
                "Each condition's mean deaths against its pooled share of excessive uses of force (filled: on the \
                 Pareto front over deaths, excessive force, runs without order restored and time to restore it; \
                 the line joins the front as seen on these two axes)."
                    .into(),
                charts::pareto(
                    "Harm against excessive force, by condition",
                    "deaths per run",
                    "excessive uses of force, %",
                    &points,
                ),
            )?)
        }
        _ => None,
    };

    let mut responses = Vec::new();
    if !compare {
        for (k, param) in plan.parameters.iter().enumerate() {
            for metric in RESPONSES {
                let Some(per) = values(&t, &plan, metric) else { continue };
                let Some((_, title, unit)) = described(metric) else { continue };
                let (scale, unit_name) = unit.axis();
                // Each run's value of the parameter, as written.
                let runs: Vec<(&str, f64)> = per
                    .iter()
                    .enumerate()
                    .filter_map(|(c, vs)| {
                        let x = plan.conditions[c].values.get(k)?.1.as_str();
                        Some(vs.iter().map(move |&(v, _)| (x, v * scale)))
                    })
                    .flatten()
                    .collect();
                if runs.is_empty() {
                    continue;
                }
                let name = format!(
                    "response-{}-{}",
                    param.replace(|c: char| !c.is_ascii_alphanumeric(), "-"),
                    metric.trim_start_matches("headline.").replace('_', "-")
                );
                let numeric: Option<Vec<(f64, f64)>> = runs.iter().map(|&(x, v)| Some((x.parse().ok()?, v))).collect();
                let figure = match numeric {
                    // A number: each run at its value, the mean per tenth.
                    Some(points) => chart(
                        name,
                        format!(
                            "{title} against {param}: each run a dot, the mean over each tenth of the range a line."
                        ),
                        charts::response(&title, param, unit_name, &points),
                    )?,
                    // A choice: the distribution under each value.
                    None => {
                        let mut by: Vec<(&str, Vec<f64>)> = Vec::new();
                        for &(x, v) in &runs {
                            match by.iter_mut().find(|b| b.0 == x) {
                                Some(b) => b.1.push(v),
                                None => by.push((x, vec![v])),
                            }
                        }
                        let strips: Vec<Strip> = by
                            .into_iter()
                            .map(|(x, vs)| {
                                let d = crate::batch::stats::describe(&vs);
                                Strip {
                                    label: x.to_string(),
                                    mean: d.map_or(f64::NAN, |d| d.mean),
                                    ci: d.and_then(|d| d.ci95),
                                    values: vs.into_iter().map(|v| (v, false)).collect(),
                                }
                            })
                            .collect();
                        chart(
                            name,
                            format!(
                                "{title} under each value of {param}, over every other parameter's values: each run \
                                 a dot, the mean a bar with its 95% CI."
                            ),
                            charts::strips(&format!("{title} by {param}"), unit_name, &strips),
                        )?
                    }
                };
                responses.push(figure);
            }
        }
    }

    let (table_header, table) = headline_table(&s, compare, &label);
    let facts = vec![
        ("Scenario".into(), plan.scenario_name.clone()),
        ("Kind".into(), plan.kind.clone()),
        ("Conditions".into(), plan.conditions.len().to_string()),
        ("Replications per condition".into(), plan.replications.to_string()),
        ("Runs in this folder".into(), format!("{} of {}", records.len(), plan.runs_total)),
        ("Master seed".into(), plan.seed.to_string()),
        ("Varied".into(), plan.parameters.join(", ")),
        ("Fingerprint".into(), plan.fingerprint.clone()),
    ];
    let mut lead = Vec::new();
    if !complete {
        lead.push(format!(
            "This folder holds {} of the batch's {} runs (a shard, or a batch still running): figures cover those \
             runs only.",
            records.len(),
            plan.runs_total
        ));
    }
    if compare {
        lead.push(format!(
            "{} replications per condition; replication i uses the same seed under every condition, so differences \
             are paired. Baseline: {}.",
            plan.replications,
            label(s.baseline)
        ));
    }
    Ok(BatchPage {
        kind: if compare { "compare" } else { "sweep" },
        title: format!("{} report: {}", if compare { "Comparison" } else { "Sweep" }, plan.scenario_name),
        facts,
        lead,
        metrics,
        pareto,
        responses,
        table,
        table_header,
    })
}

/// The condition means of the first headline metrics, for a table.
fn headline_table(
    s: &CompareSummary,
    compare: bool,
    label: &dyn Fn(usize) -> String,
) -> (Vec<String>, Vec<Vec<String>>) {
    let mut shown: Vec<_> =
        s.metrics.iter().filter_map(|m| described(&m.metric).map(|(i, title, unit)| (i, title, unit, m))).collect();
    shown.sort_by_key(|x| x.0);
    shown.truncate(if compare { 6 } else { 4 });
    let mut header = vec![if s.conditions.iter().any(|c| c.values.len() > 1) {
        s.conditions[0].values.iter().map(|(p, _)| p.as_str()).collect::<Vec<_>>().join(", ")
    } else {
        s.conditions.first().and_then(|c| c.values.first()).map_or("condition".into(), |(p, _)| p.clone())
    }];
    header.extend(shown.iter().map(|x| x.1.clone()));
    let rows = s
        .conditions
        .iter()
        .map(|c| {
            let mut row = vec![label(c.index)];
            for (_, _, unit, m) in &shown {
                let (scale, name) = unit.axis();
                let v = m.conditions[c.index].stats.map_or("–".into(), |d| {
                    let x = d.mean * scale;
                    if name == "%" { format!("{x:.1}%") } else { format!("{x:.1}") }
                });
                row.push(v);
            }
            row
        })
        .collect();
    (header, rows)
}
