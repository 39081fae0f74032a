//! Fingerprints of state: the hasher ([`Fnv`]) and the trait ([`Fingerprint`])
//! through which each domain writes what of its state can change during a
//! run. The world's state hash (`sim::hash`) walks them in a fixed order.
//!
//! *Pattern:* FNV-1a over 64-bit little-endian words, each value written
//! by an explicit call (`u32`, `f64` as its bits, `opt` with a marker for
//! `None`), collections preceded by their length and written in id order.
//! *Reasoning:* `std::hash::Hash` may change its output between Rust
//! releases and hashes integers in the machine's byte order; a fingerprint
//! compared across runs, threads and machines must not.

use crate::scenario::Tunables;

/// FNV-1a over 64-bit words: stable across platforms and Rust versions.
#[derive(Debug, Clone)]
pub struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    pub fn u64(&mut self, v: u64) {
        for b in v.to_le_bytes() {
            self.0 ^= b as u64;
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    pub fn u32(&mut self, v: u32) {
        self.u64(v as u64);
    }

    /// A length or index (as 64 bits on every platform).
    pub fn count(&mut self, n: usize) {
        self.u64(n as u64);
    }

    pub fn flag(&mut self, b: bool) {
        self.u64(b as u64);
    }

    /// A float by its bits: `0.0` and `-0.0` differ, as they may in a run.
    pub fn f64(&mut self, v: f64) {
        self.u64(v.to_bits());
    }

    pub fn f32(&mut self, v: f32) {
        self.u64(v.to_bits() as u64);
    }

    /// An optional count or tick; `None` is a value no `u32` takes.
    pub fn opt(&mut self, v: Option<u32>) {
        self.u64(v.map_or(u64::MAX, u64::from));
    }

    /// A list, its length first.
    pub fn each<T>(&mut self, items: &[T], mut f: impl FnMut(&mut Fnv, &T)) {
        self.count(items.len());
        for item in items {
            f(self, item);
        }
    }

    pub fn finish(&self) -> u64 {
        self.0
    }
}

/// What of a value's state can change during a run, written into a
/// fingerprint in a fixed order (ids ascending where it holds many).
pub trait Fingerprint {
    fn fingerprint(&self, h: &mut Fnv);
}

impl Fingerprint for Tunables {
    fn fingerprint(&self, h: &mut Fnv) {
        let Tunables {
            legitimacy,
            threshold,
            arrest_constant_k,
            max_jail_term_ticks,
            civilian_vision_cells,
            police_vision_cells,
            police_count,
        } = *self;
        for v in [legitimacy, threshold, arrest_constant_k] {
            h.f64(v);
        }
        for v in [max_jail_term_ticks, civilian_vision_cells, police_vision_cells, police_count] {
            h.u32(v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_hash_as_their_little_endian_bytes() {
        // FNV-1a 64 of the eight bytes 01 00 00 00 00 00 00 00.
        let mut bytes = 0xcbf2_9ce4_8422_2325u64;
        for b in [1u8, 0, 0, 0, 0, 0, 0, 0] {
            bytes = (bytes ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3);
        }
        let mut h = Fnv::default();
        h.u32(1);
        assert_eq!(h.finish(), bytes);
    }

    #[test]
    fn none_differs_from_every_value_and_lists_from_their_concatenation() {
        let hash = |f: &dyn Fn(&mut Fnv)| {
            let mut h = Fnv::default();
            f(&mut h);
            h.finish()
        };
        assert_ne!(hash(&|h| h.opt(None)), hash(&|h| h.opt(Some(u32::MAX))));
        assert_ne!(hash(&|h| h.opt(None)), hash(&|h| h.opt(Some(0))));
        let a = hash(&|h| {
            h.each(&[1u32], |h, &v| h.u32(v));
            h.each(&[2u32], |h, &v| h.u32(v));
        });
        let b = hash(&|h| {
            h.each(&[1u32, 2], |h, &v| h.u32(v));
            h.each::<u32>(&[], |h, &v| h.u32(v));
        });
        assert_ne!(a, b);
    }
}
