//! `mando serve`: the classroom web app on this machine.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use clap::Args;

use super::exit;
use crate::classroom::exercise;
use crate::classroom::session::{Origin, Session};
use crate::scenario::{self, DEFAULT_SCENARIO, DEFAULT_SCENARIO_NAME};
use crate::sim::SimOptions;

#[derive(Debug, Args)]
#[command(after_help = "EXAMPLES:
  mando serve scenarios/substation_under_threat.ron
  mando serve --exercise saved-exercise.json
  mando serve scenarios/mining_corridor_blockade.ron --port 8080 --host 0.0.0.0")]
pub struct ServeArgs {
    /// Scenario file (RON). Without it, the built-in epstein_classic.
    pub file: Option<PathBuf>,
    /// Reopen a saved exercise (its scenario, injects, decisions and
    /// branches), replayed to the same state hashes.
    #[arg(long, conflicts_with = "file")]
    pub exercise: Option<PathBuf>,
    /// Port to listen on (0: any free port).
    #[arg(long, short = 'p', default_value_t = 8000)]
    pub port: u16,
    /// Address to listen on. The default serves this machine only; another
    /// (e.g. 0.0.0.0) shares the exercise with the classroom's network,
    /// where anyone who reaches it can drive it.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: IpAddr,
    /// Override a scenario field by its path; repeatable.
    #[arg(long = "set", value_name = "PATH=VALUE", conflicts_with = "exercise")]
    pub sets: Vec<String>,
    /// Take a snapshot of the whole world every this many ticks (rewinds
    /// replay at most this many ticks; more memory when smaller) [default:
    /// 20, or the saved exercise's].
    #[arg(long)]
    pub snapshot_every: Option<u32>,
    /// Worker threads for the parallel engine [default: all cores].
    #[arg(long, short = 'j')]
    pub threads: Option<usize>,
}

pub fn run(args: ServeArgs) -> u8 {
    let Some(threads) = super::threads(args.threads) else { return exit::BAD_INPUT };
    let options = SimOptions { threads, ..SimOptions::default() };
    if args.snapshot_every == Some(0) {
        warn!("--snapshot-every: expected at least 1 tick");
        return exit::BAD_INPUT;
    }
    let session = match &args.exercise {
        Some(path) => exercise::open(path, options, args.snapshot_every),
        None => {
            let (name, text) = match &args.file {
                Some(p) => match std::fs::read_to_string(p) {
                    Ok(t) => (p.display().to_string(), t),
                    Err(e) => {
                        warn!("cannot read {}: {e}", p.display());
                        return exit::BAD_INPUT;
                    }
                },
                None => (format!("<built-in {DEFAULT_SCENARIO_NAME}>"), DEFAULT_SCENARIO.to_string()),
            };
            let mut overrides = Vec::new();
            for s in &args.sets {
                match scenario::Override::parse(s) {
                    Ok(o) => overrides.push(o),
                    Err(m) => {
                        warn!("--set {s}: {m}");
                        return exit::BAD_INPUT;
                    }
                }
            }
            if let Some(m) = overrules_the_class(&name, &text, &overrides) {
                warn!("{m}");
                return exit::BAD_INPUT;
            }
            Session::new(Origin { name, text, overrides }, options, args.snapshot_every.unwrap_or(20))
        }
    };
    let session = match session {
        Ok(s) => s,
        Err(e) => {
            warn!("{e}");
            return exit::BAD_INPUT;
        }
    };
    if !args.host.is_loopback() {
        warn!(
            "warning: serving on {} — anyone on that network who reaches this port can drive the exercise",
            args.host
        );
    }
    let scratch = std::env::temp_dir().join(format!("mando-serve-{}", std::process::id()));
    let addr = SocketAddr::new(args.host, args.port);
    let result = crate::classroom::server::serve(session, addr, scratch.clone(), |bound| {
        if bound.ip().is_unspecified() {
            say!(
                "mando serve: open http://127.0.0.1:{}/ on this machine, or this machine's address on port {} from \
                 others (Ctrl-C stops)",
                bound.port(),
                bound.port()
            );
        } else {
            say!("mando serve: open http://{bound}/ in a browser (Ctrl-C stops)");
        }
    });
    let _ = std::fs::remove_dir_all(&scratch);
    match result {
        Ok(()) => exit::OK,
        Err(e) => {
            warn!("cannot serve on {addr}: {e}");
            exit::FAILURE
        }
    }
}

/// A `--set` of a field that a decision asks the class before the start
/// would silently overrule the class's answer (the command line has the
/// last word, as in `mando run`): refused in the classroom.
fn overrules_the_class(name: &str, text: &str, overrides: &[scenario::Override]) -> Option<String> {
    let s = scenario::load_str(name, text, &[]).ok()?;
    overrides.iter().find_map(|o| {
        let d = s
            .decisions
            .iter()
            .find(|d| d.before_start() && d.choices.iter().any(|c| c.changes.iter().any(|ch| ch.path == o.path)))?;
        Some(format!(
            "{}: the decision `{}` asks the class to set {} before the start, and --set would overrule its \
             answer; leave out --set to let the class decide",
            o.argument(),
            d.name,
            o.path
        ))
    })
}
