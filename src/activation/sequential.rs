//! Random sequential activation: every agent takes one turn per tick, in an
//! order shuffled from the seed, and sees the world as the agents before it
//! left it. Under `Turn::MoveThenAct` (the paper, NetLogo) a civilian moves
//! and then decides, an officer moves and then arrests; under `ActThenMove`
//! (Mesa) the other way round. Counts are scanned cell by cell: exact, and
//! fine for classroom-sized maps.

use bevy_ecs::prelude::*;
use bevy_ecs::system::SystemParam;
use rand::seq::SliceRandom;

use super::{civilian_code, civilian_key, officer_key, relocate};
use crate::base::rng::Stream;
use crate::base::{AgentIndex, Position, TickRules};
use crate::civilians::{self, CivilianId, Condition, Disposition};
use crate::crowd::CrowdMood;
use crate::crowd::purpose::Heading;
use crate::grid::Shapes;
use crate::grid::{Grid, Occupant};
use crate::movement;
use crate::police::{self, ArrestBooks, OfficerId};
use crate::scenario::Turn;

const OFFICER_FLAG: u32 = 1 << 31;

/// Every agent that takes a turn, reached by id.
#[derive(SystemParam)]
pub struct TurnTakers<'w, 's> {
    index: Res<'w, AgentIndex>,
    civilians: Query<
        'w,
        's,
        (&'static CivilianId, &'static mut Position, &'static Disposition, &'static mut Condition),
        Without<OfficerId>,
    >,
    officers: Query<'w, 's, (&'static OfficerId, &'static mut Position), Without<CivilianId>>,
}

pub fn take_turns(
    now: TickRules,
    mut grid: ResMut<Grid>,
    shapes: Res<Shapes>,
    takers: TurnTakers,
    mut books: ArrestBooks,
    mood: Option<Res<CrowdMood>>,
    mut order: Local<Vec<u32>>,
) {
    let TickRules { clock, streams, tunables, rules } = now;
    let TurnTakers { index, mut civilians, mut officers } = takers;
    let tick = clock.tick;
    let grid = grid.writes();
    let mood = mood.as_deref();
    let t = tunables.0;
    let odds = civilians::ArrestOdds::new(t.arrest_constant_k, rules.0.arrest_ratio_rounding);
    let rules = rules.0;
    let moves = streams.draws(Stream::Movement);
    let arrests = streams.draws(Stream::Arrest);
    let terms = streams.draws(Stream::JailTerm);

    // Everyone in id order, then shuffled: the order depends on the seed and
    // tick only, never on how entities are stored.
    order.clear();
    order.extend(0..index.civilians.len() as u32);
    order.extend(index.officers.iter().enumerate().filter(|(_, e)| e.is_some()).map(|(i, _)| i as u32 | OFFICER_FLAG));
    order.shuffle(&mut streams.generator(Stream::TurnOrder, tick));

    for &who in order.iter() {
        if who & OFFICER_FLAG == 0 {
            let Ok((&id, mut pos, disposition, mut condition)) = civilians.get_mut(index.civilians[who as usize])
            else {
                continue;
            };
            if condition.is_out() {
                continue;
            }
            let step = |pos: &mut Position, condition: Condition| {
                if mood.is_some_and(|m| m.holds_cell(pos.0, id, condition)) {
                    return;
                }
                let heading = mood.map_or(Heading::Wander, |m| m.heading(id));
                if let Some(to) = heading.step_past(
                    mood.map(|m| &m.cordons),
                    &grid,
                    |c| grid.is_empty(c),
                    pos.0,
                    &shapes.civilian,
                    moves.agent(civilian_key(id), tick),
                ) {
                    relocate(grid, pos.0, to, civilian_code(id, condition));
                    pos.0 = to;
                }
            };
            let decide = |pos: &Position, condition: &mut Condition| {
                let sees = || civilians::scan_counts(&grid, pos.0, &shapes.civilian);
                let active = match mood {
                    None => civilians::decide(disposition, &t, &odds, sees),
                    Some(m) => civilians::decide_in_mood(disposition, m.mood_for(pos.0, id, &t), &odds, sees),
                };
                *condition = if active { Condition::Active } else { Condition::Quiescent };
                grid.set(pos.0, civilian_code(id, *condition));
            };
            match rules.turn {
                Turn::MoveThenAct => {
                    step(&mut pos, *condition);
                    decide(&pos, &mut condition);
                }
                Turn::ActThenMove => {
                    decide(&pos, &mut condition);
                    step(&mut pos, *condition);
                }
            }
        } else {
            let i = (who & !OFFICER_FLAG) as usize;
            let Some(entity) = index.officers[i] else { continue };
            let Ok((&id, mut pos)) = officers.get_mut(entity) else { continue };
            let key = officer_key(id);
            let step = |pos: &mut Position| {
                if let Some(to) =
                    movement::propose_empty_in_vision(&grid, pos.0, &shapes.officer, moves.agent(key, tick))
                {
                    relocate(grid, pos.0, to, Occupant::Officer { id: id.0 });
                    pos.0 = to;
                }
            };
            let mut arrest = |pos: &Position| {
                if let Some((suspect, cell)) =
                    police::pick_suspect(&grid, pos.0, &shapes.officer, arrests.agent(key, tick))
                    && let Ok((_, _, _, mut condition)) = civilians.get_mut(index.civilians[suspect as usize])
                {
                    books.jail(
                        grid,
                        &mut condition,
                        police::Arrester::Officer(id),
                        CivilianId(suspect),
                        cell,
                        police::Jailing {
                            keep_cell: rules.jailed_keep_cell,
                            max_term: t.max_jail_term_ticks,
                            terms,
                            tick,
                        },
                    );
                }
            };
            match rules.turn {
                Turn::MoveThenAct => {
                    step(&mut pos);
                    arrest(&pos);
                }
                Turn::ActThenMove => {
                    arrest(&pos);
                    step(&mut pos);
                }
            }
        }
    }
}
