//! Each chain of command's picture of the world: what its units and drones
//! last reported, sector by sector, and where its units were. A picture is
//! as old as its last report; chains on interoperable nets share one.

use crate::base::fingerprint::{Fingerprint, Fnv};
use crate::grid::CellIndex;

use super::messages::Report;

/// What a chain believes about one sector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SectorView {
    pub actives: u32,
    pub road_actives: u32,
    /// Tick of the observation; `None` if never observed.
    pub observed_tick: Option<u32>,
}

/// A chain's picture.
#[derive(Debug, Clone, Default)]
pub struct Picture {
    pub sectors: Vec<SectorView>,
    /// Last reported cell of each unit and the tick it was seen there.
    pub units: Vec<Option<(CellIndex, u32)>>,
}

impl Picture {
    pub fn new(sectors: usize, units: usize) -> Picture {
        Picture { sectors: vec![SectorView::default(); sectors], units: vec![None; units] }
    }

    /// Takes in a report; an older observation never overwrites a newer one.
    pub fn apply(&mut self, r: &Report) {
        for &(sector, actives, road_actives) in &r.sectors {
            let v = &mut self.sectors[sector as usize];
            if v.observed_tick.is_none_or(|t| t <= r.observed_tick) {
                *v = SectorView { actives, road_actives, observed_tick: Some(r.observed_tick) };
            }
        }
        if let Some((unit, cell)) = r.unit {
            let u = &mut self.units[unit as usize];
            if u.is_none_or(|(_, t)| t <= r.observed_tick) {
                *u = Some((cell, r.observed_tick));
            }
        }
    }

    /// The fresher of two pictures, entry by entry (a command post or a
    /// shared net reads both chains' reports).
    pub fn merged(a: &Picture, b: &Picture) -> Picture {
        Picture {
            sectors: a
                .sectors
                .iter()
                .zip(&b.sectors)
                .map(|(x, y)| if x.observed_tick >= y.observed_tick { *x } else { *y })
                .collect(),
            units: a
                .units
                .iter()
                .zip(&b.units)
                .map(|(x, y)| match (x, y) {
                    (Some(p), Some(q)) => Some(if p.1 >= q.1 { *p } else { *q }),
                    (p, q) => p.or(*q),
                })
                .collect(),
        }
    }
}

impl Fingerprint for Picture {
    fn fingerprint(&self, h: &mut Fnv) {
        h.each(&self.sectors, |h, v| {
            h.u32(v.actives);
            h.u32(v.road_actives);
            h.opt(v.observed_tick);
        });
        h.each(&self.units, |h, u| {
            h.opt(u.map(|(cell, _)| cell));
            h.opt(u.map(|(_, tick)| tick));
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(tick: u32, sector: u32, actives: u32) -> Report {
        Report { picture: 0, observed_tick: tick, unit: Some((0, tick)), sectors: vec![(sector, actives, 0)] }
    }

    #[test]
    fn old_news_never_overwrites_new() {
        let mut p = Picture::new(4, 1);
        p.apply(&report(10, 2, 7));
        p.apply(&report(5, 2, 99));
        assert_eq!(p.sectors[2], SectorView { actives: 7, road_actives: 0, observed_tick: Some(10) });
        assert_eq!(p.units[0], Some((10, 10)));
        let mut q = Picture::new(4, 1);
        q.apply(&report(12, 2, 3));
        q.apply(&report(1, 1, 4));
        let m = Picture::merged(&p, &q);
        assert_eq!(m.sectors[2].actives, 3);
        assert_eq!(m.sectors[1].actives, 4);
        assert_eq!(m.sectors[0].observed_tick, None);
        assert_eq!(m.units[0], Some((12, 12)));
    }
}
