//! The files a run writes: `summary.json`, `timeseries.csv`, `events.jsonl`
//! (described in `docs/outputs.md`).
//!
//! Pattern: everything is written into a hidden folder inside the output
//! folder and renamed into place only when the run has finished, summary
//! last. Reasoning: an interrupted or failed run never leaves a half-written
//! file under a final name; a folder with a `summary.json` is complete.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::TickRecord;
use crate::police::Arrest;

pub const SUMMARY: &str = "summary.json";
pub const TIMESERIES: &str = "timeseries.csv";
pub const EVENTS: &str = "events.jsonl";

/// An output folder being written.
pub struct OutputDir {
    dir: PathBuf,
    staging: PathBuf,
    timeseries: BufWriter<File>,
    events: BufWriter<File>,
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
    pub fn create(dir: &Path) -> io::Result<OutputDir> {
        fs::create_dir_all(dir)?;
        let staging = dir.join(format!(".partial-{}", std::process::id()));
        fs::create_dir_all(&staging)?;
        let open = |name: &str| File::create(staging.join(name)).map(BufWriter::new);
        let mut timeseries = open(TIMESERIES)?;
        writeln!(timeseries, "{}", TickRecord::CSV_HEADER)?;
        let events = open(EVENTS)?;
        Ok(OutputDir { dir: dir.to_path_buf(), staging, timeseries, events, finished: false })
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

    /// Writes the summary and moves every file into place.
    pub fn finish(mut self, summary: &impl Serialize) -> io::Result<()> {
        self.timeseries.flush()?;
        self.events.flush()?;
        self.timeseries.get_ref().sync_all()?;
        self.events.get_ref().sync_all()?;
        let mut f = BufWriter::new(File::create(self.staging.join(SUMMARY))?);
        serde_json::to_writer_pretty(&mut f, summary)?;
        f.write_all(b"\n")?;
        f.flush()?;
        f.get_ref().sync_all()?;
        for name in [TIMESERIES, EVENTS, SUMMARY] {
            fs::rename(self.staging.join(name), self.dir.join(name))?;
        }
        fs::remove_dir(&self.staging)?;
        self.finished = true;
        Ok(())
    }
}

impl Drop for OutputDir {
    fn drop(&mut self) {
        if !self.finished {
            let _ = fs::remove_dir_all(&self.staging);
        }
    }
}
