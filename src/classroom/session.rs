//! An exercise in progress: the scenario, its branches, and the one
//! simulation standing at the current tick of the current branch.
//!
//! *Pattern:* a branch is its list of actions (injects and decisions, each
//! at the tick after which it was made), the furthest tick it reached, the
//! snapshots taken on the way, and a row of figures per tick. Going back
//! restores the nearest snapshot at or before the tick and steps forward,
//! replaying the branch's actions on the way; an action taken before the
//! branch's furthest tick starts a new branch (history is never rewritten).
//! *Reasoning:* determinism makes a branch its actions: replaying them
//! from the start, or from any snapshot, gives the same state hashes,
//! which is what saving an exercise relies on.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::view::{Row, row_after};
use crate::scenario::{self, Override, Scenario};
use crate::sim::snapshot::Snapshot;
use crate::sim::{Sim, SimOptions};

/// Something the instructor did, after tick `tick`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Action {
    pub tick: u32,
    #[serde(flatten)]
    pub kind: ActionKind,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    Inject { path: String, value: String },
    Decide { decision: String, choice: String },
}

impl Action {
    /// In words, for the log.
    pub fn text(&self, s: &Scenario) -> String {
        match &self.kind {
            ActionKind::Inject { path, value } => format!("inject {path} = {value}"),
            ActionKind::Decide { decision, choice } => {
                let d = s.decisions.iter().find(|d| &d.name == decision);
                let label = d.and_then(|d| d.choices.iter().find(|c| &c.name == choice)).map(|c| c.label.as_str());
                match (d, label) {
                    (Some(d), Some(label)) => format!("{}: {label}", d.prompt),
                    _ => format!("decision {decision}: {choice}"),
                }
            }
        }
    }
}

pub struct Branch {
    pub name: String,
    pub parent: Option<(String, u32)>,
    pub actions: Vec<Action>,
    /// The furthest tick reached.
    pub head: u32,
    snapshots: BTreeMap<u32, Arc<Snapshot>>,
    /// Figures after each tick, from 0 to `head`.
    pub rows: Vec<Row>,
    /// State hash after each tick, from 0 to `head`.
    pub hashes: Vec<u64>,
}

/// Why a request could not be done; the message is for the instructor.
#[derive(Debug)]
pub enum Refusal {
    /// The request is wrong (400).
    Bad(String),
    /// Not now: e.g. a decision is waiting (409).
    Conflict(String),
    /// No such thing (404).
    Missing(String),
}

impl Refusal {
    pub fn message(&self) -> &str {
        match self {
            Refusal::Bad(m) | Refusal::Conflict(m) | Refusal::Missing(m) => m,
        }
    }
}

/// Where the scenario came from, so that it can be loaded again with a
/// different choice at the start, and saved with the exercise.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Origin {
    pub name: String,
    pub text: String,
    pub overrides: Vec<Override>,
}

pub struct Session {
    pub origin: Origin,
    pub options: SimOptions,
    pub snapshot_every: u32,
    pub branches: Vec<Branch>,
    pub current: usize,
    sim: Sim,
    /// The scenario of the current branch (choices at the start taken).
    scenario: Scenario,
    /// Whether the current branch's actions at the current tick are in the
    /// simulation (false right after a rewind: they are its future).
    applied: bool,
    /// Uses of force of the last ticks, for the map's flashes.
    pub recent_force: Vec<serde_json::Value>,
}

const MAX_BRANCHES: usize = 64;
/// Recent uses of force kept for the map.
const FORCE_TICKS: u32 = 5;

