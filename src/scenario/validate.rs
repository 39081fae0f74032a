//! One pass from the raw mirror to a checked [`Scenario`]: parse errors
//! (syntax, unknown field, wrong type) come from serde with their place;
//! every range and consistency problem is then collected, not just the first.

use ron::extensions::Extensions;

use super::checks::{jail_term, name_given, open_cell, positive, side, unit_interval, vision, vision_fits};
use super::defaults as d;
use super::diagnostic::{Diagnostic, Origin};
use super::locate::SourceMap;
use super::raw::{RawChange, RawScenario};
use super::source::Source;
use super::types::Distribution;
use super::{
    CHANGEABLE_PATHS, CivilianSpec, MapSpec, Metadata, MetricsSpec, PoliceSpec, Rules, Scenario, ScheduledChange,
    Tunables,
};
use super::{conflict, operations};

fn distribution(dist: Distribution) -> Result<Distribution, String> {
    match dist {
        Distribution::Uniform { min, max } => {
            if !(0.0..=1.0).contains(&min) || !(0.0..=1.0).contains(&max) || min > max {
                Err(format!("expected Uniform(min, max) with 0 <= min <= max <= 1, found min {min}, max {max}"))
            } else {
                Ok(dist)
            }
        }
        Distribution::Constant(v) => unit_interval(v).map(Distribution::Constant),
    }
}

/// Collects problems against the text they came from.
pub(super) struct Checker<'a> {
    source: &'a Source,
    map: SourceMap,
    problems: Vec<Diagnostic>,
}

impl Checker<'_> {
    pub(super) fn report(&mut self, field: &str, message: impl Into<String>) {
        let offset = self.map.offset_for(field);
        self.problems.push(Diagnostic {
            origin: self.source.origin_of(offset),
            field: field.to_string(),
            message: message.into(),
        });
    }

    /// Keeps `value` if `check` accepts it, else reports and returns `fallback`.
    pub(super) fn check<T: Copy>(&mut self, field: &str, value: T, check: impl Fn(T) -> Result<T, String>) -> T {
        match check(value) {
            Ok(v) => v,
            Err(e) => {
                self.report(field, e);
                value
            }
        }
    }
}

/// Human words for serde/ron errors (ron names our internal structs).
/// The first characters of something the user wrote, for a message: a
/// 50 MB token is not echoed back.
fn excerpt(s: &str) -> String {
    const MAX: usize = 40;
    if s.chars().count() > MAX { format!("{}…", s.chars().take(MAX).collect::<String>()) } else { s.to_string() }
}

/// Drops serde's internal type names (`RawCommand`) from a message.
fn without_type_names(s: &str) -> String {
    let mut out = String::new();
    for (i, part) in s.split('`').enumerate() {
        if i > 0 {
            out.push('`');
        }
        let internal = i % 2 == 1 && part.starts_with("Raw") && part[3..].starts_with(|c: char| c.is_ascii_uppercase());
        out.push_str(if internal { "section" } else { part });
    }
    out
}

fn describe(e: &ron::Error) -> String {
    use ron::Error as E;
    match e {
        E::NoSuchStructField { expected, found, .. } => {
            format!("unknown field `{}`; expected one of: {}", excerpt(found), expected.join(", "))
        }
        E::MissingStructField { field, .. } => format!("missing field `{field}`"),
        E::DuplicateStructField { field, .. } => format!("field `{field}` is written twice"),
        E::NoSuchEnumVariant { expected, found, .. } => {
            format!("unknown name `{}`; expected one of: {}", excerpt(found), expected.join(", "))
        }
        E::InvalidValueForType { expected, found } => format!("expected {expected}, found {}", excerpt(found)),
        // `--set command.model=1`: RON's advice about raw identifiers means
        // nothing to the user.
        E::SuggestRawIdentifier(found) => {
            format!("expected a name (letters, digits and `_`, not starting with a digit), found `{}`", excerpt(found))
        }
        // `--set command=1`: a section given a value.
        E::ExpectedStructLike | E::ExpectedNamedStructLike(_) => {
            "expected a section in brackets `( ... )`; to change one of its fields, give the field's path \
             (e.g. command.model=unified)"
                .to_string()
        }
        E::ExpectedFloat => "expected a number".to_string(),
        E::ExpectedInteger => "expected a whole number".to_string(),
        E::ExpectedBoolean => "expected true or false".to_string(),
        E::ExpectedString => "expected a string in double quotes".to_string(),
        E::IntegerOutOfBounds => "the whole number is out of range for this field".to_string(),
        E::ExpectedDifferentStructName { expected, found } => {
            format!("expected the structure name `{expected}`, found `{}`", excerpt(found))
        }
        other => {
            let s = without_type_names(&other.to_string());
            let s = if s.chars().count() > 200 { format!("{}…", s.chars().take(200).collect::<String>()) } else { s };
            let mut c = s.chars();
            match c.next() {
                Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
                None => s,
            }
        }
    }
}

