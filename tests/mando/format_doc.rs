//! `docs/scenario-format.md` documents every field of the scenario format,
//! and nothing else: a field added to the format without a row in the doc
//! fails here, and so does a row whose field no longer exists.
//!
//! *Pattern:* the fields are enumerated from the code, never from a list
//! kept by hand. The parser is asked for them: a field `zz_probe` written
//! into a section makes serde's `deny_unknown_fields` list every field the
//! section accepts, so probing each section (and each list's first element)
//! of [`EVERY_FIELD`] walks the whole file format. The checked
//! [`Scenario`](mando::scenario::Scenario), as `summary.json`'s `parameters`
//! holds it, is walked too, so that the output side cannot grow a parameter
//! the doc does not explain. *Reasoning:* issue 22 found `crowd` and `force`
//! fields whose paths had to be guessed from `summary.json`; a test that
//! reads the code keeps the doc from falling behind again.

use std::collections::{BTreeMap, BTreeSet};

use mando::scenario::decisions::is_live_path;
use mando::scenario::locate::{SourceMap, set_value};
use mando::scenario::raw::RawScenario;
use mando::scenario::{CHANGEABLE_PATHS, Source, load_str, parse_ron};

use crate::common::repo;

/// A scenario that writes every field of every section, with one element
/// in every list. A line marked `raw only` is a field that a valid scenario
/// cannot write together with the rest (an alternative to another field, or
/// refused with a typed crowd): the probes read it, the checked scenario is
/// loaded without it.
const EVERY_FIELD: &str = r#"Scenario(
    format_version: 1,
    metadata: (name: "every_field", description: "Every field of the format", seed: 7, ticks: 30, minutes_per_tick: 2.0),
    map: (
        width_cells: 20,
        height_cells: 10,
        edges: Bounded,
        terrain: [
            "..*.................",
            "..*..........SSS....",
            ".............SSS....",
            "...##...............",
            "====================",
            "....................",
            "....................",
            "....................",
            "....................",
            "....................",
        ],
        sites: [(symbol: 'S', name: "Substation", kind: Plant, breach_actives: 3)],
    ),
    civilians: (
        count: 60,
        density: 0.3, // raw only: an alternative to count
        placement: Random,
        legitimacy: 0.7,
        vision_cells: 3,
        threshold: 0.1,
        arrest_constant_k: 2.3,
        max_jail_term_ticks: 30,
        hardship: Uniform(min: 0.2, max: 1.0), // raw only: refused with crowd.types
        risk_aversion: Constant(0.5), // raw only: refused with crowd.types
    ),
    police: (
        count: 2, // raw only: an alternative to positions
        density: 0.01, // raw only: an alternative to positions
        positions: [(0, 9), (1, 9)],
        vision_cells: 3,
    ),
    rules: (neighbourhood: Moore, arrest_ratio_rounding: Floor, jailed_keep_cell: false, activation: RandomSequential, turn: MoveThenAct),
    metrics: (outburst_active_share: 0.05),
    changes: [(at_tick: 5, path: "civilians.legitimacy", value: 0.6, over_ticks: 3)],
    forces: (
        units: [
            (name: "Patrol", kind: PnpPatrol, count: 1, at: (2, 0), strength_personnel: 10, crowd_training: 0.5,
             non_lethal_kit: Partial, lethal_weapons: true, radio_net: "pnp_analog", speed_cells_per_tick: 1,
             vision_cells: 3, standing_task: Patrol, patrol_radius_cells: 4),
        ],
    ),
    command: (
        model: pnp_lead,
        decentralised_execution: false,
        pnp_echelons: 4,
        ffaa_echelons: 5,
        liaison_officers: true,
        interoperable_radios: false,
        pnp_echelon_delay_median_minutes: 3.0,
        ffaa_echelon_delay_median_minutes: 5.0,
        echelon_delay_sigma: 0.5,
        cross_agency_delay_minutes: 20.0,
        liaison_delay_minutes: 3.0,
        lost_message_probability: 0.1,
        relays: [("pnp", "pnp_analog")],
        relay_delay_minutes: 2.0,
        same_net_loss_probability: 0.03,
        retransmissions: 2,
        unified_setup_minutes: 60.0,
        unified_hop_minutes: 3.0,
        pnp_compliance_delay_minutes: 10.0,
        phone_conflict_probability: 0.2,
        decision_interval_minutes: 5.0,
        report_interval_minutes: 5.0,
        local_autonomy_delay_minutes: 2.0,
        unity_break_probability: 0.1,
        sector_cells: 8,
        hotspot_actives: 5,
        actives_per_unit: 15,
        ffaa_deployment: OnDeclaration,
        drones: [(agency: Pnp, at: (10, 5), radius_cells: 4)],
    ),
    law: (
        initial: Normal,
        enforce: false,
        declare: Emergency,
        emergency_mode: FollowModel,
        trigger_actives_per_pnp_officer: 30.0,
        trigger_for_minutes: 60.0,
        trigger_on_site_breach: true,
        hostile_group_attacks: 3,
        hostile_group_members: 20,
        decree_delay_minutes: 1440.0,
        emergency_limit_days: 60.0,
        siege_limit_days: 45.0,
        zones: [(name: "west", at: (0, 0), width_cells: 10, height_cells: 10)],
    ),
    crowd: (
        types: (peaceful_protester: 0.4, blockader: 0.1, shock_group: 0.05, paid_agitator: 0.01),
        stones_share: 0.1, // raw only: refused with crowd.types
        firearms_share: 0.05,
        identity_weight: 0.3,
        identity_decay_per_tick: 0.01,
        indiscriminate_identity_gain: 0.15,
        differentiated_identity_gain: 0.02,
        death_legitimacy_loss: 0.05,
        serious_injury_legitimacy_loss: 0.005,
        backlash_radius_cells: 15,
        backlash_lag_minutes: 60.0,
        flashpoint_threshold_drop: 0.05,
        flashpoint_minutes: 10.0,
        flashpoint_radius_cells: 5,
        agitator_provocation_probability: 0.03,
        dialogue: [(at_tick: 10, event: OpenTable)],
        gatherings: [(name: "Plaza", at: (3, 6), march_to: "Substation")],
        day: (clock_at_start: 8.0, rise_from: 6.0, march_from: 9.0, peak_from: 10.0, peak_until: 16.0, home_by: 21.0, night_share: 0.05),
        fatigue_per_day: 0.1,
        arrivals: (share: 0.25, after_hours: 12.0),
        bystanders_keep_away_cells: 4,
    ),
    force: (
        engage_radius_cells: 1,
        perception_sigma_pnp: 0.3,
        perception_sigma_ffaa: 0.5,
        ffaa_overclassify_probability: 0.2,
        untrained_escalation_probability: 0.3,
        stress_escalation_weight: 0.3,
        no_kit_lethal_probability: 0.5,
        pro_officer_interpretation: false,
        area_effects: true,
        reassess_minutes: 15.0,
        kinetic_injury_probability: 0.4,
        lethal_hit_probability: 0.4,
        lethal_death_given_hit: 0.25,
        stones_injury_probability: 0.04,
        evacuation_death_probability: 0.08,
        kinetic_share: 0.7,
        officer_death_given_injury: 0.006,
        unauthorised_fire_probability: 0.2,
        expected_sanction: 0.0,
        awaiting_authority_pnp: Hold,
        awaiting_authority_ffaa: Hold,
        dispersal_warning_minutes: 5.0,
    ),
    detention: (
        team_personnel: 2,
        processing_minutes: 90.0,
        holding_per_zone: 50,
        hold_hours: 24.0,
        liberty_suspended_in_emergency: false,
        handover_minutes: 45.0,
    ),
    decisions: [
        (
            name: "police_fire",
            prompt: "What do the police do while they wait for leave to fire?",
            trigger: Tick(10),
            default: "hold",
            choices: [
                (name: "hold", label: "Hold", changes: []),
                (name: "withdraw", label: "Withdraw", changes: ["force.awaiting_authority_pnp=Withdraw"]),
            ],
        ),
    ],
)
"#;