impl Session {
    pub fn new(origin: Origin, options: SimOptions, snapshot_every: u32) -> Result<Session, String> {
        let scenario = load(&origin, &[])?;
        let mut sim = build(&scenario, options)?;
        let branch = Branch {
            name: "main".into(),
            parent: None,
            actions: Vec::new(),
            head: 0,
            snapshots: BTreeMap::from([(0, Arc::new(sim.snapshot()))]),
            rows: vec![row_after(&mut sim, &[])],
            hashes: vec![sim.state_hash()],
        };
        Ok(Session {
            origin,
            options,
            snapshot_every: snapshot_every.max(1),
            branches: vec![branch],
            current: 0,
            sim,
            scenario,
            applied: true,
            recent_force: Vec::new(),
        })
    }

    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    pub fn sim(&self) -> &Sim {
        &self.sim
    }

    pub fn sim_mut(&mut self) -> &mut Sim {
        &mut self.sim
    }

    pub fn branch(&self) -> &Branch {
        &self.branches[self.current]
    }

    pub fn tick(&self) -> u32 {
        self.sim.tick()
    }

    /// The decision waiting for the class: one before the start that this
    /// branch has not taken, or one whose trigger fired.
    pub fn pending_decision(&self) -> Option<usize> {
        if self.tick() == 0 {
            // Rewound to the start: the choices before it are asked again.
            if !self.applied
                && let Some(i) = self.scenario.decisions.iter().position(|d| d.before_start())
            {
                return Some(i);
            }
            let taken = |name: &str| {
                self.branch()
                    .actions
                    .iter()
                    .any(|a| matches!(&a.kind, ActionKind::Decide { decision, .. } if decision == name))
            };
            if let Some(i) = self.scenario.decisions.iter().position(|d| d.before_start() && !taken(&d.name)) {
                return Some(i);
            }
        }
        self.sim.due_decision()
    }

    /// Steps up to `ticks` ticks; stops early at a decision or the end.
    pub fn step(&mut self, ticks: u32) -> Result<(), Refusal> {
        for _ in 0..ticks {
            self.apply_recorded()?;
            if self.pending_decision().is_some() || self.sim.is_finished() {
                break;
            }
            self.advance()?;
        }
        self.apply_recorded()
    }

    /// One tick forward; records its row, hash and (on new ground or where
    /// one is missing) a snapshot.
    fn advance(&mut self) -> Result<(), Refusal> {
        let before = super::view::latencies_len(&mut self.sim);
        let record = self.sim.step();
        let events = self.sim.drain_events();
        self.sim.drain_arrests();
        let tick = self.tick();
        self.recent_force.retain(|f| f["tick"].as_u64().is_some_and(|t| t as u32 + FORCE_TICKS > tick));
        self.recent_force.extend(super::view::force_marks(&events, self.scenario.map.width_cells));
        let row = super::view::row_after_from(&mut self.sim, &record, before);
        let hash = self.sim.state_hash();
        let every = self.snapshot_every;
        let b = &mut self.branches[self.current];
        let i = tick as usize;
        if i < b.rows.len() {
            b.rows[i] = row;
            b.hashes[i] = hash;
        } else {
            b.rows.push(row);
            b.hashes.push(hash);
        }
        b.head = b.head.max(tick);
        if tick.is_multiple_of(every) && !b.snapshots.contains_key(&tick) {
            b.snapshots.insert(tick, Arc::new(self.sim.snapshot()));
        }
        self.applied = false;
        Ok(())
    }

    /// Puts the branch's recorded actions at the current tick into the
    /// simulation, once.
    fn apply_recorded(&mut self) -> Result<(), Refusal> {
        if self.applied {
            return Ok(());
        }
        self.applied = true;
        let tick = self.tick();
        let due: Vec<Action> = self.branch().actions.iter().filter(|a| a.tick == tick).cloned().collect();
        for a in due {
            self.apply(&a).map_err(|e| Refusal::Conflict(format!("the branch's recorded action failed: {e}")))?;
        }
        Ok(())
    }

