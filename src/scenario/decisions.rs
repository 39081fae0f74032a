//! Decision points: a question the exercise puts to the class when its
//! trigger fires, with choices, each a set of changes written as `--set`
//! writes them. In `mando serve` the run pauses and the class chooses; in
//! batch runs the decision takes its default, or the choice given with
//! `--decide NAME=CHOICE` (an override of the path `decide.NAME`, so that
//! `compare --vary decide.NAME=a,b` varies it).
//!
//! A decision at tick 0 is taken before the run starts, so its changes may
//! set any field (e.g. the command arrangement); a later one may change
//! only what can change during a run ([`is_live_path`]).

use serde::{Deserialize, Serialize};

use super::CHANGEABLE_PATHS;
use super::source::Override;

/// Sections whose fields may change during a run, besides the tunables:
/// the use of force (e.g. what units may fire) and the law (e.g. the
/// declaration trigger), rebuilt from the scenario with the change.
pub const LIVE_SECTIONS: &[&str] = &["force", "law"];

/// Whether `path` may change while a run goes on.
pub fn is_live_path(path: &str) -> bool {
    CHANGEABLE_PATHS.contains(&path)
        || LIVE_SECTIONS
            .iter()
            .any(|s| path.strip_prefix(s).is_some_and(|rest| rest.starts_with('.') && rest.len() > 1))
            && !path.starts_with("law.zones")
            // The regime at the start: once running, every zone keeps its
            // own (a change would be accepted and do nothing).
            && path != "law.initial"
}

/// The paths that may change during a run, for messages and the page.
pub fn live_paths_text() -> String {
    let mut all: Vec<String> = CHANGEABLE_PATHS.iter().map(|s| s.to_string()).collect();
    all.push("any field of `force`".into());
    all.push("any field of `law` but `law.zones` and `law.initial`".into());
    all.join(", ")
}

/// As written in the file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDecision {
    pub name: String,
    pub prompt: String,
    pub trigger: RawTrigger,
    pub default: String,
    pub choices: Vec<RawChoice>,
}

#[derive(Debug, Deserialize)]
pub enum RawTrigger {
    /// After this tick (0: before the run starts).
    Tick(u32),
    /// After the first tick at which the named site is breached.
    SiteBreached(String),
    /// After the first tick the conflict reaches this phase (`escalation`,
    /// `crisis`, ...).
    Phase(String),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawChoice {
    pub name: String,
    pub label: String,
    /// `PATH=VALUE` strings, as `--set` takes them.
    pub changes: Vec<String>,
}

/// A checked decision point.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub name: String,
    pub prompt: String,
    pub trigger: Trigger,
    /// Index into `choices`.
    pub default: usize,
    /// The choice a batch run takes (the default, or `--decide`).
    pub chosen: usize,
    pub choices: Vec<Choice>,
}

/// As `summary.json`'s parameters show it: choices by name, changes as
/// `--set` writes them.
impl Serialize for Decision {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        #[derive(Serialize)]
        struct ChoiceOut<'a> {
            name: &'a str,
            label: &'a str,
            changes: Vec<String>,
        }
        let name = |i: usize| self.choices.get(i).map_or("", |c| c.name.as_str());
        let choices: Vec<ChoiceOut> = self
            .choices
            .iter()
            .map(|c| ChoiceOut {
                name: &c.name,
                label: &c.label,
                changes: c.changes.iter().map(|o| format!("{}={}", o.path, o.value)).collect(),
            })
            .collect();
        let mut st = s.serialize_struct("Decision", 6)?;
        st.serialize_field("name", &self.name)?;
        st.serialize_field("prompt", &self.prompt)?;
        st.serialize_field("trigger", &self.trigger)?;
        st.serialize_field("default", name(self.default))?;
        st.serialize_field("chosen", name(self.chosen))?;
        st.serialize_field("choices", &choices)?;
        st.end()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    Tick(u32),
    /// Site index.
    SiteBreached(usize),
    /// A name of [`PHASES`].
    Phase(String),
}

/// The escalation phases a trigger may name (the metrics' conflict
/// phases; `decisions::tests` keeps the two lists equal).
pub const PHASES: [&str; 5] = ["early", "escalation", "crisis", "de_escalation", "dialogue"];

#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    pub name: String,
    pub label: String,
    pub changes: Vec<Override>,
}

impl Decision {
    pub fn choice(&self, name: &str) -> Option<usize> {
        self.choices.iter().position(|c| c.name == name)
    }

    /// Before the run starts: its changes are overrides of the scenario.
    pub fn before_start(&self) -> bool {
        self.trigger == Trigger::Tick(0)
    }

    pub fn choice_names(&self) -> String {
        self.choices.iter().map(|c| format!("`{}`", c.name)).collect::<Vec<_>>().join(", ")
    }

