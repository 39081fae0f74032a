//! Progress on standard error for long work: a bar when it is a terminal,
//! else a plain line every few seconds (a Slurm log, a CI job, a pipe);
//! nothing with `--quiet`. Standard error only: the outputs never change.

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::metrics::headline::duration;

/// How often a plain progress line is written.
pub const LINE_EVERY: Duration = Duration::from_secs(5);

/// Progress over `len` steps of some `unit` ("tick", "run").
pub struct Progress {
    unit: &'static str,
    bar: Option<ProgressBar>,
    stop: Arc<AtomicBool>,
    lines: Option<JoinHandle<()>>,
}

impl Progress {
    /// A bar on a terminal, lines every [`LINE_EVERY`] elsewhere, nothing
    /// when `quiet`. The length may be set later ([`Self::bar`]).
    pub fn new(len: u64, unit: &'static str, quiet: bool) -> Progress {
        Progress::to(len, unit, quiet, std::io::stderr().is_terminal(), LINE_EVERY)
    }

    fn to(len: u64, unit: &'static str, quiet: bool, terminal: bool, every: Duration) -> Progress {
        let stop = Arc::new(AtomicBool::new(false));
        if quiet {
            return Progress { unit, bar: None, stop, lines: None };
        }
        if terminal {
            let bar = ProgressBar::new(len);
            let template = format!("{{spinner}} {unit} {{pos}}/{{len}} {{wide_bar}} {{elapsed}}<{{eta}}  {{msg}}");
            bar.set_style(ProgressStyle::with_template(&template).unwrap_or_else(|_| ProgressStyle::default_bar()));
            return Progress { unit, bar: Some(bar), stop, lines: None };
        }
        let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::hidden());
        let (watched, stopped) = (bar.clone(), stop.clone());
        let lines = std::thread::spawn(move || {
            let mut waited = Duration::ZERO;
            while !stopped.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(100).min(every));
                waited += Duration::from_millis(100).min(every);
                if waited >= every {
                    waited = Duration::ZERO;
                    eprintln!("{}", line(unit, &watched));
                }
            }
        });
        Progress { unit, bar: Some(bar), stop, lines: Some(lines) }
    }

    /// The bar to advance (hidden when lines are written instead).
    pub fn bar(&self) -> Option<&ProgressBar> {
        self.bar.as_ref()
    }

    /// Ends the progress: the bar is cleared; a last line is written.
    pub fn finish(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(lines) = self.lines.take() {
            let _ = lines.join();
            if let Some(bar) = &self.bar {
                eprintln!("done: {}", line(self.unit, bar));
            }
        } else if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// "tick 300/864 (35%), 12 s elapsed, about 22 s left".
fn line(unit: &str, bar: &ProgressBar) -> String {
    let (pos, len) = (bar.position(), bar.length().unwrap_or(0));
    let elapsed = bar.elapsed();
    let pct = (100 * pos).checked_div(len).unwrap_or(0);
    let left = if pos > 0 && len > pos {
        format!(", about {} left", seconds(elapsed.as_secs_f64() * (len - pos) as f64 / pos as f64))
    } else {
        String::new()
    };
    format!("{unit} {pos}/{len} ({pct}%), {} elapsed{left}", seconds(elapsed.as_secs_f64()))
}

fn seconds(s: f64) -> String {
    if s < 60.0 { format!("{s:.0} s") } else { duration(s / 60.0) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_say_how_far_and_how_long() {
        let bar = ProgressBar::with_draw_target(Some(864), ProgressDrawTarget::hidden());
        bar.set_position(216);
        let l = line("tick", &bar);
        assert!(l.starts_with("tick 216/864 (25%), 0 s elapsed"), "{l}");
        assert_eq!(seconds(42.4), "42 s");
        assert_eq!(seconds(150.0), "3 min");
    }

    #[test]
    fn quiet_shows_nothing_and_a_pipe_gets_lines_not_a_bar() {
        assert!(Progress::to(10, "run", true, false, LINE_EVERY).bar().is_none());
        let p = Progress::to(10, "run", false, false, Duration::from_millis(10));
        assert!(p.bar().is_some_and(|b| b.is_hidden()), "no bar drawn into a log");
        assert!(p.lines.is_some());
        p.finish();
    }
}