/// [`EVERY_FIELD`] as a valid scenario: without its `raw only` lines.
fn every_field_valid() -> String {
    EVERY_FIELD.lines().filter(|l| !l.contains("// raw only")).map(|l| format!("{l}\n")).collect()
}

/// What a field of the file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Holds {
    /// A section of named fields, e.g. `crowd.day`.
    Section,
    /// A list of sections, e.g. `forces.units`.
    Sections,
    /// A value: a number, a text, a choice, a pair, a list of values.
    Value,
}

/// The fields the section at `path` of `text` accepts, as the parser lists
/// them when it meets an unknown one; `None` if `path` is not a section.
fn fields_of(text: &str, path: &str) -> Option<Vec<String>> {
    const PROBE: &str = "zz_probe";
    let probe = if path.is_empty() { PROBE.to_string() } else { format!("{path}.{PROBE}") };
    let patched = set_value(text, &probe, "0").ok()?;
    let problems = parse_ron::<RawScenario>(&Source::new("probe", patched.text)).err()?;
    let message = &problems.first()?.message;
    let list = message.strip_prefix(&format!("unknown field `{PROBE}`; expected one of: "))?;
    Some(list.split(", ").map(str::to_string).collect())
}

/// `decisions[0].choices[1].name` → `decisions[i].choices[j].name`: list
/// indices become `i`, `j`, `k` by depth, as the doc writes them.
fn generic(path: &str) -> String {
    let mut out = String::new();
    let mut depth = 0;
    let mut rest = path;
    while let Some(open) = rest.find('[') {
        let close = open + rest[open..].find(']').expect("closed index");
        out.push_str(&rest[..open]);
        out.push('[');
        out.push(['i', 'j', 'k', 'l'][depth]);
        out.push(']');
        depth += 1;
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

/// The fields of the file format, found by asking the parser.
struct Format {
    /// Every field by generic path.
    fields: BTreeMap<String, Holds>,
    /// Fields that [`EVERY_FIELD`] does not write: their parts, if any,
    /// cannot be probed (they are in `fields` as values).
    unwritten: Vec<String>,
}

/// Every field of the file format, by generic path, from the parser.
fn format() -> Format {
    let written = SourceMap::new(EVERY_FIELD);
    let mut fields = BTreeMap::new();
    let mut unwritten = Vec::new();
    let mut todo = vec![String::new()];
    while let Some(section) = todo.pop() {
        let names = fields_of(EVERY_FIELD, &section).unwrap_or_else(|| {
            panic!(
                "the parser did not list the fields of `{section}` (the root if empty): has the message for \
                 an unknown field changed?"
            )
        });
        for name in names {
            let path = if section.is_empty() { name } else { format!("{section}.{name}") };
            let first = format!("{path}[0]");
            let holds = if written.get(&path).is_none() {
                unwritten.push(generic(&path));
                Holds::Value
            } else if fields_of(EVERY_FIELD, &path).is_some() {
                todo.push(path.clone());
                Holds::Section
            } else if fields_of(EVERY_FIELD, &first).is_some() {
                todo.push(first);
                Holds::Sections
            } else {
                Holds::Value
            };
            fields.insert(generic(&path), holds);
        }
    }
    Format { fields, unwritten }
}

/// [`format`]'s fields.
fn file_fields() -> BTreeMap<String, Holds> {
    format().fields
}

/// A row of a table in the doc whose first column is `path`.
#[derive(Debug)]
struct Row {
    path: String,
    /// Cells by the header's names.
    cells: BTreeMap<String, String>,
    line: usize,
}

const COLUMNS: [&str; 7] = ["path", "type", "unit", "default", "allowed", "meaning", "during a run"];

/// Cells of a Markdown table line; `\|` stays inside its cell.
fn cells(line: &str) -> Vec<String> {
    let inner = line.trim().trim_start_matches('|').trim_end_matches('|');
    let mut out = vec![String::new()];
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                out.last_mut().unwrap().push('|');
                chars.next();
            }
            '|' => out.push(String::new()),
            c => out.last_mut().unwrap().push(c),
        }
    }
    out.into_iter().map(|c| c.trim().to_string()).collect()
}

