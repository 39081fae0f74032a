//! Bad scenarios are caught with file, line, column, field and what was
//! expected; every range problem is reported at once.

use mando::scenario::{self, Diagnostic, Origin, Override, ScenarioError};

use crate::common::*;

fn problems(file: &str) -> Vec<Diagnostic> {
    match scenario::load_file(&fixture(file), &[]) {
        Ok(_) => panic!("{file} should be invalid"),
        Err(ScenarioError::Invalid(d)) => d,
        Err(e) => panic!("{file}: unexpected error {e}"),
    }
}

/// (line, column, field, a fragment of the message) of each problem.
fn places(file: &str) -> Vec<(usize, usize, String, String)> {
    problems(file)
        .into_iter()
        .map(|d| match d.origin {
            Origin::File { file: f, line, column } => {
                assert!(f.ends_with(file), "{f}");
                (line, column, d.field, d.message)
            }
            Origin::Override { argument } => panic!("unexpected override origin {argument}"),
        })
        .collect()
}

fn assert_place(got: &(usize, usize, String, String), line: usize, column: usize, field: &str, says: &str) {
    assert_eq!((got.0, got.1, got.2.as_str()), (line, column, field), "{got:?}");
    assert!(got.3.contains(says), "message {:?} should say {says:?}", got.3);
}

#[test]
fn syntax_error_points_at_the_missing_colon() {
    let p = places("syntax_error.ron");
    assert_eq!(p.len(), 1);
    assert_place(&p[0], 6, 20, "civilians", "expected colon");
}

#[test]
fn unknown_field_is_named_with_the_fields_expected() {
    let p = places("unknown_field.ron");
    assert_eq!(p.len(), 1);
    assert_place(&p[0], 6, 9, "civilians.legitimcy", "unknown field `legitimcy`");
    assert!(p[0].3.contains("legitimacy"), "should list the right name: {}", p[0].3);
}

#[test]
fn wrong_type_says_what_was_expected() {
    let p = places("wrong_type.ron");
    assert_eq!(p.len(), 1);
    assert_place(&p[0], 4, 24, "map.width_cells", "expected a whole number");
}

#[test]
fn every_value_out_of_range_is_reported_at_once() {
    let p = places("out_of_range.ron");
    assert_eq!(p.len(), 3, "{p:?}");
    assert_place(&p[0], 6, 21, "civilians.legitimacy", "from 0 to 1, found 1.5");
    assert_place(&p[1], 7, 20, "civilians.threshold", "found -0.2");
    assert_place(&p[2], 10, 28, "police.vision_cells", "found 0");
}

#[test]
fn inconsistent_densities_are_caught() {
    let p = places("inconsistent_densities.ron");
    assert_eq!(p.len(), 1);
    assert_place(&p[0], 6, 23, "police.density", "400 open cells");
}

#[test]
fn terrain_rows_are_checked_one_by_one() {
    let p = places("bad_terrain.ron");
    assert_eq!(p.len(), 2, "{p:?}");
    assert_place(&p[0], 10, 13, "map.terrain[1]", "expected 6 cells");
    assert_place(&p[1], 11, 13, "map.terrain[2]", "unknown terrain `X`");
}

#[test]
fn scheduled_changes_are_checked_like_the_file() {
    let p = places("bad_changes.ron");
    assert_eq!(p.len(), 2, "{p:?}");
    assert_place(&p[0], 8, 29, "changes[0].path", "cannot change during a run");
    assert_place(&p[1], 9, 60, "changes[1].value", "from 0 to 1, found 1.7");
}

#[test]
fn overrides_are_checked_like_the_file_and_named_in_errors() {
    let sets = ["civilians.legitimacy=2", "police.vison_cells=3", "map.edges=Torus"];
    let overrides: Vec<Override> = sets.iter().map(|s| Override::parse(s).unwrap()).collect();
    let err = scenario::load_default(&overrides).unwrap_err();
    let d = err.diagnostics();
    let by_arg = |arg: &str| {
        d.iter()
            .find(|p| p.origin == Origin::Override { argument: format!("--set {arg}") })
            .unwrap_or_else(|| panic!("no problem reported for {arg}: {d:?}"))
    };
    assert!(by_arg("police.vison_cells=3").message.contains("unknown field `vison_cells`"));
    assert!(by_arg("map.edges=Torus").message.contains("unknown name `Torus`"));
    let l = by_arg("civilians.legitimacy=2");
    assert_eq!(l.field, "civilians.legitimacy");
    assert!(l.message.contains("from 0 to 1"));
    // Rendered as the user typed it.
    assert!(err.to_string().contains("--set civilians.legitimacy=2: civilians.legitimacy:"), "{err}");
}

