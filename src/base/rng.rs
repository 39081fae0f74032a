//! All randomness, from one master seed.
//!
//! Pattern: the master seed feeds a ChaCha8 generator that deals one key per
//! named stream ([`Stream`]). A draw is then a stateless hash of
//! (stream key, agent id, tick, draw number), so it does not depend on which
//! thread runs the agent or in what order agents are stored. Where a long
//! sequence from one generator is natural (the turn order of a tick, the
//! initial placement) a ChaCha8 generator is seeded from such a hash.
//! Reasoning: per-agent generators cost memory and speed at a million agents;
//! a hash costs a few nanoseconds and is independent of iteration order.

use bevy_ecs::prelude::Resource;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// The independent streams of randomness. The discriminant is the stream's
/// position in the key sequence: never reorder, only append.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(usize)]
pub enum Stream {
    Placement = 0,
    Traits = 1,
    TurnOrder = 2,
    Arrest = 3,
    JailTerm = 4,
    Movement = 5,
    Release = 6,
    Changes = 7,
    UnitArrest = 8,
    Patrol = 9,
    /// Message delays and losses.
    Messages = 10,
    /// Commanders' and units' choices (phone deconfliction, unity breaks).
    Command = 11,
    /// Uses of force and their effects.
    Force = 12,
    /// Units acting without the authority they asked for.
    Authority = 13,
}

const STREAMS: usize = 14;

/// Per-stream keys dealt from the master seed.
#[derive(Resource, Debug, Clone)]
pub struct Streams {
    keys: [u64; STREAMS],
}

impl Streams {
    pub fn new(seed: u64) -> Streams {
        let mut master = ChaCha8Rng::seed_from_u64(seed);
        let mut keys = [0u64; STREAMS];
        for k in &mut keys {
            *k = rand::Rng::next_u64(&mut master);
        }
        Streams { keys }
    }

    #[inline]
    pub fn draws(&self, stream: Stream) -> Draws {
        Draws { key: self.keys[stream as usize] }
    }

    /// A ChaCha8 generator for a whole sequence of draws in one stream at one
    /// tick (e.g. a shuffle).
    pub fn generator(&self, stream: Stream, tick: u32) -> ChaCha8Rng {
        ChaCha8Rng::seed_from_u64(self.draws(stream).u64(u64::MAX, tick, 0))
    }
}

/// Stateless draws in one stream.
#[derive(Debug, Clone, Copy)]
pub struct Draws {
    key: u64,
}

/// The finaliser of SplitMix64 / MurmurHash3: a bijection on u64 that
/// spreads every input bit over every output bit.
#[inline]
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl Draws {
    /// The `n`th 64-bit draw for `id` at `tick`.
    #[inline]
    pub fn u64(self, id: u64, tick: u32, n: u32) -> u64 {
        let a = mix(self.key ^ id.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        mix(a ^ ((tick as u64) << 32 | n as u64).wrapping_mul(0xd6e8_feb8_6659_fd93))
    }

    /// A uniform draw in [0, 1) with 53 random bits.
    #[inline]
    pub fn unit(self, id: u64, tick: u32, n: u32) -> f64 {
        (self.u64(id, tick, n) >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A uniform integer in `0..bound` (`bound > 0`), by Lemire's
    /// multiply-shift (bias below 2⁻³² for the bounds we use).
    #[inline]
    pub fn below(self, bound: u32, id: u64, tick: u32, n: u32) -> u32 {
        (((self.u64(id, tick, n) >> 32) * bound as u64) >> 32) as u32
    }
}

/// The draws of one agent at one tick in one stream: what the rules that
/// pick at random (a cell, a suspect) need, in one value.
#[derive(Debug, Clone, Copy)]
pub struct AgentDraws {
    draws: Draws,
    key: u64,
    tick: u32,
}

impl Draws {
    /// The draws of the agent with stream key `key` at `tick`.
    #[inline]
    pub fn agent(self, key: u64, tick: u32) -> AgentDraws {
        AgentDraws { draws: self, key, tick }
    }
}

impl AgentDraws {
    #[inline]
    pub fn u64(self, n: u32) -> u64 {
        self.draws.u64(self.key, self.tick, n)
    }

    #[inline]
    pub fn below(self, bound: u32, n: u32) -> u32 {
        self.draws.below(bound, self.key, self.tick, n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a = Streams::new(7);
        let b = Streams::new(7);
        let c = Streams::new(8);
        assert_eq!(a.draws(Stream::Movement).u64(1, 2, 3), b.draws(Stream::Movement).u64(1, 2, 3));
        assert_ne!(a.draws(Stream::Movement).u64(1, 2, 3), c.draws(Stream::Movement).u64(1, 2, 3));
        assert_ne!(a.draws(Stream::Movement).u64(1, 2, 3), a.draws(Stream::Arrest).u64(1, 2, 3));
        assert_ne!(a.draws(Stream::Movement).u64(1, 2, 3), a.draws(Stream::Movement).u64(1, 2, 4));
    }

    #[test]
    fn unit_and_below_are_roughly_uniform() {
        let d = Streams::new(1).draws(Stream::Traits);
        let n = 100_000;
        let mean: f64 = (0..n).map(|i| d.unit(i, 0, 0)).sum::<f64>() / n as f64;
        assert!((mean - 0.5).abs() < 0.01, "mean {mean}");
        let mut hist = [0u32; 10];
        for i in 0..n {
            hist[d.below(10, i, 0, 1) as usize] += 1;
        }
        for h in hist {
            assert!((h as f64 - 10_000.0).abs() < 500.0, "{hist:?}");
        }
    }
}
