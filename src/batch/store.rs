//! The durable record of a batch: `batch.json` (what the batch is) and
//! `runs.jsonl` (one line per finished run), and atomic writes of the final
//! tables.
//!
//! *Pattern:* an append-only log of JSON lines, one `write` per finished run,
//! grouped `fsync`s, a torn last line cut off when the log is reopened.
//! *Reasoning:* a killed process (even `kill -9`) loses nothing that it had
//! written, because each run is one write to the file; a restart reads the
//! log, skips the runs it holds and appends the rest. Grouping the `fsync`s
//! (at most one each half second, and one at the end) keeps their cost off
//! small runs; after a power failure the runs of the last half second are
//! redone, never doubled, because runs are keyed by index. Chosen over an
//! embedded SQLite: no C library to build, a log a person can read and
//! `cat` together across shards, and nothing a reader needs but a JSON
//! parser.

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::BatchError;
use super::plan::{Condition, Shard};

pub const PLAN_FILE: &str = "batch.json";
pub const LOG_FILE: &str = "runs.jsonl";
const SYNC_EVERY: Duration = Duration::from_millis(500);

/// What a batch is; equal fingerprints mean the same runs with the same
/// results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchPlan {
    pub mando_version: String,
    /// `compare` or `sweep`.
    pub kind: String,
    /// The scenario file as given.
    pub scenario: String,
    pub scenario_name: String,
    /// Hash of everything that decides the results: the scenario's text,
    /// the overrides, conditions, replications and seed.
    pub fingerprint: String,
    /// The same without the conditions' values and the replications: equal
    /// `base`s mean one batch may grow into the other ([`super::grow`]).
    /// Empty in folders written before batches could grow.
    #[serde(default)]
    pub base: String,
    /// The varied parameter paths, in column order.
    pub parameters: Vec<String>,
    pub conditions: Vec<Condition>,
    pub replications: usize,
    pub seed: u64,
    /// The runs of the whole batch (all shards).
    pub runs_total: usize,
    pub shard: Shard,
    /// Index of the baseline condition (compare).
    pub baseline: Option<usize>,
}

/// One finished run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    pub run: usize,
    pub condition: usize,
    pub replication: usize,
    pub seed: u64,
    /// Every leaf of the run's `summary.json` metrics by its dotted path,
    /// plus the `headline.*` metrics.
    pub metrics: BTreeMap<String, serde_json::Value>,
    pub final_state_hash: String,
}

