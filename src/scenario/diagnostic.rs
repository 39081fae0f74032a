//! Problems found in a scenario, each with where it is and what was expected.

use std::fmt;

use serde::Serialize;

/// Where a problem was written: a place in a file, or a command-line
/// argument as the user wrote it (`--set civilians.legitimacy=2`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Origin {
    File { file: String, line: usize, column: usize },
    Override { argument: String },
}

/// One problem in a scenario.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    #[serde(flatten)]
    pub origin: Origin,
    /// The field path, e.g. `civilians.legitimacy` or `changes[1].value`.
    pub field: String,
    /// What is wrong and what was expected.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.origin {
            Origin::File { file, line, column } => write!(f, "{file}:{line}:{column}: ")?,
            Origin::Override { argument } => write!(f, "{argument}: ")?,
        }
        if self.field.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", self.field, self.message)
        }
    }
}

/// Why a scenario could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("cannot read {path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("{}", render(.0))]
    Invalid(Vec<Diagnostic>),
}

fn render(problems: &[Diagnostic]) -> String {
    let mut s = String::new();
    for (i, p) in problems.iter().enumerate() {
        if i > 0 {
            s.push('\n');
        }
        s.push_str(&p.to_string());
    }
    s
}

impl ScenarioError {
    /// The individual problems (an I/O failure is one problem without a place).
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        match self {
            ScenarioError::Invalid(d) => d.clone(),
            ScenarioError::Io { path, source } => vec![Diagnostic {
                origin: Origin::File { file: path.clone(), line: 0, column: 0 },
                field: String::new(),
                message: format!("cannot read the file: {source}"),
            }],
        }
    }
}