    /// Applies one action to the simulation (decisions at the start are
    /// part of how the branch's simulation is built).
    fn apply(&mut self, a: &Action) -> Result<(), String> {
        match &a.kind {
            ActionKind::Inject { path, value } => self.sim.change(&Override {
                path: path.clone(),
                value: value.clone(),
                written_as: Some(format!("inject {path}={value}")),
            }),
            ActionKind::Decide { decision, choice } => {
                let Some(i) = self.scenario.decisions.iter().position(|d| &d.name == decision) else {
                    return Err(format!("`{decision}` is not a decision of this scenario"));
                };
                if self.scenario.decisions[i].before_start() {
                    return Ok(());
                }
                let c = self.scenario.decisions[i]
                    .choice(choice)
                    .ok_or_else(|| format!("`{choice}` is not a choice of `{decision}`"))?;
                self.sim.decide(i, c)
            }
        }
    }

    /// Goes back (or forward) to `tick` on the current branch: the nearest
    /// snapshot at or before it, then the branch's actions replayed on the
    /// way. The branch's actions at `tick` itself are left for the next
    /// step (so a decision taken there is asked again).
    pub fn rewind(&mut self, tick: u32) -> Result<(), Refusal> {
        let b = self.branch();
        if tick > b.head {
            return Err(Refusal::Bad(format!(
                "tick {tick} is beyond this branch's furthest tick {}; step forward instead",
                b.head
            )));
        }
        let snap = b
            .snapshots
            .range(..=tick)
            .next_back()
            .map(|(_, s)| s.clone())
            .ok_or_else(|| Refusal::Conflict("no snapshot at or before that tick".into()))?;
        self.sim = Sim::restore(&snap).map_err(|e| Refusal::Conflict(e.to_string()))?;
        self.sim.hold_decisions(true);
        self.scenario = snap.scenario().clone();
        self.applied = false;
        self.recent_force.clear();
        while self.tick() < tick {
            self.apply_recorded()?;
            self.advance()?;
        }
        Ok(())
    }

    /// Fires a change now (from the next tick on).
    pub fn inject(&mut self, path: &str, value: &str) -> Result<(), Refusal> {
        let o = Override::parse(&format!("{path}={value}")).map_err(Refusal::Bad)?;
        let action =
            Action { tick: self.tick(), kind: ActionKind::Inject { path: o.path.clone(), value: o.value.clone() } };
        self.take(action)
    }

    /// Takes a choice of the decision waiting.
    pub fn decide(&mut self, decision: &str, choice: &str) -> Result<(), Refusal> {
        let Some(i) = self.scenario.decisions.iter().position(|d| d.name == decision) else {
            let names: Vec<&str> = self.scenario.decisions.iter().map(|d| d.name.as_str()).collect();
            return Err(Refusal::Missing(format!(
                "`{decision}` is not a decision of this scenario; its decisions: {}",
                names.join(", ")
            )));
        };
        let d = &self.scenario.decisions[i];
        if d.choice(choice).is_none() {
            return Err(Refusal::Bad(format!(
                "`{choice}` is not a choice of `{decision}`; its choices: {}",
                d.choice_names()
            )));
        }
        let action =
            Action { tick: self.tick(), kind: ActionKind::Decide { decision: decision.into(), choice: choice.into() } };
        if self.scenario.decisions[i].before_start() {
            // Taken (again) at tick 0: the branch's simulation is built
            // anew with this choice, on a new branch if this one has a
            // history that the choice would rewrite.
            if self.tick() != 0 {
                return Err(Refusal::Conflict(format!(
                    "`{decision}` is decided before the start; rewind to tick 0 to choose again"
                )));
            }
            let same = |a: &Action| matches!(&a.kind, ActionKind::Decide { decision: d, .. } if d == decision);
            if self.branch().actions.contains(&action) {
                // The branch's own choice: go on along it.
                return self.apply_recorded();
            }
            let b = self.branch();
            if b.head > 0 || b.actions.iter().any(same) {
                let name = self.free_name();
                self.fork(&name)?;
            }
            let b = &mut self.branches[self.current];
            b.actions.retain(|a| a.tick == 0 && !same(a));
            b.actions.push(action);
            let presets = self.start_presets();
            let scenario = load(&self.origin, &presets).map_err(Refusal::Bad)?;
            let mut sim = build(&scenario, self.options).map_err(Refusal::Bad)?;
            let b = &mut self.branches[self.current];
            b.snapshots = BTreeMap::from([(0, Arc::new(sim.snapshot()))]);
            b.rows = vec![row_after(&mut sim, &[])];
            b.hashes = vec![sim.state_hash()];
            b.head = 0;
            self.sim = sim;
            self.scenario = scenario;
            self.applied = true;
            return Ok(());
        }
        if self.pending_decision() != Some(i) {
            return Err(Refusal::Conflict(format!("`{decision}` is not waiting for a choice now")));
        }
        self.take(action)
    }