fn options() -> ron::Options {
    ron::Options::default().with_default_extension(Extensions::IMPLICIT_SOME)
}

/// Parses the (overridden) text and checks it.
pub fn parse_and_check(source: &Source) -> Result<Scenario, Failure> {
    let raw = parse(source).map_err(Failure::Parse)?;
    check(source, raw).map_err(Failure::Invalid)
}

/// Why a text did not give a scenario: serde stopped at one parse error, or
/// the checks found one or more problems.
pub enum Failure {
    Parse(Vec<Diagnostic>),
    Invalid(Vec<Diagnostic>),
}

fn parse(source: &Source) -> Result<RawScenario, Vec<Diagnostic>> {
    parse_ron(source)
}

/// Reads any RON document of mando's (a scenario, a sweep spec) into its
/// serde mirror; the one parse error serde stops at comes back with its
/// file, line, column and field.
pub fn parse_ron<T: serde::de::DeserializeOwned>(source: &Source) -> Result<T, Vec<Diagnostic>> {
    let opts = options();
    let text = &source.text;
    let located = |span: ron::error::Span, field: String, message: String| {
        let offset = source.offset_of(span.start.line, span.start.col);
        vec![Diagnostic { origin: source.origin_of(offset), field, message }]
    };
    let mut de = match ron::Deserializer::from_str_with_options(text, &opts) {
        Ok(de) => de,
        Err(e) => return Err(located(e.span, String::new(), describe(&e.code))),
    };
    let raw: T = match serde_path_to_error::deserialize(&mut de) {
        Ok(raw) => raw,
        Err(err) => {
            let path = clean_path(&err.path().to_string());
            let inner = err.into_inner();
            let spanned = de.span_error(inner);
            let mut message = describe(&spanned.code);
            let mut at = source.offset_of(spanned.span.start.line, spanned.span.start.col);
            // The parser stops before the blank that precedes a bad value.
            let tail = source.text.get(at..).unwrap_or("");
            at += tail.len() - tail.trim_start().len();
            // `ticks: 10.0` reads as the whole number 10 followed by `.0`.
            let rest = source.text.get(at..).unwrap_or("");
            let decimal = spanned.code == ron::Error::ExpectedComma
                && rest.starts_with('.')
                && rest[1..].starts_with(|c: char| c.is_ascii_digit());
            if decimal {
                message = "expected a whole number, without a decimal point".to_string();
            }
            let mut field = match &spanned.code {
                ron::Error::NoSuchStructField { found, .. } => join(&path, found),
                ron::Error::MissingStructField { field, .. } => join(&path, field),
                _ => path,
            };
            // A bad value: name its own field (serde may only know the
            // enclosing structure) and point at the start of the value.
            let bad_value = decimal
                || matches!(
                    spanned.code,
                    ron::Error::ExpectedFloat
                        | ron::Error::ExpectedInteger
                        | ron::Error::ExpectedBoolean
                        | ron::Error::ExpectedString
                        | ron::Error::ExpectedChar
                        | ron::Error::IntegerOutOfBounds
                        | ron::Error::InvalidValueForType { .. }
                        | ron::Error::NoSuchEnumVariant { .. }
                        | ron::Error::ExpectedOption
                        | ron::Error::ExpectedArray
                        | ron::Error::ExpectedStructLike
                        | ron::Error::ExpectedNamedStructLike(_)
                        | ron::Error::Message(_)
                );
            if bad_value && let Some((path, start)) = SourceMap::new(text).field_at(at) {
                field = path.to_string();
                at = start;
            }
            let origin = source.origin_of(at);
            return Err(vec![Diagnostic { origin, field, message }]);
        }
    };
    if let Err(e) = de.end() {
        let spanned = de.span_error(e);
        return Err(located(spanned.span, String::new(), describe(&spanned.code)));
    }
    Ok(raw)
}