/// 64-bit FNV-1a, hex: a stable fingerprint (not a security hash).
pub fn fingerprint(parts: &[&[u8]]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &b in part.iter().chain(&[0xff]) {
            h ^= b as u64;
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

/// Writes `bytes` to `path` through a temporary file in the same folder,
/// flushed and renamed: readers see the old file or the whole new one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// The open log of a batch folder.
pub struct Store {
    dir: PathBuf,
    log: File,
    last_sync: Instant,
    dirty: bool,
}

impl Store {
    /// Opens (or starts) the batch in `dir`. A folder that holds another
    /// batch, or another shard of this one, is refused rather than mixed.
    /// Returns the runs already finished.
    pub fn open(dir: &Path, plan: &BatchPlan) -> Result<(Store, BTreeMap<usize, RunRecord>), BatchError> {
        let io = |e: io::Error| BatchError::Io { path: dir.display().to_string(), source: e };
        fs::create_dir_all(dir).map_err(io)?;
        // The lock comes first: two processes appending to one log would
        // tear each other's lines, and two starting on an empty folder would
        // each write a plan.
        let log_path = dir.join(LOG_FILE);
        let had_log = fs::metadata(&log_path).is_ok_and(|m| m.len() > 0);
        let mut log = OpenOptions::new().create(true).read(true).append(true).open(&log_path).map_err(io)?;
        match log.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => return Err(BatchError::Busy(dir.display().to_string())),
            // Some cluster file systems have no locks: run unguarded.
            Err(std::fs::TryLockError::Error(e)) if e.kind() == io::ErrorKind::Unsupported => {}
            Err(std::fs::TryLockError::Error(e)) => return Err(io(e)),
        }
        let plan_path = dir.join(PLAN_FILE);
        let found = read_plan(&plan_path)?;
        if let Some(old) = &found {
            super::grow::recover(dir, &mut log, old)?;
        }
        // A larger batch of the same scenario and settings grows this one.
        let mut growth = None;
        match found {
            Some(old) if old.fingerprint != plan.fingerprint || old.shard != plan.shard => {
                let map = super::grow::mapping(&old, plan).map_err(|why| BatchError::OtherBatch {
                    dir: dir.display().to_string(),
                    found: format!("{} (shard {})", old.fingerprint, old.shard),
                    wanted: format!("{} (shard {})", plan.fingerprint, plan.shard),
                    why,
                })?;
                growth = Some((old, map));
            }
            Some(_) => {}
            None if had_log => {
                return Err(BatchError::Corrupt {
                    path: dir.join(LOG_FILE).display().to_string(),
                    problem: "a run log without its batch.json: not resumed; remove the folder or use another --out"
                        .into(),
                });
            }
            None => {
                let text = serde_json::to_vec_pretty(plan).map_err(|e| io(io::Error::other(e)))?;
                write_atomic(&plan_path, &text).map_err(io)?;
            }
        }
        let (done, good_len) = read_log(&log_path, &mut log, growth.as_ref().map_or(plan, |(old, _)| old))?;
        // Cut a line torn by a kill in the middle of a write.
        if good_len < log.metadata().map_err(io)?.len() {
            log.set_len(good_len).map_err(io)?;
            log.seek(SeekFrom::End(0)).map_err(io)?;
        }
        let done = match growth {
            Some((old, map)) => super::grow::grow(dir, &mut log, &old, plan, done, &map)?,
            None => done,
        };
        Ok((Store { dir: dir.to_path_buf(), log, last_sync: Instant::now(), dirty: false }, done))
    }

    /// Records a finished run: one write, then a grouped sync.
    pub fn append(&mut self, record: &RunRecord) -> Result<(), BatchError> {
        let io = |e: io::Error| BatchError::Io { path: self.dir.display().to_string(), source: e };
        let mut line = serde_json::to_vec(record).map_err(|e| io(io::Error::other(e)))?;
        line.push(b'\n');
        self.log.write_all(&line).map_err(io)?;
        self.dirty = true;
        if self.last_sync.elapsed() >= SYNC_EVERY {
            self.sync()?;
        }
        Ok(())
    }

    pub fn sync(&mut self) -> Result<(), BatchError> {
        if self.dirty {
            self.log.sync_data().map_err(|e| BatchError::Io { path: self.dir.display().to_string(), source: e })?;
            self.dirty = false;
        }
        self.last_sync = Instant::now();
        Ok(())
    }
}

pub fn read_plan(path: &Path) -> Result<Option<BatchPlan>, BatchError> {
    match fs::read(path) {
        Ok(bytes) => parse_plan(&bytes)
            .map(Some)
            .map_err(|problem| BatchError::Corrupt { path: path.display().to_string(), problem }),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(BatchError::Io { path: path.display().to_string(), source: e }),
    }
}

/// A `batch.json` whose parts agree with each other, or what is wrong.
pub fn parse_plan(bytes: &[u8]) -> Result<BatchPlan, String> {
    let p: BatchPlan = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    let consistent = !p.conditions.is_empty()
        && p.replications >= 1
        && p.conditions.len().checked_mul(p.replications) == Some(p.runs_total)
        && p.runs_total <= super::plan::MAX_RUNS
        && (1..=p.shard.n).contains(&p.shard.k)
        && p.baseline.is_none_or(|b| b < p.conditions.len());
    if !consistent {
        return Err("conditions, replications, runs, shard or baseline do not agree".into());
    }
    Ok(p)
}

/// [`parse_log`] of the batch folder's log file.
fn read_log(path: &Path, file: &mut File, plan: &BatchPlan) -> Result<(BTreeMap<usize, RunRecord>, u64), BatchError> {
    file.seek(SeekFrom::Start(0)).map_err(|e| BatchError::Io { path: path.display().to_string(), source: e })?;
    parse_log(BufReader::new(&*file), plan).map_err(|e| match e {
        LogError::Io(source) => BatchError::Io { path: path.display().to_string(), source },
        LogError::Corrupt(problem) => BatchError::Corrupt { path: path.display().to_string(), problem },
    })
}

/// Why a log could not be read.
#[derive(Debug)]
pub enum LogError {
    Io(io::Error),
    Corrupt(String),
}

/// Reads a log from any reader: the runs of `plan` it holds (the first
/// record of each index wins) and the length of its whole, well-formed
/// lines. Only the last line may be torn; a bad line before it is
/// corruption.
pub fn parse_log<R: BufRead>(mut reader: R, plan: &BatchPlan) -> Result<(BTreeMap<usize, RunRecord>, u64), LogError> {
    let mut done = BTreeMap::new();
    let (mut good, mut line_no) = (0u64, 0usize);
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = reader.read_until(b'\n', &mut line).map_err(LogError::Io)?;
        if n == 0 {
            break;
        }
        line_no += 1;
        let complete = line.last() == Some(&b'\n');
        match serde_json::from_slice::<RunRecord>(&line) {
            Ok(r) if complete && !belongs(&r, plan) => {
                return Err(LogError::Corrupt(format!("line {line_no} (run {}) is not a run of this batch", r.run)));
            }
            Ok(r) if complete => {
                done.entry(r.run).or_insert(r);
                good += n as u64;
            }
            _ => {
                // A kill can tear only the last write, which then lacks
                // its newline; anything else is damage.
                let last = reader.fill_buf().map_err(LogError::Io)?.is_empty();
                if complete || !last {
                    return Err(LogError::Corrupt(format!("line {line_no} is not a run record")));
                }
                break;
            }
        }
    }
    Ok((done, good))
}