    /// A branch name not taken: the current one's with a number.
    fn free_name(&self) -> String {
        let base = self.branch().name.clone();
        (2..).map(|k| format!("{base}-{k}")).find(|n| self.branches.iter().all(|b| &b.name != n)).unwrap_or(base)
    }

    /// Whether `a` is a choice before the start (part of how the branch's
    /// simulation is built).
    fn at_start(&self, a: &Action) -> bool {
        a.tick == 0
            && matches!(&a.kind, ActionKind::Decide { decision, .. }
                if self.scenario.decisions.iter().any(|d| &d.name == decision && d.before_start()))
    }

    /// The choices at the start this branch took, as `decide.` overrides.
    fn start_presets(&self) -> Vec<Override> {
        self.branch()
            .actions
            .iter()
            .filter(|a| a.tick == 0)
            .filter_map(|a| match &a.kind {
                ActionKind::Decide { decision, choice } => Override::parse(&format!("decide.{decision}={choice}")).ok(),
                _ => None,
            })
            .collect()
    }

    /// Applies a new action at the current tick, on a new branch if the
    /// current one went further.
    fn take(&mut self, action: Action) -> Result<(), Refusal> {
        if self.tick() == 0 && self.pending_decision().is_some_and(|i| self.scenario.decisions[i].before_start()) {
            return Err(Refusal::Conflict("take the decisions before the start first".into()));
        }
        let tick = self.tick();
        // After a rewind, the branch's own actions at this tick are its
        // future: taking the same one again just goes on along the branch.
        if !self.applied && self.branch().actions.iter().any(|a| a.tick == tick && *a == action) {
            return self.apply_recorded();
        }
        // History is never rewritten: before the branch's furthest tick, or
        // with its recorded future not yet replayed, this starts a branch
        // (without the branch's actions at this tick if they are not in the
        // simulation).
        let b = self.branch();
        let rewriting = b.head != tick || b.actions.iter().any(|a| a.tick > tick || (a.tick == tick && !self.applied));
        if !rewriting {
            self.apply_recorded()?;
        }
        // Check on the simulation as it is, before any branch is made.
        let snapshot_before = self.sim.snapshot();
        if let Err(e) = self.apply(&action) {
            self.sim = Sim::restore(&snapshot_before).map_err(|e| Refusal::Conflict(e.to_string()))?;
            self.sim.hold_decisions(true);
            return Err(Refusal::Bad(e));
        }
        if rewriting {
            let name = self.free_name();
            self.fork(&name)?;
        }
        self.applied = true;
        self.branches[self.current].actions.push(action);
        Ok(())
    }