/// Every row of the doc's field tables (tables whose first column is
/// `path`); each must have the doc's columns and name one field.
fn doc_rows() -> Vec<Row> {
    let doc = std::fs::read_to_string(repo().join("docs/scenario-format.md")).expect("docs/scenario-format.md");
    let lines: Vec<&str> = doc.lines().collect();
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if !(lines[i].starts_with('|') && cells(lines[i]).first().is_some_and(|c| c == "path")) {
            i += 1;
            continue;
        }
        let header = cells(lines[i]);
        if header != COLUMNS {
            problems.push(format!("line {}: a field table has the columns {}", i + 1, COLUMNS.join(" | ")));
        }
        i += 2; // the header and its rule
        while i < lines.len() && lines[i].starts_with('|') {
            let row = cells(lines[i]);
            let first = &row[0];
            let path = first.strip_prefix('`').and_then(|p| p.strip_suffix('`')).filter(|p| !p.contains('`'));
            match path {
                Some(p) if row.len() == header.len() => rows.push(Row {
                    path: p.to_string(),
                    cells: header.iter().cloned().zip(row.iter().cloned()).collect(),
                    line: i + 1,
                }),
                Some(_) => problems.push(format!("line {}: expected {} cells", i + 1, header.len())),
                None => problems.push(format!("line {}: the first cell should be one `path`, found {first}", i + 1)),
            }
            i += 1;
        }
    }
    assert!(problems.is_empty(), "docs/scenario-format.md:\n  {}", problems.join("\n  "));
    rows
}

