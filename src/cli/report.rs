//! `mando report`: the after-action report of a run folder, or the
//! comparison report of a compare or sweep folder, as one HTML file.

use std::path::PathBuf;

use clap::Args;

use super::{Format, exit};
use crate::report;

#[derive(Debug, Args)]
#[command(after_help = "EXAMPLES:
  mando report runs/mining-3                     writes runs/mining-3/report.html
  mando report runs/arrangements -o arrangements.html --figures slides/")]
pub struct ReportArgs {
    /// A run folder (from `mando run --out`) or a compare or sweep folder.
    pub dir: PathBuf,
    /// Where to write the page [default: DIR/report.html].
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also write every chart as an SVG file into this folder (for slides).
    #[arg(long, value_name = "DIR")]
    pub figures: Option<PathBuf>,
    /// Print nothing (the page is still written).
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// How to print the result on standard output.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

pub fn run(args: ReportArgs) -> u8 {
    match report::write(&args.dir, args.output.as_deref(), args.figures.as_deref()) {
        Ok(w) => {
            match args.format {
                Format::Json => say!("{}", serde_json::to_string(&w).unwrap_or_default()),
                Format::Text if !args.quiet => {
                    say!(
                        "{} report written to {}",
                        match w.kind {
                            "run" => "After-action",
                            "sweep" => "Sweep",
                            _ => "Comparison",
                        },
                        w.page.display()
                    );
                    if let Some(dir) = &args.figures {
                        say!("{} figures written to {}", w.figures.len(), dir.display());
                    }
                }
                Format::Text => {}
            }
            exit::OK
        }
        Err(e) => {
            super::fail(if e.is_bad_input() { "bad_input" } else { "failure" }, &e.to_string());
            if e.is_bad_input() { exit::BAD_INPUT } else { exit::FAILURE }
        }
    }
}
