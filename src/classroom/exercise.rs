//! Saving an exercise and opening it again, and the after-action report
//! of a branch.
//!
//! An exercise file (JSON) holds the scenario's text and overrides, and
//! each branch's actions and furthest tick with the state hash reached
//! there. Opening replays every branch from the start and refuses the file
//! if a hash differs (another mando version or a changed scenario would
//! replay to another state, and the debrief would show something else).

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::session::{Action, ActionKind, Origin, Refusal, Session};
use crate::scenario::Override;
use crate::sim::SimOptions;

pub const FORMAT: &str = "mando-exercise";
const VERSION: u32 = 1;

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExerciseFile {
    pub format: String,
    pub version: u32,
    pub mando_version: String,
    pub scenario: Origin,
    pub snapshot_every: u32,
    pub current: String,
    pub branches: Vec<SavedBranch>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedBranch {
    pub name: String,
    pub parent: Option<String>,
    pub fork_tick: Option<u32>,
    pub head_tick: u32,
    pub head_hash: String,
    /// Injects and decisions, each with the tick after which it was made;
    /// reopening replays them to `head_tick`.
    pub actions: Vec<Action>,
}

/// The exercise as a file's content.
pub fn save(session: &Session) -> ExerciseFile {
    ExerciseFile {
        format: FORMAT.into(),
        version: VERSION,
        mando_version: env!("CARGO_PKG_VERSION").into(),
        scenario: session.origin.clone(),
        snapshot_every: session.snapshot_every,
        current: session.branch().name.clone(),
        branches: session
            .branches
            .iter()
            .map(|b| SavedBranch {
                name: b.name.clone(),
                parent: b.parent.as_ref().map(|p| p.0.clone()),
                fork_tick: b.parent.as_ref().map(|p| p.1),
                head_tick: b.head,
                head_hash: format!("{:016x}", b.hashes[b.head as usize]),
                actions: b.actions.clone(),
            })
            .collect(),
    }
}

/// Opens an exercise file: every branch replayed and its hash checked.
pub fn open(path: &Path, options: SimOptions, snapshot_every: Option<u32>) -> Result<Session, String> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {name}: {e}"))?;
    let file: ExerciseFile = serde_json::from_str(&text)
        .map_err(|e| format!("{name}:{}:{}: not an exercise file: {}", e.line(), e.column(), short(&e.to_string())))?;
    if file.format != FORMAT || file.version != VERSION {
        return Err(format!(
            "{name}: expected format `{FORMAT}` version {VERSION}, found `{}` version {}",
            file.format, file.version
        ));
    }
    let every = snapshot_every.unwrap_or(file.snapshot_every);
    let mut session = Session::new(file.scenario, options, every).map_err(|e| format!("{name}: {e}"))?;
    for b in file.branches {
        let parent = match (b.parent, b.fork_tick) {
            (Some(p), Some(t)) => Some((p, t)),
            (None, None) => None,
            _ => return Err(format!("{name}: branch `{}` gives a parent without a fork tick or the reverse", b.name)),
        };
        session
            .replay_branch(&b.name, parent, b.actions, b.head_tick)
            .map_err(|e| format!("{name}: {}", e.message()))?;
        let found = format!("{:016x}", session.branch().hashes[b.head_tick as usize]);
        if found != b.head_hash {
            return Err(format!(
                "{name}: branch `{}` replays to state {found} at tick {}, not {} as saved (another mando version, or \
                 the scenario changed)",
                b.name, b.head_tick, b.head_hash
            ));
        }
    }
    session.switch(&file.current).map_err(|e| format!("{name}: {}", e.message()))?;
    Ok(session)
}

fn short(s: &str) -> String {
    if s.chars().count() > 200 { format!("{}…", s.chars().take(200).collect::<String>()) } else { s.to_string() }
}

/// The after-action report of the current branch up to the current tick:
/// the branch replayed into a run folder, then `mando report`'s page.
pub fn report(session: &Session, scratch: &Path) -> Result<String, Refusal> {
    let tick = session.tick();
    if tick == 0 {
        return Err(Refusal::Conflict("step at least one tick before asking for a report".into()));
    }
    let mut scenario = session.scenario().clone();
    scenario.metadata.ticks = tick;
    let actions: Vec<Action> = session.branch().actions.iter().filter(|a| a.tick < tick).cloned().collect();
    let decisions = scenario.decisions.clone();
    let dir = scratch.join(format!("report-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let fail = |e: String| Refusal::Conflict(format!("the report could not be made: {e}"));
    crate::runner::run_driven(
        &scenario,
        session.options,
        Some(&dir),
        |_| {},
        |sim| {
            sim.hold_decisions(true);
            let now = sim.tick();
            for a in actions.iter().filter(|a| a.tick == now) {
                match &a.kind {
                    ActionKind::Inject { path, value } => {
                        sim.change(&Override { path: path.clone(), value: value.clone(), written_as: None })?
                    }
                    ActionKind::Decide { decision, choice } => {
                        let Some(i) = decisions.iter().position(|d| &d.name == decision) else { continue };
                        if decisions[i].before_start() {
                            continue;
                        }
                        let c = decisions[i].choice(choice).ok_or("unknown choice")?;
                        sim.decide(i, c)?;
                    }
                }
            }
            Ok(())
        },
    )
    .map_err(|e| fail(e.to_string()))?;
    let page = dir.join("report.html");
    crate::report::write(&dir, Some(&page), None).map_err(|e| fail(e.to_string()))?;
    let html = std::fs::read_to_string(&page).map_err(|e| fail(e.to_string()));
    let _ = std::fs::remove_dir_all(&dir);
    html
}