/// The file's path for a path of the checked scenario (as `summary.json`'s
/// `parameters` writes it), where the two differ.
fn file_path(checked: &str) -> String {
    let replace_prefix = |from: &str, to: &str| checked.strip_prefix(from).map(|rest| format!("{to}{rest}"));
    // An agency follows from the unit's kind.
    if checked == "forces[i].agency" {
        return "forces.units[i].kind".into();
    }
    // The units are a list in the checked scenario, `forces.units` in the file.
    if let Some(p) = replace_prefix("forces[i]", "forces.units[i]") {
        return p;
    }
    // A distribution is one choice, `Uniform(min: a, max: b)` or `Constant(x)`: its parts are not fields.
    for d in ["civilians.hardship", "civilians.risk_aversion"] {
        if checked.starts_with(&format!("{d}.")) {
            return d.into();
        }
    }
    // A trigger is one choice: `Tick(N)`, `SiteBreached("…")` or `Phase("…")`.
    if checked.starts_with("decisions[i].trigger.") {
        return "decisions[i].trigger".into();
    }
    // The choice a batch run takes: the file's `default`, or `--decide`.
    if checked == "decisions[i].chosen" {
        return "decisions[i].default".into();
    }
    // Whether `crowd.types` was written, and its shares (bystanders first, the rest).
    if checked == "crowd.typed" || checked == "crowd.shares" {
        return "crowd.types".into();
    }
    // The crowd's purpose is kept together; the file writes its fields in `crowd`.
    match checked {
        "crowd.purpose.arrivals_share" => return "crowd.arrivals.share".into(),
        "crowd.purpose.arrivals_after_hours" => return "crowd.arrivals.after_hours".into(),
        _ => {}
    }
    if let Some(p) = replace_prefix("crowd.purpose.", "crowd.") {
        return p;
    }
    checked.to_string()
}

/// Paths of the leaves of a JSON value: objects by key, arrays of objects
/// by index; anything else (numbers, texts, pairs, lists of values, null)
/// is a leaf.
fn leaves(v: &serde_json::Value, path: &str, out: &mut BTreeSet<String>) {
    use serde_json::Value;
    let join = |k: &str| if path.is_empty() { k.to_string() } else { format!("{path}.{k}") };
    match v {
        Value::Object(m) => m.iter().for_each(|(k, v)| leaves(v, &join(k), out)),
        Value::Array(items) if items.iter().any(Value::is_object) => {
            items.iter().enumerate().for_each(|(i, v)| leaves(v, &format!("{path}[{i}]"), out))
        }
        _ => {
            out.insert(generic(path));
        }
    }
}

