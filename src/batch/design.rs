//! The sweep spec (`mando sweep SPEC.ron`, `docs/sweeps.md`): a scenario, a
//! design over scenario paths (full grid, Latin hypercube, explicit list),
//! replications and a seed; read like a scenario, every problem reported
//! with file, line, column and field.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Deserialize;

use super::plan::{Condition, MAX_CONDITIONS, MAX_RUNS};
use super::{BatchError, BatchInput, Shard};
use crate::scenario::locate::SourceMap;
use crate::scenario::{Diagnostic, Override, ScenarioError, Source, parse_ron};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename = "Sweep")]
struct RawSweep {
    /// Relative to the spec file's folder.
    scenario: String,
    design: RawDesign,
    #[serde(default)]
    parameters: Vec<RawParameter>,
    /// For `List`: one map of path → value per point.
    #[serde(default)]
    points: Vec<BTreeMap<String, SpecValue>>,
    replications: usize,
    seed: Option<u64>,
    ticks: Option<u32>,
    /// `PATH=VALUE` overrides for every run.
    #[serde(default)]
    set: Vec<String>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
enum RawDesign {
    Grid,
    LatinHypercube { samples: usize },
    List,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawParameter {
    path: String,
    #[serde(default)]
    values: Vec<SpecValue>,
    range: Option<(f64, f64)>,
    steps: Option<usize>,
    #[serde(default)]
    integer: bool,
}

/// A value as written in the spec: numbers and booleans as such; a string
/// is RON text written into the scenario as it is, like a `--set` value
/// (`"unified"` sets the identifier `unified`).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum SpecValue {
    Bool(bool),
    Number(f64),
    Text(String),
}

impl SpecValue {
    fn ron(&self) -> String {
        match self {
            SpecValue::Bool(b) => b.to_string(),
            SpecValue::Number(x) => x.to_string(),
            SpecValue::Text(s) => s.clone(),
        }
    }
}

/// A checked sweep.
#[derive(Debug, Clone)]
pub struct Sweep {
    pub spec: PathBuf,
    pub scenario: PathBuf,
    pub parameters: Vec<String>,
    pub conditions: Vec<Condition>,
    pub replications: usize,
    pub seed: Option<u64>,
    pub common: Vec<Override>,
    /// Where each condition's values are written in the spec, for messages:
    /// `(condition, path)` → `file:line:column`.
    pub places: BTreeMap<(usize, String), String>,
}

impl Sweep {
    /// How a point's value is named in messages: its place in the spec.
    pub fn written_as(&self, condition: usize, path: &str, value: &str) -> String {
        self.places
            .get(&(condition, path.to_string()))
            .map_or(format!("{path}={value}"), |at| format!("{at}: {path}={value}"))
    }

    /// The batch this sweep (or its shard) is.
    pub fn input<'a>(&'a self, written_as: &'a dyn Fn(usize, &str, &str) -> String, shard: Shard) -> BatchInput<'a> {
        BatchInput {
            kind: "sweep",
            scenario_path: &self.scenario,
            common: self.common.clone(),
            parameters: self.parameters.clone(),
            conditions: self.conditions.clone(),
            written_as,
            replications: self.replications,
            seed: self.seed,
            shard,
            baseline: None,
        }
    }
}

struct Reporter<'a> {
    source: &'a Source,
    map: SourceMap,
    problems: Vec<Diagnostic>,
}

impl Reporter<'_> {
    fn place(&self, field: &str) -> String {
        let (line, col) = self.map.line_col(&self.source.text, self.map.offset_for(field));
        format!("{}:{line}:{col}", self.source.name)
    }
    fn report(&mut self, field: &str, message: impl Into<String>) {
        let origin = self.source.origin_of(self.map.offset_for(field));
        self.problems.push(Diagnostic { origin, field: field.to_string(), message: message.into() });
    }
}

fn linspace(min: f64, max: f64, steps: usize, integer: bool) -> Vec<f64> {
    let mut v: Vec<f64> = (0..steps)
        .map(|i| if steps == 1 { min } else { min + (max - min) * i as f64 / (steps - 1) as f64 })
        .map(|x| if integer { x.round().clamp(min.ceil(), max.floor()) } else { x })
        .collect();
    v.dedup();
    v
}

/// Reads and checks a sweep spec (not yet the scenario under each point:
/// that is [`super::prepare`]'s work).
pub fn load(spec: &Path) -> Result<Sweep, BatchError> {
    let text = std::fs::read_to_string(spec)
        .map_err(|source| BatchError::Scenario(ScenarioError::Io { path: spec.display().to_string(), source }))?;
    parse(spec, &text)
}

