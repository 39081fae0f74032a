//! Where each civilian is stored, to reach a few of them by id.
//!
//! Pattern: a map from a civilian's id to its row, counted over the
//! civilians' tables one after another in query order, kept as a hint.
//! Every answer is checked against the id stored in that row, and on the
//! first mismatch the whole map is rebuilt from the tables' id columns.
//! Reasoning: a tick's arrests and releases touch a few thousand of a
//! million civilians. A pass over the whole table to find them cost more
//! than the rules they apply; through the index, the entity and its
//! location each one cost several cache misses. The rows change only when
//! the civilians are re-sorted (rarely) or spawned and despawned, and a
//! stale row is caught by its id, so no system has to keep the map in step.

use bevy_ecs::prelude::Resource;

use super::CivilianId;
use crate::base::chunks::over_read_chunks;
use crate::memory;

/// A row of one of the civilians' tables, in query order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row {
    pub table: u32,
    pub row: u32,
}

/// Civilian id → row over all the tables (see the module's notes).
#[derive(Resource, Debug, Default, Clone)]
pub struct StorageRows {
    rows: Vec<u32>,
}

/// How many lookups ahead a row is fetched.
const AHEAD: usize = 16;

impl StorageRows {
    /// The rows of `wanted` (`None` for an id in no table) into `out`, in
    /// the order of `wanted`. `tables` are the id columns of the tables, in
    /// the query's order. With `parallel` the lookups are split over the
    /// compute task pool (same rows either way).
    pub fn find(
        &mut self,
        tables: &[&[CivilianId]],
        wanted: &[CivilianId],
        out: &mut Vec<Option<Row>>,
        parallel: bool,
    ) {
        if !self.try_find(tables, wanted, out, false, parallel) {
            self.rebuild(tables);
            let complete = self.try_find(tables, wanted, out, true, parallel);
            debug_assert!(complete, "a freshly built map answers every lookup");
        }
    }

    /// The lookups with the map as it is; false if a row's stored id is not
    /// the one asked for, or if an id is one the map does not place unless
    /// it was just rebuilt (`fresh`).
    fn try_find(
        &self,
        tables: &[&[CivilianId]],
        wanted: &[CivilianId],
        out: &mut Vec<Option<Row>>,
        fresh: bool,
        parallel: bool,
    ) -> bool {
        out.clear();
        let starts = table_starts(tables);
        let starts = &starts;
        let parts = over_read_chunks(parallel, wanted, |_, wanted| {
            let mut rows = Vec::with_capacity(wanted.len());
            self.find_in(starts, tables, wanted, &mut rows, fresh).then_some(rows)
        });
        for rows in parts {
            match rows {
                Some(rows) => out.extend(rows),
                None => return false,
            }
        }
        true
    }

    /// [`Self::try_find`] over one run of `wanted`, on one thread.
    fn find_in(
        &self,
        starts: &[u32],
        tables: &[&[CivilianId]],
        wanted: &[CivilianId],
        out: &mut Vec<Option<Row>>,
        fresh: bool,
    ) -> bool {
        for (i, &id) in wanted.iter().enumerate() {
            // Each lookup is a random place in the map and then in a
            // table: the map entry is fetched twice as far ahead as the
            // row it points to.
            if let Some(far) = wanted.get(i + 2 * AHEAD).and_then(|f| self.rows.get(f.0 as usize)) {
                memory::prefetch(far);
            }
            if let Some(row) = wanted.get(i + AHEAD).and_then(|n| self.locate(starts, *n)) {
                memory::prefetch(&tables[row.table as usize][row.row as usize]);
            }
            let Some(row) = self.locate(starts, id) else {
                if !fresh {
                    return false;
                }
                out.push(None);
                continue;
            };
            if tables[row.table as usize][row.row as usize] != id {
                return false;
            }
            out.push(Some(row));
        }
        true
    }

    /// Where the map puts `id`, if that is inside the tables.
    #[inline]
    fn locate(&self, starts: &[u32], id: CivilianId) -> Option<Row> {
        let flat = *self.rows.get(id.0 as usize)?;
        // Tables are few (one per mix of components): a scan.
        let table = starts.partition_point(|&s| s <= flat).checked_sub(1)?;
        let row = flat - starts[table];
        (table + 1 < starts.len() && flat < starts[table + 1]).then_some(Row { table: table as u32, row })
    }