/// Whether a record's index, condition, replication and seed are those the
/// plan gives that index.
fn belongs(r: &RunRecord, plan: &BatchPlan) -> bool {
    let reps = plan.replications.max(1);
    r.run < plan.runs_total
        && plan.shard.takes(r.run)
        && r.condition == r.run / reps
        && r.replication == r.run % reps
        && r.seed == super::plan::replication_seed(plan.seed, r.replication)
}

/// Every record of the logs in `dirs`, with the plan they share.
pub fn read_dirs(dirs: &[PathBuf]) -> Result<(BatchPlan, BTreeMap<usize, RunRecord>), BatchError> {
    let mut plan: Option<BatchPlan> = None;
    let mut all = BTreeMap::new();
    for dir in dirs {
        let path = dir.join(PLAN_FILE);
        if !dir.exists() {
            return Err(BatchError::Missing(dir.display().to_string()));
        }
        if !dir.is_dir() {
            return Err(BatchError::NotABatch(dir.display().to_string()));
        }
        let p = read_plan(&path)?.ok_or_else(|| BatchError::NotABatch(dir.display().to_string()))?;
        if let Some(first) = &plan
            && first.fingerprint != p.fingerprint
        {
            return Err(BatchError::OtherBatch {
                dir: dir.display().to_string(),
                found: p.fingerprint.clone(),
                wanted: first.fingerprint.clone(),
                why: "a shard of another batch (the shards of one batch are merged, not of two)".into(),
            });
        }
        let log_path = dir.join(LOG_FILE);
        let mut file = match File::open(&log_path) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                plan.get_or_insert(p);
                continue;
            }
            Err(e) => return Err(BatchError::Io { path: log_path.display().to_string(), source: e }),
        };
        let (done, _) = read_log(&log_path, &mut file, &p)?;
        for (i, r) in done {
            match all.get(&i) {
                Some(old) if old != &r => {
                    return Err(BatchError::Corrupt {
                        path: log_path.display().to_string(),
                        problem: format!("run {i} differs from the same run in another folder"),
                    });
                }
                Some(_) => {}
                None => {
                    all.insert(i, r);
                }
            }
        }
        plan.get_or_insert(p);
    }
    let plan =
        plan.ok_or_else(|| BatchError::Corrupt { path: String::new(), problem: "no folders given".to_string() })?;
    Ok((plan, all))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(run: usize) -> RunRecord {
        RunRecord {
            run,
            condition: 0,
            replication: run,
            seed: crate::batch::plan::replication_seed(1, run),
            metrics: BTreeMap::from([("peak_active".to_string(), serde_json::json!(run as f64 + 0.5))]),
            final_state_hash: "00".into(),
        }
    }

    fn plan() -> BatchPlan {
        BatchPlan {
            mando_version: "test".into(),
            kind: "sweep".into(),
            scenario: "s.ron".into(),
            scenario_name: "s".into(),
            fingerprint: "f".into(),
            base: "b".into(),
            parameters: vec![],
            conditions: vec![Condition { values: vec![] }],
            replications: 3,
            seed: 1,
            runs_total: 3,
            shard: Shard::WHOLE,
            baseline: None,
        }
    }

    fn dir(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("mando-store-{}-{tag}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        d
    }

    #[test]
    fn a_torn_last_line_is_cut_and_the_rest_kept() {
        let d = dir("torn");
        let (mut s, done) = Store::open(&d, &plan()).unwrap();
        assert!(done.is_empty());
        s.append(&record(0)).unwrap();
        s.append(&record(1)).unwrap();
        s.sync().unwrap();
        drop(s);
        let mut f = OpenOptions::new().append(true).open(d.join(LOG_FILE)).unwrap();
        f.write_all(br#"{"run":2,"condi"#).unwrap();
        drop(f);
        let (mut s, done) = Store::open(&d, &plan()).unwrap();
        assert_eq!(done.keys().copied().collect::<Vec<_>>(), vec![0, 1]);
        assert_eq!(done[&1], record(1), "records read back exactly");
        s.append(&record(2)).unwrap();
        drop(s);
        let text = fs::read_to_string(d.join(LOG_FILE)).unwrap();
        assert_eq!(text.lines().count(), 3);
        assert!(text.lines().all(|l| serde_json::from_str::<RunRecord>(l).is_ok()));
    }

    #[test]
    fn a_damaged_line_before_the_last_is_an_error() {
        let d = dir("damaged");
        drop(Store::open(&d, &plan()).unwrap());
        let good = serde_json::to_string(&record(1)).unwrap();
        fs::write(d.join(LOG_FILE), format!("not json\n{good}\n")).unwrap();
        match Store::open(&d, &plan()) {
            Err(BatchError::Corrupt { problem, .. }) => assert!(problem.contains("line 1")),
            other => panic!("expected corruption, got {:?}", other.map(|(_, d)| d.len())),
        }
    }

    #[test]
    fn a_log_without_its_plan_or_with_foreign_runs_is_refused() {
        let d = dir("foreign");
        fs::create_dir_all(&d).unwrap();
        let good = serde_json::to_string(&record(1)).unwrap();
        fs::write(d.join(LOG_FILE), format!("{good}\n")).unwrap();
        assert!(matches!(Store::open(&d, &plan()), Err(BatchError::Corrupt { .. })), "no batch.json");
        fs::remove_file(d.join(LOG_FILE)).unwrap();
        drop(Store::open(&d, &plan()).unwrap());
        let foreign = serde_json::to_string(&RunRecord { seed: 12345, ..record(1) }).unwrap();
        fs::write(d.join(LOG_FILE), format!("{good}\n{foreign}\n")).unwrap();
        match Store::open(&d, &plan()) {
            Err(BatchError::Corrupt { problem, .. }) => assert!(problem.contains("line 2"), "{problem}"),
            other => panic!("expected a foreign run, got {:?}", other.map(|(_, d)| d.len())),
        }
    }

    #[test]
    fn a_plan_that_does_not_add_up_is_refused() {
        let d = dir("plan");
        fs::create_dir_all(&d).unwrap();
        for bad in [
            BatchPlan { runs_total: 4, ..plan() },
            BatchPlan { conditions: vec![], runs_total: 0, ..plan() },
            BatchPlan { shard: Shard { k: 3, n: 2 }, ..plan() },
            BatchPlan { baseline: Some(1), ..plan() },
            // Growth would map every run of it.
            BatchPlan { replications: 20_000_000, runs_total: 20_000_000, ..plan() },
        ] {
            fs::write(d.join(PLAN_FILE), serde_json::to_vec(&bad).unwrap()).unwrap();
            assert!(matches!(read_plan(&d.join(PLAN_FILE)), Err(BatchError::Corrupt { .. })), "{bad:?}");
        }
        fs::write(d.join(PLAN_FILE), serde_json::to_vec(&plan()).unwrap()).unwrap();
        assert!(read_plan(&d.join(PLAN_FILE)).unwrap().is_some());
    }

    #[test]
    fn a_batch_folder_in_use_is_refused() {
        let d = dir("busy");
        let (_first, _) = Store::open(&d, &plan()).unwrap();
        assert!(matches!(Store::open(&d, &plan()), Err(BatchError::Busy(_))));
    }

    #[test]
    fn another_batch_or_shard_is_refused() {
        let d = dir("other");
        Store::open(&d, &plan()).unwrap();
        let other = BatchPlan { fingerprint: "g".into(), base: "c".into(), ..plan() };
        assert!(matches!(Store::open(&d, &other), Err(BatchError::OtherBatch { .. })));
        let shard = BatchPlan { shard: Shard { k: 1, n: 2 }, ..plan() };
        assert!(matches!(Store::open(&d, &shard), Err(BatchError::OtherBatch { .. })));
    }
}
