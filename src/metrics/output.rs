//! The files a run writes: `summary.json`, `timeseries.csv`, `events.jsonl`,
//! `units.csv`, `map.json`
//! (described in `docs/outputs.md`).
//!
//! Pattern: everything is written into a hidden folder inside the output
//! folder and renamed into place only when the run has finished, summary
//! last, after removing any earlier summary. Reasoning: an interrupted or
//! failed run never leaves a half-written file under a final name; a folder
//! with a `summary.json` is complete; a failed run removes the folder it
//! created.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::TickRecord;
use super::map::MapFile;
use crate::base::events::Event;
use crate::police::Arrest;
use crate::scenario::{Scenario, UnitGroup};

pub const SUMMARY: &str = "summary.json";
pub const TIMESERIES: &str = "timeseries.csv";
pub const EVENTS: &str = "events.jsonl";
pub const UNITS: &str = "units.csv";
pub const MAP: &str = "map.json";

/// An output folder being written.
pub struct OutputDir {
    dir: PathBuf,
    /// Whether this run created `dir` (removed again if the run fails).
    created_dir: bool,
    staging: PathBuf,
    timeseries: BufWriter<File>,
    events: BufWriter<File>,
    /// Whether `units.csv` is written (a scenario with units).
    with_units: bool,
    finished: bool,
}

/// One line of `events.jsonl`.
#[derive(Serialize)]
struct EventLine<'a> {
    kind: &'static str,
    #[serde(flatten)]
    arrest: &'a Arrest,
}

impl OutputDir {
    /// Opens the folder's files for a run of `scenario`; the units table is
    /// written now, whole.
    pub fn create(dir: &Path, scenario: &Scenario) -> io::Result<OutputDir> {
        let with_operation = scenario.command.is_some();
        let created_dir = !dir.exists();
        fs::create_dir_all(dir)?;
        remove_stale_staging(dir);
        let staging = dir.join(format!(".partial-{}", std::process::id()));
        fs::create_dir_all(&staging)?;
        let open = |name: &str| File::create(staging.join(name)).map(BufWriter::new);
        let mut timeseries = open(TIMESERIES)?;
        writeln!(timeseries, "{}", TickRecord::csv_header(with_operation))?;
        let events = open(EVENTS)?;
        let with_units = !scenario.forces.is_empty();
        if with_units {
            let mut units = open(UNITS)?;
            write_units(&mut units, &scenario.forces)?;
            units.flush()?;
            units.get_ref().sync_all()?;
        }
        Ok(OutputDir { dir: dir.to_path_buf(), created_dir, staging, timeseries, events, with_units, finished: false })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn tick(&mut self, r: &TickRecord) -> io::Result<()> {
        writeln!(self.timeseries, "{}", r.csv_row())
    }

    pub fn arrests(&mut self, arrests: &[Arrest]) -> io::Result<()> {
        for a in arrests {
            serde_json::to_writer(&mut self.events, &EventLine { kind: "arrest", arrest: a })?;
            self.events.write_all(b"\n")?;
        }
        Ok(())
    }

    pub fn events(&mut self, events: &[Event]) -> io::Result<()> {
        for e in events {
            serde_json::to_writer(&mut self.events, e)?;
            self.events.write_all(b"\n")?;
        }
        Ok(())
    }

    /// Writes the map and the summary and moves every file into place.
    pub fn finish(mut self, map: &MapFile, summary: &impl Serialize) -> io::Result<()> {
        let mut m = BufWriter::new(File::create(self.staging.join(MAP))?);
        serde_json::to_writer(&mut m, map)?;
        m.write_all(b"\n")?;
        m.flush()?;
        m.get_ref().sync_all()?;
        self.timeseries.flush()?;
        self.events.flush()?;
        self.timeseries.get_ref().sync_all()?;
        self.events.get_ref().sync_all()?;
        let mut f = BufWriter::new(File::create(self.staging.join(SUMMARY))?);
        serde_json::to_writer_pretty(&mut f, summary)?;
        f.write_all(b"\n")?;
        f.flush()?;
        f.get_ref().sync_all()?;
        // An earlier run's summary goes first: while the new files move in,
        // the folder has no summary, so it never looks complete with mixed
        // files.
        match fs::remove_file(self.dir.join(SUMMARY)) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
        let units = self.with_units.then_some(UNITS);
        for name in [Some(TIMESERIES), Some(EVENTS), units, Some(MAP), Some(SUMMARY)].into_iter().flatten() {
            fs::rename(self.staging.join(name), self.dir.join(name))?;
        }
        fs::remove_dir(&self.staging)?;
        // Make the renames themselves durable.
        if let Ok(d) = File::open(&self.dir) {
            let _ = d.sync_all();
        }
        self.finished = true;
        Ok(())
    }
}

/// `units.csv`: one row per unit, by the id events name it with, with its
/// name (its group's, numbered within the group when there are several)
/// and what it is.
fn write_units(w: &mut impl Write, forces: &[UnitGroup]) -> io::Result<()> {
    writeln!(
        w,
        "unit,name,group,agency,kind,strength_personnel,crowd_training,non_lethal_kit,lethal_weapons,radio_net"
    )?;
    let names = unit_names(forces);
    let mut id = 0;
    for g in forces {
        for _ in 1..=g.count {
            let name = &names[id];
            writeln!(
                w,
                "{id},{},{},{},{},{},{},{},{},{}",
                csv_field(name),
                csv_field(&g.name),
                name_of(&g.agency),
                name_of(&g.kind),
                g.strength_personnel,
                g.crowd_training,
                name_of(&g.non_lethal_kit),
                g.lethal_weapons,
                csv_field(&g.radio_net)
            )?;
            id += 1;
        }
    }
    Ok(())
}

/// Each unit's name, by id: its group's, numbered within the group when
/// the group has more than one.
pub fn unit_names(forces: &[UnitGroup]) -> Vec<String> {
    forces
        .iter()
        .flat_map(|g| {
            (1..=g.count).map(move |k| if g.count > 1 { format!("{} {k}/{}", g.name, g.count) } else { g.name.clone() })
        })
        .collect()
}

/// A value's name as the outputs write it (its JSON string).
fn name_of(v: &impl Serialize) -> String {
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

/// A CSV field, quoted when it holds a comma, a quote or a line break.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

/// Removes the staging folders (`.partial-<pid>`) that processes no longer
/// running left in `dir` (killed with `kill -9`, or a power cut).
fn remove_stale_staging(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    let own = std::process::id();
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        let Some(pid) = name.strip_prefix(".partial-").and_then(|p| p.parse::<u32>().ok()) else { continue };
        if pid != own && !process_alive(pid) {
            let _ = fs::remove_dir_all(e.path());
        }
    }
}

/// Whether a process with this id runs on this machine (signal 0 checks
/// without sending anything; EPERM means it runs as another user).
fn process_alive(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else { return false };
    // SAFETY: kill with signal 0 sends nothing.
    let r = unsafe { libc::kill(pid, 0) };
    r == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

impl Drop for OutputDir {
    fn drop(&mut self) {
        if !self.finished {
            let _ = fs::remove_dir_all(&self.staging);
            if self.created_dir {
                let _ = fs::remove_dir(&self.dir); // only if empty
            }
        }
    }
}
