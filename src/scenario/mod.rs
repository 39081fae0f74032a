//! The scenario file format (version 1): a RON file read into a serde mirror
//! ([`raw`]), checked once (`validate`) into a [`Scenario`] that the rest of
//! mando trusts. `--set` overrides are written into the text first
//! ([`source`]), so they are checked exactly like the file; every problem
//! carries file, line, column and field ([`diagnostic`]).
//!
//! Field by field documentation: `docs/scenario-format.md`.

mod checks;
pub mod conflict;
pub mod decisions;
pub mod defaults;
pub mod detention;
pub mod diagnostic;
pub mod locate;
pub mod operations;
pub mod purpose;
pub mod raw;
pub mod source;
pub mod types;
mod validate;

pub use validate::parse_ron;

use std::path::Path;

use serde::Serialize;

pub use conflict::{CrowdSpec, ForceSpec};
pub use decisions::{Choice, Decision, Trigger};
pub use detention::DetentionSpec;
pub use diagnostic::{Diagnostic, Origin, ScenarioError};
pub use operations::{CommandSpec, Drone, LawSpec, Site, UnitGroup, Zone};
pub use purpose::{Day, Gathering, PurposeSpec};
pub use source::{Override, Source};
pub use types::{
    Activation, Agency, CommandModel, CrowdType, Declaration, Deployment, DialogueEvent, Distribution, Edges,
    EmergencyMode, Neighbourhood, NonLethalKit, Placement, Regime, Rounding, SiteKind, StandingTask, Turn, UnitKind,
    WhileAwaiting,
};

/// The scenario shipped inside the binary, run when `mando run` gets no file.
pub const DEFAULT_SCENARIO_NAME: &str = "epstein_classic.ron";
pub const DEFAULT_SCENARIO: &str = include_str!("../../scenarios/epstein_classic.ron");

/// A checked scenario: every default filled in, every value in range.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scenario {
    pub format_version: u32,
    pub metadata: Metadata,
    pub map: MapSpec,
    pub civilians: CivilianSpec,
    pub police: PoliceSpec,
    pub rules: Rules,
    pub metrics: MetricsSpec,
    /// Scheduled changes as written (numeric values).
    pub changes: Vec<ScheduledChange>,
    /// The tunables in force from each tick at which they change, in tick
    /// order; derived from `changes`.
    #[serde(skip)]
    pub timeline: Vec<(u32, Tunables)>,
    /// Security units, in file order (none: a pure crowd model).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub forces: Vec<UnitGroup>,
    /// Command chains; present when the file has `forces`, `command` or `law`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<CommandSpec>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub law: Option<LawSpec>,
    /// Crowd types, identity, backlash, dialogue (with an operation).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crowd: Option<CrowdSpec>,
    /// How units use force (with an operation).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub force: Option<ForceSpec>,
    /// How units' arrests are made and held; without it, units jail by
    /// Epstein's rule.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detention: Option<DetentionSpec>,
    /// Decision points (`decisions`): asked in `mando serve`, taken by
    /// their default or `--decide` in batch runs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub decisions: Vec<Decision>,
    /// The text and overrides this scenario was loaded from, so that a
    /// change during a run is checked as the file is (`reload`).
    #[serde(skip)]
    pub source: Provenance,
}

/// Where a scenario came from: provenance, not content, so it takes no
/// part in equality.
#[derive(Debug, Clone, Default)]
pub struct Provenance(pub Option<std::sync::Arc<(String, String, Vec<Override>)>>);