/// serde_path_to_error writes `?` for paths it cannot name and `.` at the root.
fn clean_path(p: &str) -> String {
    p.split('.').filter(|s| !s.is_empty() && *s != "?").collect::<Vec<_>>().join(".")
}

fn join(parent: &str, name: &str) -> String {
    if parent.is_empty() || parent.ends_with(name) { name_or(parent, name) } else { format!("{parent}.{name}") }
}

fn name_or(parent: &str, name: &str) -> String {
    if parent.is_empty() { name.to_string() } else { parent.to_string() }
}

fn check(source: &Source, raw: RawScenario) -> Result<Scenario, Vec<Diagnostic>> {
    let mut c = Checker { source, map: SourceMap::new(&source.text), problems: Vec::new() };

    let format_version = raw.format_version.unwrap_or(d::FORMAT_VERSION);
    if format_version != d::FORMAT_VERSION {
        c.report("format_version", format!("this mando reads format_version 1, found {format_version}"));
    }

    // metadata
    let m = raw.metadata;
    c.check("metadata.name", m.name.as_str(), name_given);
    let ticks = m.ticks.unwrap_or(d::TICKS);
    if ticks == 0 {
        c.report("metadata.ticks", "expected at least 1 tick, found 0");
    } else if ticks > d::MAX_TICKS {
        c.report(
            "metadata.ticks",
            format!("expected at most {} ticks (split a longer study into runs), found {ticks}", d::MAX_TICKS),
        );
    }
    let minutes_per_tick =
        c.check("metadata.minutes_per_tick", m.minutes_per_tick.unwrap_or(d::MINUTES_PER_TICK), positive);
    let metadata = Metadata {
        name: m.name,
        description: m.description.unwrap_or_default(),
        seed: m.seed.unwrap_or(d::SEED),
        ticks,
        minutes_per_tick,
    };

    // map
    let width = c.check("map.width_cells", raw.map.width_cells, side);
    let height = c.check("map.height_cells", raw.map.height_cells, side);
    if let Some(rows) = &raw.map.terrain {
        if rows.len() != height as usize {
            c.report("map.terrain", format!("expected {height} rows (map.height_cells), found {}", rows.len()));
        }
        for (i, row) in rows.iter().enumerate() {
            let field = format!("map.terrain[{i}]");
            let known = |ch: char| {
                matches!(ch, '.' | '#' | '=' | '*')
                    || raw.map.sites.as_ref().is_some_and(|s| s.iter().any(|site| site.symbol == ch))
            };
            if let Some(bad) = row.chars().find(|ch| !known(*ch)) {
                c.report(
                    &field,
                    format!(
                        "unknown terrain `{bad}`; expected `.` (open), `#` (building), `=` (road), `*` (base or \
                         station) or the symbol of a site in map.sites"
                    ),
                );
            } else if row.chars().count() != width as usize {
                c.report(&field, format!("expected {width} cells (map.width_cells), found {}", row.chars().count()));
            }
        }
    }
    let sites = operations::check_sites(&mut c, raw.map.sites, raw.map.terrain.as_ref());
    let map = MapSpec {
        width_cells: width,
        height_cells: height,
        edges: raw.map.edges.unwrap_or(d::EDGES),
        terrain: raw.map.terrain,
        sites,
    };
    let open = map.open_cells();

    // civilians
    let cv = raw.civilians;
    let civ_density = cv.density.map(|v| c.check("civilians.density", v, unit_interval));
    let civ_count = match (cv.count, civ_density) {
        (Some(_), Some(_)) => {
            c.report("civilians.density", "give civilians.count or civilians.density, not both");
            0
        }
        (Some(n), None) => n,
        (None, Some(dens)) => (dens * open as f64).round() as u32,
        (None, None) => (d::CIVILIAN_DENSITY * open as f64).round() as u32,
    };
    let civilians = CivilianSpec {
        count: civ_count,
        density: civ_density.or(if cv.count.is_none() { Some(d::CIVILIAN_DENSITY) } else { None }),
        placement: cv.placement.unwrap_or(d::PLACEMENT),
        legitimacy: c.check("civilians.legitimacy", cv.legitimacy.unwrap_or(d::LEGITIMACY), unit_interval),
        vision_cells: c.check("civilians.vision_cells", cv.vision_cells.unwrap_or(d::CIVILIAN_VISION_CELLS), vision),
        threshold: c.check("civilians.threshold", cv.threshold.unwrap_or(d::THRESHOLD), unit_interval),
        arrest_constant_k: c.check(
            "civilians.arrest_constant_k",
            cv.arrest_constant_k.unwrap_or(d::ARREST_CONSTANT_K),
            positive,
        ),
        max_jail_term_ticks: c.check(
            "civilians.max_jail_term_ticks",
            cv.max_jail_term_ticks.unwrap_or(d::MAX_JAIL_TERM_TICKS),
            jail_term,
        ),
        hardship: c.check("civilians.hardship", cv.hardship.unwrap_or(d::HARDSHIP), distribution),
        risk_aversion: c.check("civilians.risk_aversion", cv.risk_aversion.unwrap_or(d::RISK_AVERSION), distribution),
    };

    // police
    let pv =
        raw.police.unwrap_or(super::raw::RawPolice { count: None, density: None, positions: None, vision_cells: None });
    let written = [pv.count.is_some(), pv.density.is_some(), pv.positions.is_some()].iter().filter(|b| **b).count();
    if written > 1 {
        let at = if pv.density.is_some() { "police.density" } else { "police.positions" };
        c.report(at, "give only one of police.count, police.density and police.positions");
    }
    let pol_density = pv.density.map(|v| c.check("police.density", v, unit_interval));
    if let Some(ps) = &pv.positions {
        let mut seen = std::collections::BTreeSet::new();
        for (i, &(x, y)) in ps.iter().enumerate() {
            let field = format!("police.positions[{i}]");
            if let Err(e) = open_cell(&map, (x, y)) {
                c.report(&field, e);
            } else if !seen.insert((x, y)) {
                c.report(&field, format!("({x}, {y}) is given twice; one officer per cell"));
            }
        }
    }
    let pol_count = match (pv.count, pol_density, &pv.positions) {
        (Some(n), _, _) => n,
        (None, Some(dens), _) => (dens * open as f64).round() as u32,
        (None, None, Some(ps)) => ps.len() as u32,
        (None, None, None) => (d::POLICE_DENSITY * open as f64).round() as u32,
    };
    let police = PoliceSpec {
        count: pol_count,
        density: pol_density.or(if written == 0 { Some(d::POLICE_DENSITY) } else { None }),
        positions: pv.positions,
        vision_cells: c.check("police.vision_cells", pv.vision_cells.unwrap_or(d::POLICE_VISION_CELLS), vision),
    };
    for (field, v) in [("civilians.vision_cells", civilians.vision_cells), ("police.vision_cells", police.vision_cells)]
    {
        if vision(v).is_err() {
            continue; // already reported
        }
        if let Some(msg) = vision_fits(&map, v) {
            // A default vision is not written anywhere: point at the map
            // and name the vision in the message.
            match c.map.get(field) {
                Some(_) => c.report(field, msg),
                None => c.report("map.width_cells", format!("{field}: {msg}")),
            }
        }
    }
    // The security operation: units, command and law (all optional).
    let with_operation = raw.forces.is_some()
        || raw.command.is_some()
        || raw.law.is_some()
        || raw.crowd.is_some()
        || raw.force.is_some()
        || raw.detention.is_some();
    let forces = operations::check_forces(&mut c, raw.forces, &map, police.positions.as_ref());
    let command = with_operation.then(|| operations::check_command(&mut c, raw.command, &map));
    if let Some(command) = &command {
        operations::check_relays(&mut c, command, &forces);
    }
    let law = with_operation.then(|| operations::check_law(&mut c, raw.law, &map));
    let stones_share_written = raw.crowd.as_ref().is_some_and(|cr| cr.stones_share.is_some());
    let crowd = with_operation.then(|| conflict::check_crowd(&mut c, raw.crowd, &map));
    // A typed crowd draws hardship and risk aversion by type: a value
    // written for all civilians would be ignored, so it is refused.
    if crowd.as_ref().is_some_and(|cr| cr.typed) {
        for (field, written) in [
            ("civilians.hardship", cv.hardship.is_some()),
            ("civilians.risk_aversion", cv.risk_aversion.is_some()),
            ("crowd.stones_share", stones_share_written),
        ] {
            if written {
                c.report(
                    field,
                    format!(
                        "{field} is not used with a typed crowd (crowd.types): each crowd type draws its own; remove \
                         it, or remove crowd.types"
                    ),
                );
            }
        }
    }
    let force = with_operation.then(|| conflict::check_force(&mut c, raw.force));
    // Without the section, units jail by Epstein's rule (docs/model.md,
    // "Detention").
    let detention = raw.detention.map(|r| super::detention::check_detention(&mut c, r));
    let unit_count: u64 = forces.iter().map(|g| g.count as u64).sum();
    if civ_count as u64 + pol_count as u64 + unit_count > open as u64 {
        let at = if pv.density.is_some() || pv.count.is_some() {
            if pv.density.is_some() { "police.density" } else { "police.count" }
        } else if cv.density.is_some() {
            "civilians.density"
        } else {
            "civilians.count"
        };
        c.report(
            at,
            format!(
                "{civ_count} civilians, {pol_count} officers and {unit_count} units need {} cells but the map has \
                 {open} open cells; lower the densities or counts",
                civ_count as u64 + pol_count as u64 + unit_count
            ),
        );
    }

    // rules and metrics
    let rr = raw.rules.unwrap_or(super::raw::RawRules {
        neighbourhood: None,
        arrest_ratio_rounding: None,
        jailed_keep_cell: None,
        activation: None,
        turn: None,
    });
    let rules = Rules {
        neighbourhood: rr.neighbourhood.unwrap_or(d::NEIGHBOURHOOD),
        arrest_ratio_rounding: rr.arrest_ratio_rounding.unwrap_or(d::ARREST_RATIO_ROUNDING),
        jailed_keep_cell: rr.jailed_keep_cell.unwrap_or(d::JAILED_KEEP_CELL),
        activation: rr.activation.unwrap_or(d::ACTIVATION),
        turn: rr.turn.unwrap_or(d::TURN),
    };
    let share = raw.metrics.and_then(|m| m.outburst_active_share).unwrap_or(d::OUTBURST_ACTIVE_SHARE);
    let share = c.check("metrics.outburst_active_share", share, |v| {
        if v > 0.0 && v <= 1.0 { Ok(v) } else { Err(format!("expected a share above 0 and at most 1, found {v}")) }
    });
    let metrics = MetricsSpec { outburst_active_share: share };

    let mut scenario = Scenario {
        format_version,
        metadata,
        map,
        civilians,
        police,
        rules,
        metrics,
        changes: Vec::new(),
        timeline: Vec::new(),
        forces,
        command,
        law,
        crowd,
        force,
        detention,
        decisions: Vec::new(),
        source: Default::default(),
    };
    let (changes, timeline) = check_changes(&mut c, &scenario, raw.changes.unwrap_or_default());
    scenario.changes = changes;
    scenario.timeline = timeline;
    let raw_decisions = raw.decisions.unwrap_or_default();
    scenario.decisions =
        super::decisions::check(&mut |f: &str, m: String| c.report(f, m), raw_decisions, &scenario.map.sites);

    if c.problems.is_empty() { Ok(scenario) } else { Err(c.problems) }
}