#[test]
fn a_vision_too_wide_for_a_wrapped_map_names_its_field_once() {
    let sets = ["map.width_cells=10", "map.height_cells=10", "civilians.vision_cells=5"];
    let overrides: Vec<Override> = sets.iter().map(|s| Override::parse(s).unwrap()).collect();
    let err = scenario::load_default(&overrides).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("--set civilians.vision_cells=5: civilians.vision_cells: vision 5 does not fit"), "{text}");
    assert_eq!(text.matches("civilians.vision_cells").count(), 2, "{text}");
}

#[test]
fn an_override_wins_over_its_alternative_in_the_file() {
    // The default scenario gives civilians.density; a count replaces it.
    let s = scenario_with(&["civilians.count=500"]);
    assert_eq!(s.civilians.count, 500);
    assert_eq!(s.civilians.density, None);
}

#[test]
fn a_missing_file_is_an_error_not_a_panic() {
    let err = scenario::load_file(&fixture("does_not_exist.ron"), &[]).unwrap_err();
    assert!(matches!(err, ScenarioError::Io { .. }));
}

#[test]
fn garbage_never_panics() {
    // Truncations and byte flips of a real scenario: each must give Ok or a
    // located error, never a panic.
    let text = std::fs::read_to_string(repo().join("scenarios/epstein_classic.ron")).unwrap();
    let cuts = (0..text.len()).step_by(7).filter(|&i| text.is_char_boundary(i));
    for i in cuts {
        let _ = scenario::load_str("cut.ron", &text[..i], &[]);
        let mut flipped = text.clone().into_bytes();
        flipped[i] = b"(:,)\"[x9"[i % 8];
        if let Ok(t) = String::from_utf8(flipped) {
            let _ = scenario::load_str("flip.ron", &t, &[]);
        }
    }
}

#[test]
fn regressions_found_while_writing_the_docs() {
    let base = |extra: &str| {
        format!(
            "Scenario(metadata: (name: \"r\", ticks: 10{extra}), map: (width_cells: 20, height_cells: 20), \
             civilians: (vision_cells: 3), police: (vision_cells: 3), \
             changes: [(at_tick: 0, path: \"civilians.legitimacy\", value: 0.5)])"
        )
    };
    // A change at tick 0 would never apply: it is refused.
    let d = scenario::load_str("r.ron", &base(""), &[]).unwrap_err().diagnostics();
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].field, "changes[0].at_tick");
    // A decimal point in a whole number says so.
    let d = scenario::load_str("r.ron", &base(".0"), &[]).unwrap_err().diagnostics();
    assert!(d[0].message.contains("whole number"), "{:?}", d[0]);
    // A list element the file does not write cannot be set.
    let o = Override::parse("changes[4].value=1").unwrap();
    let d = scenario::load_default(&[o]).unwrap_err().diagnostics();
    assert!(d[0].message.contains("cannot add new ones"), "{:?}", d[0]);
    // Dedicated flags are named as the user typed them.
    let o = Override::from_flag("metadata.ticks", 0, "--ticks");
    let e = scenario::load_default(&[o]).unwrap_err();
    assert!(e.to_string().starts_with("--ticks 0: metadata.ticks:"), "{e}");
}

#[test]
fn extreme_values_are_errors_not_panics() {
    let doc = |civilians: &str, changes: &str| {
        format!(
            "Scenario(metadata: (name: \"x\", ticks: 10), map: (width_cells: 20, height_cells: 20), \
             civilians: ({civilians}), police: (density: 0.1, vision_cells: 3), changes: [{changes}])"
        )
    };
    let load = |text: String| scenario::load_str("x.ron", &text, &[]);
    // Vision far beyond the map: one problem, no overflow.
    let d = load(doc("vision_cells: 4294967295", "")).unwrap_err().diagnostics();
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].field, "civilians.vision_cells");
    // A jail term near u32::MAX is refused (it would overflow a tick).
    let d = load(doc("vision_cells: 3, max_jail_term_ticks: 4294967295", "")).unwrap_err().diagnostics();
    assert_eq!(d[0].field, "civilians.max_jail_term_ticks");
    // A change at the last representable tick never applies; no overflow.
    let late = "(at_tick: 4294967295, path: \"civilians.legitimacy\", value: 0.5, over_ticks: 2)";
    assert!(load(doc("vision_cells: 3", late)).is_ok());
    // An absurd ramp is refused at once instead of filling memory.
    let long = "(at_tick: 1, path: \"civilians.legitimacy\", value: 0.5, over_ticks: 4000000000)";
    let d = load(doc("vision_cells: 3", long)).unwrap_err().diagnostics();
    assert_eq!(d[0].field, "changes[0].over_ticks");
    // A ramp to a bad value is reported once, even if it ends after the run.
    let bad = "(at_tick: 5, path: \"civilians.legitimacy\", value: 1.5, over_ticks: 100)";
    let d = load(doc("vision_cells: 3", bad)).unwrap_err().diagnostics();
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].field, "changes[0].value");
}