    /// A new branch from the current tick, made current.
    pub fn fork(&mut self, name: &str) -> Result<(), Refusal> {
        let name = name.trim();
        if name.is_empty()
            || name.len() > 40
            || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == ' ')
        {
            return Err(Refusal::Bad("a branch name is 1 to 40 letters, digits, spaces, '-' or '_'".into()));
        }
        if self.branches.iter().any(|b| b.name == name) {
            return Err(Refusal::Bad(format!("a branch is called `{name}` already")));
        }
        if self.branches.len() >= MAX_BRANCHES {
            return Err(Refusal::Conflict(format!("an exercise holds at most {MAX_BRANCHES} branches")));
        }
        let tick = self.tick();
        let applied = self.applied;
        let parent = self.branch();
        let actions = parent
            .actions
            .iter()
            .filter(|a| a.tick < tick || (a.tick == tick && applied) || self.at_start(a))
            .cloned()
            .collect();
        let t = tick as usize;
        let branch = Branch {
            name: name.to_string(),
            parent: Some((parent.name.clone(), tick)),
            actions,
            head: tick,
            snapshots: parent.snapshots.range(..=tick).map(|(k, v)| (*k, v.clone())).collect(),
            rows: parent.rows[..=t].to_vec(),
            hashes: parent.hashes[..=t].to_vec(),
        };
        self.branches.push(branch);
        self.current = self.branches.len() - 1;
        self.applied = true;
        Ok(())
    }

    /// Makes another branch current, at its furthest tick.
    pub fn switch(&mut self, name: &str) -> Result<(), Refusal> {
        let i = self.find(name)?;
        self.current = i;
        let head = self.branches[i].head;
        self.rewind(head)?;
        self.apply_recorded()
    }

    pub fn find(&self, name: &str) -> Result<usize, Refusal> {
        self.branches
            .iter()
            .position(|b| b.name == name)
            .ok_or_else(|| Refusal::Missing(format!("no branch is called `{name}`")))
    }

    /// Replays a saved branch from the start: its actions, to its furthest
    /// tick. Used when an exercise is opened.
    pub fn replay_branch(
        &mut self,
        name: &str,
        parent: Option<(String, u32)>,
        actions: Vec<Action>,
        head: u32,
    ) -> Result<(), Refusal> {
        if self.branches.iter().any(|b| b.name == name) && name != "main" {
            return Err(Refusal::Bad(format!("two branches are called `{name}`")));
        }
        let start: Vec<Override> = actions
            .iter()
            .filter(|a| a.tick == 0)
            .filter_map(|a| match &a.kind {
                ActionKind::Decide { decision, choice }
                    if self.scenario.decisions.iter().any(|d| &d.name == decision && d.before_start()) =>
                {
                    Override::parse(&format!("decide.{decision}={choice}")).ok()
                }
                _ => None,
            })
            .collect();
        let scenario = load(&self.origin, &start).map_err(Refusal::Bad)?;
        let mut sim = build(&scenario, self.options).map_err(Refusal::Bad)?;
        let branch = Branch {
            name: name.to_string(),
            parent,
            actions,
            head,
            snapshots: BTreeMap::from([(0, Arc::new(sim.snapshot()))]),
            rows: vec![row_after(&mut sim, &[])],
            hashes: vec![sim.state_hash()],
        };
        if name == "main" && self.branches.len() == 1 && self.branches[0].name == "main" {
            self.branches[0] = branch;
            self.current = 0;
        } else {
            self.branches.push(branch);
            self.current = self.branches.len() - 1;
        }
        self.sim = sim;
        self.scenario = scenario;
        self.applied = false;
        while self.tick() < head {
            self.apply_recorded()?;
            if self.pending_decision().is_some() {
                return Err(Refusal::Bad(format!(
                    "branch `{name}` stops at tick {} for a decision the file does not take",
                    self.tick()
                )));
            }
            self.advance()?;
        }
        self.apply_recorded()
    }
}

/// The scenario with the choices at the start given as `decide.` presets.
fn load(origin: &Origin, presets: &[Override]) -> Result<Scenario, String> {
    let mut all = origin.overrides.clone();
    all.extend(presets.iter().cloned());
    scenario::load_str(&origin.name, &origin.text, &all).map_err(|e| e.to_string())
}

fn build(scenario: &Scenario, options: SimOptions) -> Result<Sim, String> {
    let mut sim = Sim::new(scenario, options).map_err(|e| e.to_string())?;
    sim.hold_decisions(true);
    Ok(sim)
}