/// Checks scheduled changes and turns them into a timeline of tunables.
fn check_changes(c: &mut Checker, s: &Scenario, raw: Vec<RawChange>) -> (Vec<ScheduledChange>, Vec<(u32, Tunables)>) {
    let open = s.map.open_cells();
    let mut changes = Vec::new();
    for (i, ch) in raw.iter().enumerate() {
        let field = |name: &str| format!("changes[{i}].{name}");
        if !CHANGEABLE_PATHS.contains(&ch.path.as_str()) {
            c.report(
                &field("path"),
                format!("`{}` cannot change during a run; these can: {}", ch.path, CHANGEABLE_PATHS.join(", ")),
            );
            continue;
        }
        let value = match ron::from_str::<f64>(ch.value.get_ron().trim()) {
            Ok(v) if v.is_finite() => v,
            _ => {
                c.report(
                    &field("value"),
                    format!("expected a number for {}, found `{}`", ch.path, ch.value.get_ron().trim()),
                );
                continue;
            }
        };
        if ch.at_tick == 0 {
            c.report(
                &field("at_tick"),
                "expected tick 1 or later (tick 1 is the first; to change a starting value, edit the field)",
            );
            continue;
        }
        // A change after the last tick is allowed (it never applies), so a
        // shorter run by `--ticks` keeps the scenario valid.
        match ch.over_ticks {
            Some(0) => {
                c.report(&field("over_ticks"), "expected at least 1 tick, found 0");
                continue;
            }
            Some(n) if n > d::MAX_RAMP_TICKS => {
                c.report(&field("over_ticks"), format!("expected at most {} ticks, found {n}", d::MAX_RAMP_TICKS));
                continue;
            }
            _ => {}
        }
        changes.push((
            i,
            ScheduledChange {
                at_tick: ch.at_tick,
                path: ch.path.clone(),
                value,
                over_ticks: ch.over_ticks.unwrap_or(1),
            },
        ));
    }

    // Expand ramps into one step per tick; apply in tick order (stable, so
    // two changes at the same tick apply in file order).
    let mut steps: Vec<(u32, usize, usize)> = Vec::new(); // (tick, change index, step number 1..=n)
    // Steps after the last tick never apply and are not expanded; the
    // written value is still checked below, whatever its tick.
    for (k, (i, ch)) in changes.iter().enumerate() {
        let mut scratch = Tunables::initial(s);
        if let Err(e) = scratch.set(&ch.path, ch.value, open) {
            c.report(&format!("changes[{i}].value"), e);
        }
        for j in 1..=ch.over_ticks {
            match ch.at_tick.checked_add(j - 1) {
                Some(t) if t <= s.metadata.ticks => steps.push((t, k, j as usize)),
                _ => break,
            }
        }
    }
    steps.sort_by_key(|&(t, k, _)| (t, k));
    let mut current = Tunables::initial(s);
    let mut start_values: Vec<Option<f64>> = vec![None; changes.len()];
    let mut timeline: Vec<(u32, Tunables)> = Vec::new();
    let mut reported: Vec<bool> =
        changes.iter().map(|(_, ch)| Tunables::initial(s).set(&ch.path, ch.value, open).is_err()).collect();
    for (tick, k, j) in steps {
        let (i, ch) = &changes[k];
        let from = *start_values[k].get_or_insert_with(|| current.get(&ch.path, open).unwrap_or(ch.value));
        let n = ch.over_ticks as f64;
        let mut v = from + (ch.value - from) * (j as f64 / n);
        if ch.path.ends_with("_cells") || ch.path.ends_with("_ticks") || ch.path.ends_with("count") {
            v = v.round();
        }
        if j as u32 == ch.over_ticks {
            v = ch.value; // land exactly on the written value
        }
        if let Err(e) = current.set(&ch.path, v, open) {
            if !reported[k] {
                c.report(&format!("changes[{i}].value"), e);
                reported[k] = true;
            }
            continue;
        }
        let widest = current.civilian_vision_cells.max(current.police_vision_cells);
        if let Some(msg) = vision_fits(&s.map, widest).filter(|_| !reported[k]) {
            c.report(&format!("changes[{i}].value"), msg);
            reported[k] = true;
        }
        let units: usize = s.forces.iter().map(|g| g.count as usize).sum();
        if s.civilians.count as usize + current.police_count as usize + units > open && !reported[k] {
            c.report(
                &format!("changes[{i}].value"),
                format!(
                    "{} officers, {} civilians and {units} units do not fit in {open} open cells",
                    current.police_count, s.civilians.count
                ),
            );
            reported[k] = true;
        }
        match timeline.last_mut() {
            Some((t, tun)) if *t == tick => *tun = current,
            _ => timeline.push((tick, current)),
        }
    }
    (changes.into_iter().map(|(_, ch)| ch).collect(), timeline)
}

#[allow(dead_code)]
fn origin_unused(_: Origin) {}
