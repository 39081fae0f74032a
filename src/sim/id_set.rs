//! A set of agent ids or cell indices, one bit each.
//!
//! Pattern: mark the few agents a phase acts on (suspects by cell, releases
//! by id), then pass once over the agents' table and act where the bit is
//! set.
//! Reasoning: the table is stored by cell, not by id; looking each agent
//! up by id cost several cache misses (index, entity, table row), where a
//! pass over the table reads memory in order, splits over threads, and the
//! bits of a million ids (128 KiB) stay in cache.

#[derive(Debug, Default)]
pub struct IdSet {
    words: Vec<u64>,
}

impl IdSet {
    /// Empties the set and makes room for ids below `len`.
    pub fn reset(&mut self, len: usize) {
        self.words.clear();
        self.words.resize(len.div_ceil(64), 0);
    }

    /// Adds `id`, which must be below the `len` of the last reset.
    #[inline]
    pub fn insert(&mut self, id: u32) {
        self.words[id as usize / 64] |= 1 << (id % 64);
    }

    #[inline]
    pub fn contains(&self, id: u32) -> bool {
        self.words.get(id as usize / 64).is_some_and(|w| w >> (id % 64) & 1 != 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_exactly_what_was_inserted_until_reset() {
        let mut set = IdSet::default();
        set.reset(200);
        for id in [0, 63, 64, 130, 199] {
            set.insert(id);
        }
        let members: Vec<u32> = (0..300).filter(|&id| set.contains(id)).collect();
        assert_eq!(members, [0, 63, 64, 130, 199]);
        set.reset(200);
        assert!((0..300).all(|id| !set.contains(id)));
    }
}