    /// Rebuilds the map from the id columns.
    fn rebuild(&mut self, tables: &[&[CivilianId]]) {
        self.rows.clear();
        let mut flat = 0u32;
        for ids in tables {
            for id in ids.iter() {
                let i = id.0 as usize;
                if i >= self.rows.len() {
                    self.rows.resize(i + 1, NOWHERE);
                }
                self.rows[i] = flat;
                flat += 1;
            }
        }
    }
}

/// The map's mark for an id stored in no table.
const NOWHERE: u32 = u32::MAX;

/// Where each table starts in the count over all of them, and one past the
/// last.
fn table_starts(tables: &[&[CivilianId]]) -> Vec<u32> {
    let mut starts = Vec::with_capacity(tables.len() + 1);
    let mut flat = 0u32;
    starts.push(0);
    for ids in tables {
        flat += ids.len() as u32;
        starts.push(flat);
    }
    starts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(v: &[u32]) -> Vec<CivilianId> {
        v.iter().map(|&i| CivilianId(i)).collect()
    }

    #[test]
    fn finds_rows_across_tables_and_follows_a_reshuffle() {
        let (mut a, b) = (ids(&[4, 0, 2]), ids(&[1, 3]));
        let mut map = StorageRows::default();
        let mut out = Vec::new();
        map.find(&[&a, &b], &ids(&[3, 4, 2, 9]), &mut out, false);
        let row = |table, row| Some(Row { table, row });
        assert_eq!(out, vec![row(1, 1), row(0, 0), row(0, 2), None]);
        // The first table re-sorted: the stale rows are caught by their ids.
        a.sort();
        map.find(&[&a, &b], &ids(&[4, 0, 1]), &mut out, false);
        assert_eq!(out, vec![row(0, 2), row(0, 0), row(1, 0)]);
    }

    #[test]
    fn an_id_that_moved_to_another_table_is_found_there() {
        let (a, b) = (ids(&[0, 1, 2]), ids(&[3]));
        let mut map = StorageRows::default();
        let mut out = Vec::new();
        map.find(&[&a, &b], &ids(&[2, 3]), &mut out, false);
        // Civilian 2 moved to the second table (a component added), and a
        // new civilian 5 spawned into the first.
        let (a, b) = (ids(&[0, 1, 5]), ids(&[3, 2]));
        map.find(&[&a, &b], &ids(&[2, 3, 5]), &mut out, false);
        assert_eq!(
            out,
            vec![Some(Row { table: 1, row: 1 }), Some(Row { table: 1, row: 0 }), Some(Row { table: 0, row: 2 })]
        );
    }

    #[test]
    fn lookups_over_the_threads_find_what_one_thread_does() {
        crate::sim::init_threads(2);
        // Enough lookups to be cut in chunks, some of ids stored nowhere.
        let scramble = |i: u32, m: u32| ids(&(0..m).map(|k| (k * i) % m).collect::<Vec<_>>());
        let (a, b) = (scramble(7919, 30_011), ids(&(30_011..40_000).rev().collect::<Vec<_>>()));
        let wanted = ids(&(0..20_000).map(|k| (k * 104_729) % 41_000).collect::<Vec<_>>());
        let (mut one, mut two) = (StorageRows::default(), StorageRows::default());
        let (mut serial, mut parallel) = (Vec::new(), Vec::new());
        one.find(&[&a, &b], &wanted, &mut serial, false);
        two.find(&[&a, &b], &wanted, &mut parallel, true);
        assert_eq!(serial.len(), wanted.len());
        assert!(serial.iter().any(|r| r.is_none()) && serial.iter().any(|r| r.is_some()));
        assert_eq!(serial, parallel);
        // Again after the first table was re-sorted (stale rows).
        let mut a = a;
        a.sort();
        one.find(&[&a, &b], &wanted, &mut serial, false);
        two.find(&[&a, &b], &wanted, &mut parallel, true);
        assert_eq!(serial, parallel);
        for (id, row) in wanted.iter().zip(&serial) {
            if let Some(r) = row {
                assert_eq!([&a, &b][r.table as usize][r.row as usize], *id);
            }
        }
    }
}
