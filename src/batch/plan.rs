//! What a batch runs: conditions (each a set of scenario overrides), times
//! replications, each with its seed; which of those runs a shard takes.
//!
//! *Pattern:* common random numbers. Replication `r` gets the same seed
//! under every condition, derived from the master seed alone.
//! *Reasoning:* the difference between two conditions in replication `r`
//! then comes from the condition, not from the luck of the draw, which
//! narrows the paired confidence intervals (Law & Kelton, *Simulation
//! Modeling and Analysis*, ch. 11).

use serde::{Deserialize, Serialize};

/// Limits that keep a mistyped size from exhausting memory: far above any
/// batch a cluster runs in a day.
pub const MAX_CONDITIONS: usize = 100_000;
pub const MAX_RUNS: usize = 10_000_000;

/// One setting of the varied parameters: `(path, RON value)` pairs, applied
/// like `--set path=value`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Condition {
    pub values: Vec<(String, String)>,
}

impl Condition {
    /// `path=value, path=value`, for tables and messages.
    pub fn label(&self) -> String {
        if self.values.is_empty() {
            return "(scenario as written)".to_string();
        }
        self.values.iter().map(|(p, v)| format!("{p}={v}")).collect::<Vec<_>>().join(", ")
    }
}

/// One run of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunSpec {
    /// Position in the whole batch: condition-major, `condition * reps + replication`.
    pub index: usize,
    pub condition: usize,
    pub replication: usize,
    pub seed: u64,
}

/// The seed of replication `r` (0-based) under master seed `master`: a
/// SplitMix64 step, kept to 53 bits so that it survives JSON, CSV readers and
/// pandas as an exact integer.
pub fn replication_seed(master: u64, r: usize) -> u64 {
    let mut z = master.wrapping_add(0x9E37_79B9_7F4A_7C15u64.wrapping_mul(r as u64 + 1));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (z ^ (z >> 31)) & ((1u64 << 53) - 1)
}

/// Every run of `conditions` × `reps`, in index order.
pub fn runs(conditions: usize, reps: usize, master: u64) -> Vec<RunSpec> {
    (0..conditions)
        .flat_map(|c| {
            (0..reps).map(move |r| RunSpec {
                index: c * reps + r,
                condition: c,
                replication: r,
                seed: replication_seed(master, r),
            })
        })
        .collect()
}

/// `--shard K/N`: the K-th (1-based) of N shards takes the runs whose index
/// is K − 1 modulo N. Round-robin rather than blocks, so that every shard
/// gets a share of every condition and shards take about as long.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    pub k: usize,
    pub n: usize,
}

impl Shard {
    pub const WHOLE: Shard = Shard { k: 1, n: 1 };

    pub fn parse(s: &str) -> Result<Shard, String> {
        let bad = || format!("`{s}` is not K/N with 1 <= K <= N (for example 2/8)");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let (k, n): (usize, usize) = (k.trim().parse().map_err(|_| bad())?, n.trim().parse().map_err(|_| bad())?);
        if n == 0 || k == 0 || k > n {
            return Err(bad());
        }
        Ok(Shard { k, n })
    }

    pub fn takes(&self, index: usize) -> bool {
        index % self.n == self.k - 1
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.k, self.n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replications_share_seeds_across_conditions() {
        let all = runs(3, 4, 99);
        assert_eq!(all.len(), 12);
        for r in 0..4 {
            let seeds: Vec<u64> = all.iter().filter(|s| s.replication == r).map(|s| s.seed).collect();
            assert!(seeds.iter().all(|&s| s == seeds[0]));
        }
        let first: Vec<u64> = all.iter().filter(|s| s.condition == 0).map(|s| s.seed).collect();
        let mut distinct = first.clone();
        distinct.dedup();
        assert_eq!(distinct.len(), 4, "replications differ: {first:?}");
        assert!(all.iter().all(|s| s.seed < 1 << 53));
        assert_ne!(replication_seed(1, 0), replication_seed(2, 0));
    }

    #[test]
    fn shards_partition_the_runs() {
        let n = 3;
        let mut seen = [0; 10];
        for k in 1..=n {
            let shard = Shard::parse(&format!("{k}/{n}")).unwrap();
            for (i, s) in seen.iter_mut().enumerate() {
                if shard.takes(i) {
                    *s += 1;
                }
            }
        }
        assert!(seen.iter().all(|&s| s == 1));
        for bad in ["0/3", "4/3", "1/0", "a/b", "3"] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
    }
}