/// [`load`] of a spec's text, as if read from the file `spec`.
pub fn parse(spec: &Path, text: &str) -> Result<Sweep, BatchError> {
    check(spec, spec.display().to_string(), text).map_err(BatchError::Spec)
}

fn check(spec: &Path, name: String, text: &str) -> Result<Sweep, Vec<Diagnostic>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text).to_string();
    let source = Source::new(name, text);
    let raw: RawSweep = parse_ron(&source).map_err(|mut d| {
        for p in &mut d {
            if p.message.contains("untagged enum SpecValue") {
                p.message =
                    "expected a number, true or false, or a string (identifiers as strings: \"unified\")".into();
            }
        }
        d
    })?;
    let mut r = Reporter { map: SourceMap::new(&source.text), source: &source, problems: Vec::new() };

    if raw.replications == 0 || raw.replications > MAX_RUNS {
        r.report("replications", format!("expected from 1 to {MAX_RUNS} replications, found {}", raw.replications));
    }
    let mut common = Vec::new();
    for (i, s) in raw.set.iter().enumerate() {
        match Override::parse(s) {
            Ok(mut o) => {
                o.written_as = Some(format!("{}: set[{i}] {s}", r.place(&format!("set[{i}]"))));
                common.push(o);
            }
            Err(m) => r.report(&format!("set[{i}]"), m),
        }
    }
    if let Some(t) = raw.ticks {
        common.push(Override::from_flag("metadata.ticks", t, &format!("{}: ticks", r.place("ticks"))));
    }

    // Each parameter's candidate values (grid) or range (hypercube).
    let mut paths = Vec::new();
    for (j, p) in raw.parameters.iter().enumerate() {
        let f = |k: &str| format!("parameters[{j}].{k}");
        if Override::parse(&format!("{}=0", p.path)).is_err() {
            r.report(&f("path"), format!("`{}` is not a field path (for example civilians.legitimacy)", p.path));
        }
        if paths.contains(&p.path) {
            r.report(&f("path"), format!("`{}` is swept twice", p.path));
        }
        paths.push(p.path.clone());
        match (&p.values.is_empty(), p.range) {
            (false, Some(_)) => r.report(&f("range"), "expected either `values` or `range`, not both"),
            (true, None) => r.report(&f("path"), "expected `values: [...]` or `range: (min, max)`"),
            (_, Some((lo, hi))) if !(lo.is_finite() && hi.is_finite() && lo <= hi) => {
                r.report(&f("range"), format!("expected (min, max) with min <= max, found ({lo}, {hi})"))
            }
            _ => {}
        }
        if matches!(raw.design, RawDesign::Grid) && p.range.is_some() && p.steps.is_none_or(|s| s == 0) {
            r.report(&f("steps"), "a range in a Grid design needs `steps`: the number of values, at least 1");
        }
        if let (true, Some((lo, hi))) = (p.integer, p.range)
            && lo.ceil() > hi.floor()
        {
            r.report(&f("range"), format!("`integer: true` but ({lo}, {hi}) holds no whole number"));
        }
        if p.steps.is_some_and(|s| s > MAX_CONDITIONS) {
            r.report(&f("steps"), format!("expected at most {MAX_CONDITIONS} steps"));
        }
    }

    let grid_size = raw
        .parameters
        .iter()
        .try_fold(1usize, |n, p| n.checked_mul(if p.range.is_some() { p.steps.unwrap_or(1) } else { p.values.len() }));
    match raw.design {
        RawDesign::Grid if grid_size.is_none_or(|n| n > MAX_CONDITIONS) => {
            r.report("parameters", format!("the grid has more than {MAX_CONDITIONS} points: split the sweep"))
        }
        RawDesign::LatinHypercube { samples } if samples > MAX_CONDITIONS => {
            r.report("design", format!("expected at most {MAX_CONDITIONS} samples, found {samples}"))
        }
        _ => {}
    }
    if !r.problems.is_empty() {
        return Err(r.problems);
    }
    let mut conditions: Vec<Condition> = Vec::new();
    let mut places = BTreeMap::new();
    match raw.design {
        RawDesign::Grid => {
            if raw.parameters.is_empty() {
                r.report("parameters", "a Grid design needs at least one parameter");
            }
            conditions.push(Condition { values: Vec::new() });
            for (j, p) in raw.parameters.iter().enumerate() {
                let values: Vec<String> = match p.range {
                    Some((lo, hi)) => {
                        linspace(lo, hi, p.steps.unwrap_or(1), p.integer).iter().map(f64::to_string).collect()
                    }
                    None => p.values.iter().map(SpecValue::ron).collect(),
                };
                // Two equal values would be two identical design points (a
                // range's steps are deduplicated by linspace).
                if let Some(v) = values.iter().enumerate().find(|(i, v)| values[..*i].contains(v)).map(|(_, v)| v) {
                    r.report(
                        &format!("parameters[{j}].values"),
                        format!("`{v}` is in the list twice (two design points would be the same)"),
                    );
                }
                conditions = conditions
                    .into_iter()
                    .flat_map(|c| {
                        values.iter().map(move |v| {
                            let mut c = c.clone();
                            c.values.push((p.path.clone(), v.clone()));
                            c
                        })
                    })
                    .collect();
            }
            for (c, _) in conditions.iter().enumerate() {
                for (j, p) in raw.parameters.iter().enumerate() {
                    places.insert((c, p.path.clone()), r.place(&format!("parameters[{j}]")));
                }
            }
        }
        RawDesign::LatinHypercube { samples } => {
            if samples == 0 {
                r.report("design", "expected LatinHypercube(samples: N) with N at least 1");
            }
            if raw.parameters.is_empty() {
                r.report("parameters", "a LatinHypercube design needs at least one parameter");
            }
            // One permutation of the strata per parameter, from the seed.
            let mut rng = ChaCha8Rng::seed_from_u64(raw.seed.unwrap_or(0) ^ 0x4c48_535f_5357_4545);
            let mut columns: Vec<Vec<String>> = Vec::new();
            for p in &raw.parameters {
                let mut strata: Vec<usize> = (0..samples).collect();
                for i in (1..strata.len()).rev() {
                    strata.swap(i, rng.random_range(0..=i));
                }
                let col = strata
                    .iter()
                    .map(|&s| {
                        let u = (s as f64 + rng.random::<f64>()) / samples as f64;
                        match p.range {
                            // Whole numbers: each of lo..=hi gets an equal share.
                            Some((lo, hi)) if p.integer => {
                                let (lo, hi) = (lo.ceil(), hi.floor().max(lo.ceil()));
                                (lo + (u * (hi - lo + 1.0)).floor()).min(hi).to_string()
                            }
                            Some((lo, hi)) => (lo + u * (hi - lo)).to_string(),
                            None if !p.values.is_empty() => {
                                p.values[((u * p.values.len() as f64) as usize).min(p.values.len() - 1)].ron()
                            }
                            None => String::new(),
                        }
                    })
                    .collect();
                columns.push(col);
            }
            for i in 0..samples {
                conditions.push(Condition {
                    values: raw
                        .parameters
                        .iter()
                        .zip(&columns)
                        .map(|(p, col)| (p.path.clone(), col[i].clone()))
                        .collect(),
                });
                for (j, p) in raw.parameters.iter().enumerate() {
                    places.insert((i, p.path.clone()), r.place(&format!("parameters[{j}]")));
                }
            }
        }
        RawDesign::List => {
            if raw.points.is_empty() {
                r.report("points", "a List design needs at least one point: points: [{\"path\": value, ...}]");
            }
            if !raw.parameters.is_empty() {
                r.report("parameters", "a List design takes its values from `points`, not `parameters`");
            }
            paths.clear();
            for point in &raw.points {
                for k in point.keys() {
                    if !paths.contains(k) {
                        paths.push(k.clone());
                    }
                }
            }
            let mut seen = std::collections::HashMap::new();
            for (i, point) in raw.points.iter().enumerate() {
                for k in point.keys() {
                    if Override::parse(&format!("{k}=0")).is_err() {
                        r.report(&format!("points[{i}]"), format!("`{k}` is not a field path"));
                    }
                    places.insert((i, k.clone()), r.place(&format!("points[{i}]")));
                }
                let c = Condition { values: point.iter().map(|(k, v)| (k.clone(), v.ron())).collect() };
                if let Some(k) = seen.insert(c.values.clone(), i) {
                    r.report(
                        &format!("points[{i}]"),
                        format!("the same point as points[{k}] (two design points would be the same)"),
                    );
                }
                conditions.push(c);
            }
        }
    }
    if !r.problems.is_empty() {
        return Err(r.problems);
    }
    let folder = spec.parent().unwrap_or(Path::new("."));
    Ok(Sweep {
        spec: spec.to_path_buf(),
        scenario: folder.join(&raw.scenario),
        parameters: paths,
        conditions,
        replications: raw.replications,
        seed: raw.seed,
        common,
        places,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linspace_includes_both_ends_and_rounds_integers() {
        assert_eq!(linspace(0.0, 1.0, 3, false), vec![0.0, 0.5, 1.0]);
        assert_eq!(linspace(1.0, 4.0, 3, true), vec![1.0, 3.0, 4.0]);
        assert_eq!(linspace(2.0, 2.0, 1, false), vec![2.0]);
    }
}