#[test]
fn a_bad_value_names_its_own_field_and_where_it_starts() {
    let text = "Scenario(\n  metadata: (name: \"x\", ticks: 10.0),\n  map: (width_cells: 20, height_cells: 20),\n  civilians: (vision_cells: 3),\n  police: (vision_cells: 3),\n)";
    let d = scenario::load_str("x.ron", text, &[]).unwrap_err().diagnostics();
    assert_eq!(d[0].field, "metadata.ticks");
    assert_eq!(d[0].origin, Origin::File { file: "x.ron".into(), line: 2, column: 32 });
    assert!(d[0].message.contains("without a decimal point"));
}

#[test]
fn a_byte_order_mark_is_accepted() {
    let text = std::fs::read_to_string(repo().join("scenarios/epstein_classic.ron")).unwrap();
    assert!(scenario::load_str("bom.ron", &format!("\u{feff}{text}"), &[]).is_ok());
}

#[test]
fn an_override_that_is_not_one_value_is_blamed_on_the_argument() {
    for arg in ["civilians.legitimacy=0.5)", "metadata.name=\"a", "metadata.name=\"a\" // x"] {
        let err = scenario::load_default(&[Override::parse(arg).unwrap()]).unwrap_err();
        let d = err.diagnostics();
        assert_eq!(d.len(), 1, "{arg}: {d:?}");
        assert_eq!(d[0].origin, Origin::Override { argument: format!("--set {arg}") }, "{arg}");
    }
}

#[test]
fn operation_sections_report_every_problem_with_its_place() {
    let p = places("bad_operation.ron");
    let fields: Vec<&str> = p.iter().map(|x| x.2.as_str()).collect();
    assert_eq!(
        fields,
        vec![
            "map.terrain[1]",
            "map.sites[1].symbol",
            "forces.units[0].at",
            "forces.units[0].crowd_training",
            "command.pnp_echelons",
            "command.lost_message_probability",
            "law.zones[0].width_cells",
        ],
        "{p:?}"
    );
    assert_place(&p[0], 8, 29, "map.terrain[1]", "unknown terrain `X`");
    assert_place(&p[1], 9, 67, "map.sites[1].symbol", "expected a capital letter");
    assert_place(&p[2], 13, 66, "forces.units[0].at", "(2, 0) is a building");
    assert_place(&p[3], 13, 90, "forces.units[0].crowd_training", "from 0 to 1");
    assert_place(&p[4], 14, 29, "command.pnp_echelons", "from 1 to 8");
    assert_place(&p[5], 14, 58, "command.lost_message_probability", "from 0 up to (not including) 0.95");
    assert_place(&p[6], 15, 60, "law.zones[0].width_cells", "from 1 to 6");
}

#[test]
fn an_unknown_command_model_lists_the_models() {
    let o = Override::parse("command.model=joint").unwrap();
    let text = std::fs::read_to_string(repo().join("scenarios/mining_corridor_blockade.ron")).unwrap();
    match scenario::load_str("mining.ron", &text, &[o]) {
        Err(ScenarioError::Invalid(d)) => {
            assert_eq!(d.len(), 1, "{d:?}");
            assert_eq!(d[0].field, "command.model");
            for model in ["pnp_lead", "ffaa_control", "unified", "parallel"] {
                assert!(d[0].message.contains(model), "{}", d[0].message);
            }
        }
        other => panic!("expected an invalid model, got {other:?}"),
    }
}

#[test]
fn a_unit_may_not_start_on_an_officers_fixed_cell() {
    let text = r#"Scenario(
    metadata: (name: "overlap"),
    map: (width_cells: 10, height_cells: 10, edges: Bounded),
    civilians: (count: 5),
    police: (positions: [(5, 5)]),
    forces: (units: [(name: "p", kind: PnpPatrol, at: (5, 5))]),
)"#;
    match scenario::load_str("overlap.ron", text, &[]) {
        Err(ScenarioError::Invalid(d)) => {
            assert_eq!(d.len(), 1, "{d:?}");
            assert_eq!(d[0].field, "forces.units[0].at");
            assert!(d[0].message.contains("officer's cell"), "{}", d[0].message);
            assert!(matches!(d[0].origin, Origin::File { line: 6, column: 55, .. }), "{:?}", d[0].origin);
        }
        other => panic!("expected the overlap to be reported, got {other:?}"),
    }
}

#[test]
fn two_sites_or_two_gatherings_of_one_name_are_refused() {
    for (set, field, says) in [
        ("map.sites[1].name=\"Mine gate and processing plant\"", "map.sites[1].name", "names another site already"),
        ("crowd.gatherings[2].name=\"Town plaza\"", "crowd.gatherings[2].name", "names another gathering already"),
    ] {
        let file = repo().join("scenarios/mining_corridor_blockade.ron");
        let err = scenario::load_file(&file, &[Override::parse(set).unwrap()]).unwrap_err();
        let d = err.diagnostics();
        assert!(d.iter().any(|p| p.field == field && p.message.contains(says)), "{set}: {err}");
    }
}