#[test]
fn every_field_of_the_format_has_a_row_in_the_doc_and_every_row_is_a_field() {
    let Format { fields, unwritten } = format();
    // The probes found the format, not a fragment of it.
    for known in ["metadata.name", "forces.units[i].radio_net", "crowd.day.home_by", "decisions[i].choices[j].label"] {
        assert!(fields.contains_key(known), "the probes missed {known}: {fields:?}");
    }
    let rows = doc_rows();
    let documented: BTreeSet<&str> = rows.iter().map(|r| r.path.as_str()).collect();
    let mut problems: Vec<String> = fields
        .keys()
        .filter(|f| !documented.contains(f.as_str()))
        .map(|f| format!("{f}: a field of the format without a row in docs/scenario-format.md"))
        .collect();
    problems.extend(
        rows.iter()
            .filter(|r| !fields.contains_key(&r.path))
            .map(|r| format!("line {}: {}: a row of the doc that is no field of the format", r.line, r.path)),
    );
    let mut seen = BTreeSet::new();
    problems.extend(
        rows.iter()
            .filter(|r| !seen.insert(&r.path))
            .map(|r| format!("line {}: {}: a second row for the field", r.line, r.path)),
    );
    problems.extend(unwritten.iter().map(|f| {
        format!("{f}: EVERY_FIELD in tests/mando/format_doc.rs does not write it (write it, a list with one element)")
    }));
    assert!(problems.is_empty(), "the scenario format and its doc differ:\n  {}", problems.join("\n  "));
}

#[test]
fn every_parameter_in_summary_json_is_a_documented_field() {
    let scenario = load_str("every_field", &every_field_valid(), &[]).unwrap_or_else(|e| panic!("EVERY_FIELD:\n{e}"));
    let parameters = serde_json::to_value(&scenario).expect("the scenario serialises");
    let mut checked = BTreeSet::new();
    leaves(&parameters, "", &mut checked);
    let fields = file_fields();
    let documented: BTreeSet<String> = doc_rows().into_iter().map(|r| r.path).collect();
    let problems: Vec<String> = checked
        .iter()
        .map(|c| (c, file_path(c)))
        .filter(|(_, f)| !documented.contains(f) || !fields.contains_key(f))
        .map(|(c, f)| if *c == f { c.clone() } else { format!("{c} (the file's {f})") })
        .collect();
    assert!(
        problems.is_empty(),
        "parameters of summary.json that are no documented field of the format (document the field, or map a \
         derived parameter to its field in file_path):\n  {}",
        problems.join("\n  ")
    );
}

#[test]
fn the_doc_says_truly_which_fields_change_during_a_run() {
    let fields = file_fields();
    let live = |path: &str| is_live_path(path);
    let mut problems = Vec::new();
    for row in doc_rows() {
        let Some(&holds) = fields.get(&row.path) else { continue };
        let cell = row.cells["during a run"].as_str();
        let expected = if holds == Holds::Value {
            if live(&row.path) { "yes" } else { "no" }
        } else {
            let inside = |f: &str| f.strip_prefix(row.path.as_str()).is_some_and(|rest| rest.starts_with(['.', '[']));
            let any = fields.iter().any(|(f, h)| *h == Holds::Value && inside(f) && live(f));
            if any { "by field" } else { "no" }
        };
        if !cell.starts_with(expected) {
            problems.push(format!("line {}: {}: expected `{expected}…`, found `{cell}`", row.line, row.path));
        } else if expected == "yes" && cell.contains("`changes`") != CHANGEABLE_PATHS.contains(&row.path.as_str()) {
            problems.push(format!(
                "line {}: {}: say `changes` exactly when CHANGEABLE_PATHS has it, found `{cell}`",
                row.line, row.path
            ));
        }
    }
    assert!(problems.is_empty(), "docs/scenario-format.md, column `during a run`:\n  {}", problems.join("\n  "));
}