    /// The trigger in words, for the page and messages.
    pub fn trigger_text(&self, sites: &[super::Site], minutes_per_tick: f64) -> String {
        match &self.trigger {
            Trigger::Tick(0) => "before the operation starts".into(),
            Trigger::Tick(t) => format!("after tick {t} ({:.0} minutes in)", *t as f64 * minutes_per_tick),
            Trigger::SiteBreached(i) => {
                format!("when {} is breached", sites.get(*i).map_or("a site", |s| s.name.as_str()))
            }
            Trigger::Phase(p) => format!("when the conflict reaches its {} phase", p.replace('_', "-")),
        }
    }
}

fn snake_case(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Checks the decisions' structure (names, trigger, default, the paths a
/// choice may change); the values are checked by loading the scenario with
/// each choice (`super::load_str`).
pub(super) fn check(
    report: &mut dyn FnMut(&str, String),
    raw: Vec<RawDecision>,
    sites: &[super::Site],
) -> Vec<Decision> {
    let mut out: Vec<Decision> = Vec::new();
    for (i, d) in raw.into_iter().enumerate() {
        let field = |name: &str| format!("decisions[{i}].{name}");
        let mut ok = true;
        if !snake_case(&d.name) {
            report(&field("name"), format!("expected a name in lower_snake_case, found `{}`", d.name));
            ok = false;
        } else if out.iter().any(|o| o.name == d.name) {
            report(&field("name"), format!("`{}` names another decision already", d.name));
            ok = false;
        }
        if d.prompt.trim().is_empty() {
            report(&field("prompt"), "expected the question put to the class, found an empty text".into());
            ok = false;
        }
        let trigger = match d.trigger {
            RawTrigger::Tick(t) => Some(Trigger::Tick(t)),
            RawTrigger::SiteBreached(name) => match sites.iter().position(|s| s.name == name) {
                Some(s) => Some(Trigger::SiteBreached(s)),
                None => {
                    let names: Vec<String> = sites.iter().map(|s| format!("`{}`", s.name)).collect();
                    report(
                        &field("trigger"),
                        if names.is_empty() {
                            format!("`{name}` is not a site: the map has none")
                        } else {
                            format!("`{name}` is not a site; the map's sites: {}", names.join(", "))
                        },
                    );
                    None
                }
            },
            RawTrigger::Phase(p) => {
                if PHASES.contains(&p.as_str()) {
                    Some(Trigger::Phase(p))
                } else {
                    report(&field("trigger"), format!("`{p}` is not a phase; expected one of {}", PHASES.join(", ")));
                    None
                }
            }
        };
        if d.choices.len() < 2 {
            report(&field("choices"), format!("expected at least two choices, found {}", d.choices.len()));
            ok = false;
        }
        let mut choices: Vec<Choice> = Vec::new();
        for (j, ch) in d.choices.into_iter().enumerate() {
            let cf = |name: &str| format!("decisions[{i}].choices[{j}].{name}");
            if !snake_case(&ch.name) {
                report(&cf("name"), format!("expected a name in lower_snake_case, found `{}`", ch.name));
                ok = false;
            } else if choices.iter().any(|o| o.name == ch.name) {
                report(&cf("name"), format!("`{}` names another choice of this decision already", ch.name));
                ok = false;
            }
            let mut changes = Vec::new();
            for (k, text) in ch.changes.iter().enumerate() {
                match Override::parse(text) {
                    Ok(o) if trigger.as_ref().is_some_and(|t| *t != Trigger::Tick(0)) && !is_live_path(&o.path) => {
                        report(
                            &format!("decisions[{i}].choices[{j}].changes[{k}]"),
                            format!(
                                "`{}` cannot change during a run (only a decision at Tick(0) may set it); these \
                                 can: {}",
                                o.path,
                                live_paths_text()
                            ),
                        );
                        ok = false;
                    }
                    Ok(o) if o.path.starts_with("decide.") || o.path.starts_with("decisions") => {
                        report(
                            &format!("decisions[{i}].choices[{j}].changes[{k}]"),
                            "a choice cannot take or change decisions".into(),
                        );
                        ok = false;
                    }
                    Ok(mut o) => {
                        o.written_as = Some(format!("decision {}={}: {}", d.name, ch.name, text.trim()));
                        changes.push(o);
                    }
                    Err(e) => {
                        report(&format!("decisions[{i}].choices[{j}].changes[{k}]"), e);
                        ok = false;
                    }
                }
            }
            choices.push(Choice { name: ch.name, label: ch.label, changes });
        }
        let default = choices.iter().position(|c| c.name == d.default);
        if default.is_none() && !choices.is_empty() {
            let names: Vec<String> = choices.iter().map(|c| format!("`{}`", c.name)).collect();
            report(&field("default"), format!("`{}` is not one of the choices: {}", d.default, names.join(", ")));
            ok = false;
        }
        if let (true, Some(trigger), Some(default)) = (ok, trigger, default) {
            out.push(Decision { name: d.name, prompt: d.prompt, trigger, default, chosen: default, choices });
        }
    }
    out
}
