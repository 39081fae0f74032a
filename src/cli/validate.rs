//! `mando validate`: check scenario files without running them.

use std::path::PathBuf;

use clap::Args;
use serde::Serialize;

use super::{Format, exit, load};
use crate::scenario::Diagnostic;

#[derive(Debug, Args)]
#[command(after_help = "EXAMPLES:
  mando validate scenarios/*.ron
  mando validate my_scenario.ron --set command.model=unified --format json")]
pub struct ValidateArgs {
    /// Scenario files (RON).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Override fields before checking, as in `mando run`.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub sets: Vec<String>,
    /// How to print the result on standard output.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[derive(Serialize)]
struct FileResult {
    file: String,
    valid: bool,
    problems: Vec<Diagnostic>,
}

pub fn validate(args: ValidateArgs) -> u8 {
    let mut results = Vec::new();
    for file in &args.files {
        let r = load(Some(file), &args.sets, Vec::new());
        let problems = r.as_ref().err().map(|e| e.diagnostics()).unwrap_or_default();
        if args.format == Format::Text {
            match &r {
                Ok(s) => say!(
                    "ok: {} ({}: {} civilians, {} officers, {}×{} cells, {} ticks)",
                    file.display(),
                    s.metadata.name,
                    s.civilians.count,
                    s.police.count,
                    s.map.width_cells,
                    s.map.height_cells,
                    s.metadata.ticks
                ),
                Err(e) => warn!("{e}"),
            }
        }
        results.push(FileResult { file: file.display().to_string(), valid: r.is_ok(), problems });
    }
    if args.format == Format::Json {
        match serde_json::to_string_pretty(&results) {
            Ok(s) => say!("{s}"),
            Err(e) => {
                warn!("cannot print the result: {e}");
                return exit::FAILURE;
            }
        }
    }
    if results.iter().all(|r| r.valid) { exit::OK } else { exit::BAD_INPUT }
}