/// The fields a scenario leaves out, with their defaults filled in: a
/// small operation with a typed crowd that gathers, and detention.
const DEFAULTS: &str = r#"Scenario(
    metadata: (name: "defaults"),
    map: (
        width_cells: 20,
        height_cells: 20,
        terrain: [
            "S...................", "....................", "....................", "....................",
            "....................", "....................", "....................", "....................",
            "....................", "....................", "....................", "....................",
            "....................", "....................", "....................", "....................",
            "....................", "....................", "....................", "....................",
        ],
        sites: [(symbol: 'S', name: "Site", kind: Other)],
    ),
    civilians: (),
    forces: (units: [(name: "u", kind: PnpPatrol, at: (5, 5))]),
    crowd: (types: (), gatherings: [(name: "g", at: (9, 9), march_to: "Site")]),
    detention: (),
    decisions: [(name: "d", prompt: "?", trigger: Tick(1), default: "a",
                 choices: [(name: "a", label: "a", changes: []), (name: "b", label: "b", changes: [])])],
)
"#;

/// A default cell that is one plain value (`0.7`, `` `Wrap` ``, `true`,
/// `` `""` ``), normalised for comparison; `None` for anything else ("by
/// kind", "required", "none", a value with a note).
fn plain(cell: &str) -> Option<String> {
    let quoted = cell.strip_prefix('`').and_then(|c| c.strip_suffix('`'));
    let v = quoted.unwrap_or(cell);
    if v.is_empty() || v.contains(['`', ' ', '(', ',']) {
        return None;
    }
    if let Ok(n) = v.parse::<f64>() {
        return Some(format!("{n}"));
    }
    if v == "true" || v == "false" {
        return Some(v.to_string());
    }
    // A choice or a text is written in backticks; a bare word ("required",
    // "none") is no value.
    quoted?;
    if let Some(text) = v.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
        return Some(format!("text:{text}"));
    }
    v.chars().all(|c| c.is_ascii_alphanumeric() || c == '_').then(|| v.replace('_', "").to_lowercase())
}

/// A checked value, normalised as [`plain`] does.
fn plain_value(v: &serde_json::Value) -> Option<String> {
    use serde_json::Value;
    match v {
        Value::Number(n) => n.as_f64().map(|n| format!("{n}")),
        Value::Bool(b) => Some(b.to_string()),
        Value::String(s) => Some(if s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') && !s.is_empty() {
            s.replace('_', "").to_lowercase()
        } else {
            format!("text:{s}")
        }),
        _ => None,
    }
}

#[test]
fn the_documented_defaults_are_the_defaults() {
    let scenario = load_str("defaults", DEFAULTS, &[]).unwrap_or_else(|e| panic!("DEFAULTS:\n{e}"));
    let parameters = serde_json::to_value(&scenario).expect("the scenario serialises");
    // The checked value of every field by its file path (one element of
    // each list).
    let mut values: BTreeMap<String, serde_json::Value> = BTreeMap::new();
    fn walk(v: &serde_json::Value, path: &str, out: &mut BTreeMap<String, serde_json::Value>) {
        use serde_json::Value;
        let join = |k: &str| if path.is_empty() { k.to_string() } else { format!("{path}.{k}") };
        match v {
            Value::Object(m) => m.iter().for_each(|(k, v)| walk(v, &join(k), out)),
            Value::Array(items) if items.iter().any(Value::is_object) => walk(&items[0], &format!("{path}[0]"), out),
            v => {
                out.insert(file_path(&generic(path)), v.clone());
            }
        }
    }
    walk(&parameters, "", &mut values);
    let mut compared = 0;
    let mut problems = Vec::new();
    for row in doc_rows() {
        let Some(documented) = plain(&row.cells["default"]) else { continue };
        let Some(value) = values.get(&row.path) else { continue };
        let Some(actual) = plain_value(value) else { continue };
        compared += 1;
        if documented != actual {
            problems.push(format!(
                "line {}: {}: the doc says {}, the code gives {value}",
                row.line, row.path, row.cells["default"]
            ));
        }
    }
    assert!(problems.is_empty(), "docs/scenario-format.md, column `default`:\n  {}", problems.join("\n  "));
    assert!(compared > 100, "only {compared} defaults compared: is the default column still plain values?");
}