impl PartialEq for Provenance {
    fn eq(&self, _: &Provenance) -> bool {
        true
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Metadata {
    pub name: String,
    pub description: String,
    pub seed: u64,
    pub ticks: u32,
    pub minutes_per_tick: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MapSpec {
    pub width_cells: u32,
    pub height_cells: u32,
    pub edges: Edges,
    /// Rows top to bottom (legend in `docs/scenario-format.md`); `None` if
    /// all open.
    pub terrain: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sites: Vec<Site>,
}

impl MapSpec {
    pub fn cells(&self) -> usize {
        self.width_cells as usize * self.height_cells as usize
    }

    /// Whether the cell at column `x`, row `y` (row 0 on top) is a building.
    pub fn is_building(&self, x: u32, y: u32) -> bool {
        self.terrain
            .as_ref()
            .and_then(|rows| rows.get(y as usize))
            .and_then(|row| row.as_bytes().get(x as usize))
            .is_some_and(|&c| c == b'#')
    }

    /// Cells an agent may stand on.
    pub fn open_cells(&self) -> usize {
        match &self.terrain {
            None => self.cells(),
            Some(rows) => rows.iter().map(|r| r.bytes().filter(|&c| c != b'#').count()).sum(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CivilianSpec {
    /// Number of civilians, resolved from `density` when that was given.
    pub count: u32,
    pub density: Option<f64>,
    pub placement: Placement,
    pub legitimacy: f64,
    pub vision_cells: u32,
    pub threshold: f64,
    pub arrest_constant_k: f64,
    pub max_jail_term_ticks: u32,
    pub hardship: Distribution,
    pub risk_aversion: Distribution,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PoliceSpec {
    /// Number of officers, resolved from `density` or `positions`.
    pub count: u32,
    pub density: Option<f64>,
    /// Fixed starting cells `(x, y)`, if given.
    pub positions: Option<Vec<(u32, u32)>>,
    pub vision_cells: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Rules {
    pub neighbourhood: Neighbourhood,
    pub arrest_ratio_rounding: Rounding,
    pub jailed_keep_cell: bool,
    pub activation: Activation,
    pub turn: Turn,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MetricsSpec {
    pub outburst_active_share: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScheduledChange {
    pub at_tick: u32,
    pub path: String,
    pub value: f64,
    pub over_ticks: u32,
}

/// The parameters a scenario may change while it runs. Everything else
/// (map, traits, rules) is fixed at the start.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Tunables {
    pub legitimacy: f64,
    pub threshold: f64,
    pub arrest_constant_k: f64,
    pub max_jail_term_ticks: u32,
    pub civilian_vision_cells: u32,
    pub police_vision_cells: u32,
    pub police_count: u32,
}

/// Paths that scheduled changes may name.
pub const CHANGEABLE_PATHS: &[&str] = &[
    "civilians.legitimacy",
    "civilians.threshold",
    "civilians.arrest_constant_k",
    "civilians.max_jail_term_ticks",
    "civilians.vision_cells",
    "police.vision_cells",
    "police.count",
    "police.density",
];

impl Tunables {
    pub fn initial(s: &Scenario) -> Tunables {
        Tunables {
            legitimacy: s.civilians.legitimacy,
            threshold: s.civilians.threshold,
            arrest_constant_k: s.civilians.arrest_constant_k,
            max_jail_term_ticks: s.civilians.max_jail_term_ticks,
            civilian_vision_cells: s.civilians.vision_cells,
            police_vision_cells: s.police.vision_cells,
            police_count: s.police.count,
        }
    }

    /// The current value at a changeable path (density reads as a share of
    /// `open_cells`).
    pub fn get(&self, path: &str, open_cells: usize) -> Option<f64> {
        Some(match path {
            "civilians.legitimacy" => self.legitimacy,
            "civilians.threshold" => self.threshold,
            "civilians.arrest_constant_k" => self.arrest_constant_k,
            "civilians.max_jail_term_ticks" => self.max_jail_term_ticks as f64,
            "civilians.vision_cells" => self.civilian_vision_cells as f64,
            "police.vision_cells" => self.police_vision_cells as f64,
            "police.count" => self.police_count as f64,
            "police.density" => self.police_count as f64 / open_cells.max(1) as f64,
            _ => return None,
        })
    }

    /// Sets a changeable path, checked as the file's field is checked.
    pub fn set(&mut self, path: &str, value: f64, open_cells: usize) -> Result<(), String> {
        let whole = |v: f64| -> Result<u32, String> {
            if v.fract() != 0.0 || !(0.0..=u32::MAX as f64).contains(&v) {
                Err(format!("expected a whole number, found {v}"))
            } else {
                Ok(v as u32)
            }
        };
        match path {
            "civilians.legitimacy" => self.legitimacy = checks::unit_interval(value)?,
            "civilians.threshold" => self.threshold = checks::unit_interval(value)?,
            "civilians.arrest_constant_k" => self.arrest_constant_k = checks::positive(value)?,
            "civilians.max_jail_term_ticks" => self.max_jail_term_ticks = checks::jail_term(whole(value)?)?,
            "civilians.vision_cells" => self.civilian_vision_cells = checks::vision(whole(value)?)?,
            "police.vision_cells" => self.police_vision_cells = checks::vision(whole(value)?)?,
            "police.count" => self.police_count = whole(value)?,
            "police.density" => self.police_count = (checks::unit_interval(value)? * open_cells as f64).round() as u32,
            _ => {
                return Err(format!("`{path}` cannot change during a run; these can: {}", CHANGEABLE_PATHS.join(", ")));
            }
        }
        Ok(())
    }
}

impl Scenario {
    /// The tunables in force during `tick` (ticks count from 1).
    pub fn tunables_at(&self, tick: u32) -> Tunables {
        let mut current = Tunables::initial(self);
        for (t, tun) in &self.timeline {
            if *t <= tick {
                current = *tun;
            }
        }
        current
    }
}

/// Reads, overrides and checks a scenario file.
pub fn load_file(path: &Path, overrides: &[Override]) -> Result<Scenario, ScenarioError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Io { path: name.clone(), source })?;
    load_str(&name, &text, overrides)
}

/// Overrides and checks a scenario held in memory; `name` is used in messages.
///
/// serde stops at the first parse error. When that error lies in a `--set`
/// argument, the argument is reported and dropped and the rest is checked
/// again, so every problem the user can fix is reported at once.
pub fn load_str(name: &str, text: &str, overrides: &[Override]) -> Result<Scenario, ScenarioError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (presets, plain): (Vec<Override>, Vec<Override>) =
        overrides.iter().cloned().partition(|o| o.path == "decide" || o.path.starts_with("decide."));
    let mut s = load_plain(name, text, &plain)?;
    let chosen = take_decisions(&s, &presets)?;
    for (d, c) in s.decisions.iter_mut().zip(&chosen) {
        d.chosen = *c;
    }
    check_choices(name, text, &plain, &s)?;
    // Decisions before the start are overrides of the scenario, written
    // before the user's own: an explicit `--set` (or `--vary`) of the same
    // field has the last word over a default choice.
    let before: Vec<Override> = s
        .decisions
        .iter()
        .zip(&chosen)
        .filter(|(d, _)| d.before_start())
        .flat_map(|(d, &c)| d.choices[c].changes.iter().cloned())
        .collect();
    let used = if before.is_empty() {
        plain
    } else {
        let mut used = before;
        used.extend(plain);
        let decisions = std::mem::take(&mut s.decisions);
        s = load_plain(name, text, &used)?;
        s.decisions = decisions;
        used
    };
    s.source = Provenance(Some(std::sync::Arc::new((name.to_string(), text.to_string(), used))));
    Ok(s)
}

/// The choice of each decision: its default, or the one `--decide` names.
fn take_decisions(s: &Scenario, presets: &[Override]) -> Result<Vec<usize>, ScenarioError> {
    let mut chosen: Vec<usize> = s.decisions.iter().map(|d| d.default).collect();
    let mut problems = Vec::new();
    for p in presets {
        let name = p.path.strip_prefix("decide.").unwrap_or("");
        let problem = |message: String| Diagnostic {
            origin: Origin::Override {
                argument: p.written_as.clone().unwrap_or_else(|| format!("--decide {name}={}", p.value)),
            },
            field: format!("decide.{name}"),
            message,
        };
        match s.decisions.iter().position(|d| d.name == name) {
            None if s.decisions.is_empty() => problems.push(problem("this scenario has no decisions".into())),
            None => {
                let names: Vec<String> = s.decisions.iter().map(|d| format!("`{}`", d.name)).collect();
                problems.push(problem(format!(
                    "`{name}` is not a decision of this scenario; its decisions: {}",
                    names.join(", ")
                )))
            }
            Some(i) => match s.decisions[i].choice(&p.value) {
                Some(c) => chosen[i] = c,
                None => problems.push(problem(format!(
                    "`{}` is not a choice of `{name}`; its choices: {}",
                    p.value,
                    s.decisions[i].choice_names()
                ))),
            },
        }
    }
    if problems.is_empty() { Ok(chosen) } else { Err(ScenarioError::Invalid(problems)) }
}

/// Checks each choice's changes by loading the scenario with them, so they
/// get the file's messages, placed at the choice in the file.
fn check_choices(name: &str, text: &str, plain: &[Override], s: &Scenario) -> Result<(), ScenarioError> {
    let mut problems = Vec::new();
    let map = locate::SourceMap::new(text);
    let source = Source::new(name, text);
    for (i, d) in s.decisions.iter().enumerate() {
        for (j, c) in d.choices.iter().enumerate() {
            if c.changes.is_empty() {
                continue;
            }
            let mut with = plain.to_vec();
            with.extend(c.changes.iter().cloned());
            if let Err(ScenarioError::Invalid(found)) = load_plain(name, text, &with) {
                for p in found {
                    let Origin::Override { argument } = &p.origin else { continue };
                    let Some(k) = c.changes.iter().position(|o| &o.argument() == argument) else { continue };
                    let field = format!("decisions[{i}].choices[{j}].changes[{k}]");
                    problems.push(Diagnostic {
                        origin: source.origin_of(map.offset_for(&field)),
                        message: format!("{}: {}", p.field, p.message),
                        field,
                    });
                }
            }
        }
    }
    if problems.is_empty() { Ok(()) } else { Err(ScenarioError::Invalid(problems)) }
}

impl Scenario {
    /// This scenario loaded again with `extra` overrides after the ones it
    /// was loaded with: a change during a run, checked as the file is.
    pub fn reload(&self, extra: &[Override]) -> Result<Scenario, ScenarioError> {
        let Some(p) = &self.source.0 else {
            return Err(ScenarioError::Invalid(vec![Diagnostic {
                origin: Origin::Override { argument: String::new() },
                field: String::new(),
                message: "this scenario was not loaded from a text".into(),
            }]));
        };
        let (name, text, used) = &**p;
        let mut all = used.clone();
        all.extend(extra.iter().cloned());
        let mut s = load_plain(name, text, &all)?;
        s.decisions = self.decisions.clone();
        s.source = self.source.clone();
        Ok(s)
    }
}

/// [`load_str`] without decisions taken or checked.
fn load_plain(name: &str, text: &str, overrides: &[Override]) -> Result<Scenario, ScenarioError> {
    // Some editors start a UTF-8 file with a byte-order mark.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut active: Vec<Override> = overrides.to_vec();
    let mut problems = Vec::new();
    loop {
        let mut source = Source::new(name, text);
        let patch_problems = source.apply(&active);
        match validate::parse_and_check(&source) {
            Ok(s) if problems.is_empty() && patch_problems.is_empty() => return Ok(s),
            Ok(_) => {
                problems.extend(patch_problems);
                return Err(ScenarioError::Invalid(problems));
            }
            Err(validate::Failure::Parse(more)) => {
                let culprit = match more.as_slice() {
                    [Diagnostic { origin: Origin::Override { argument }, .. }] => {
                        active.iter().position(|o| &o.argument() == argument)
                    }
                    _ => None,
                };
                problems.extend(more);
                match culprit {
                    Some(i) => {
                        active.remove(i);
                    }
                    None => {
                        problems.extend(patch_problems);
                        return Err(ScenarioError::Invalid(problems));
                    }
                }
            }
            Err(validate::Failure::Invalid(more)) => {
                problems.extend(patch_problems);
                problems.extend(more);
                return Err(ScenarioError::Invalid(problems));
            }
        }
    }
}

/// The shipped default scenario, with overrides.
pub fn load_default(overrides: &[Override]) -> Result<Scenario, ScenarioError> {
    load_str(&format!("<built-in {DEFAULT_SCENARIO_NAME}>"), DEFAULT_SCENARIO, overrides)
}
