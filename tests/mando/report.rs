//! `mando report` (issue 20): one self-contained page from a run folder
//! (headline, timeline, charts, map, logs) or a compare/sweep folder
//! (distributions, forest plots, Pareto front, responses); `--figures`
//! writes the charts as SVG files; a folder that is neither is refused
//! with nothing written. The browser checks (console, requests, pixels)
//! are in `scripts/browser_check.py`, run by `.ci/run`.

use std::path::Path;
use std::process::{Command, Output};

use crate::common::*;

fn mando(args: &[&str]) -> Output {
    Command::new(bin()).args(args).current_dir(repo()).output().unwrap()
}

fn ok(args: &[&str]) -> String {
    let out = mando(args);
    assert!(out.status.success(), "mando {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The page's text with minijinja's HTML escapes undone.
fn unescape(html: &str) -> String {
    html.replace("&#x27;", "'")
        .replace("&#x2f;", "/")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The figure with `id` in the page, up to its end.
fn figure<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("no figure {id}"));
    let end = html[start..].find("</figure>").expect("figure closed") + start;
    &html[start..end]
}

/// Circles drawn hollow in an SVG.
fn hollow(svg: &str) -> usize {
    svg.split("<circle").skip(1).filter(|c| c.split('>').next().unwrap().contains("fill=\"none\"")).count()
}

/// Nothing the page refers to lies outside it: the only addresses in it
/// are the SVG namespace's, which is a name, not a request.
fn assert_self_contained(html: &str) {
    for (i, _) in html.match_indices("http") {
        let rest = &html[i..(i + 40).min(html.len())];
        assert!(rest.starts_with("http://www.w3.org/"), "an address in the page: {rest}");
    }
    for pattern in ["src=\"", "href=\"", "@import", "url("] {
        assert!(!html.contains(pattern), "the page loads something: {pattern}");
    }
}

#[test]
fn a_run_report_is_one_page_with_the_headline_timeline_charts_map_and_logs() {
    let dir = temp_dir("report-run");
    let (run, figures) = (dir.join("run"), dir.join("figures"));
    let said = ok(&["run", "scenarios/mining_corridor_blockade.ron", "--ticks", "300", "--out", s(&run)]);
    let printed = ok(&["report", s(&run), "--figures", s(&figures)]);
    assert!(printed.contains("report.html"), "{printed}");
    let html = String::from_utf8(read(&run.join("report.html"))).unwrap();
    assert_self_contained(&html);
    // The headline is the one `mando run` printed, sentence for sentence.
    let text = unescape(&html);
    let headline: Vec<&str> = said.lines().take_while(|l| !l.starts_with("Seed ")).collect();
    assert!(headline.len() >= 8, "{said}");
    for sentence in headline {
        assert!(text.contains(&format!("<p>{sentence}</p>")), "not in the page: {sentence}");
    }
    // Every chart is there, drawn, and is the file --figures wrote.
    for id in ["timeline", "crowd", "harm", "legitimacy", "orders", "latency", "map"] {
        let fig = figure(&html, &format!("fig-{id}"));
        assert!(fig.matches("<rect").count() + fig.matches("<polyline").count() > 5, "{id} is empty");
        let file = String::from_utf8(read(&figures.join(format!("{id}.svg")))).unwrap();
        assert!(fig.contains(file.trim()), "{id}.svg is not the page's chart");
    }
    // The map shows where the crowd was (heat), where force was used and
    // where units went, as the events say.
    let map = figure(&html, "fig-map");
    assert!(map.contains("fill=\"#C81E14\""), "no crowd heat on the map");
    let events = String::from_utf8(read(&run.join("events.jsonl"))).unwrap();
    let uses = events.lines().filter(|l| l.contains("\"kind\":\"use_of_force\"")).count();
    let lethal = events.lines().filter(|l| l.contains("\"force\":\"lethal_force\"")).count();
    assert!(uses > 0, "no force in 300 ticks");
    // Circles (non-lethal) and crosses (two lines each, lethal) by use.
    assert_eq!(map.matches("<circle").count(), uses - lethal, "one mark per non-lethal use of force");
    // The use-of-force log has a row per use, the units their names.
    assert_eq!(html.matches("data-flagged=").count(), uses);
    let units = String::from_utf8(read(&run.join("units.csv"))).unwrap();
    for line in units.lines().skip(1) {
        let name = line.split(',').nth(1).unwrap();
        assert!(text.contains(&format!("<td>{name}</td>")), "unit {name} not listed");
    }
    // Moments: the peak and each quarter of the run.
    assert!(html.matches("id=\"fig-moment-").count() >= 4);
    // The same folder gives the same page.
    let again = dir.join("again.html");
    ok(&["report", s(&run), "-o", s(&again), "--quiet"]);
    assert!(read(&again) == html.as_bytes(), "the report is not reproducible");
}

#[test]
fn a_comparison_report_draws_each_condition_its_differences_and_censored_runs_hollow() {
    let dir = temp_dir("report-compare");
    let out = dir.join("cmp");
    ok(&[
        "compare",
        "scenarios/substation_under_threat.ron",
        "--vary",
        "command.model=pnp_lead,unified",
        "--reps",
        "3",
        "--quiet",
        "--out",
        s(&out),
    ]);
    ok(&["report", s(&out), "--quiet"]);
    let html = String::from_utf8(read(&out.join("report.html"))).unwrap();
    assert_self_contained(&html);
    let deaths = figure(&html, "fig-headline-deaths-distribution");
    // One dot per replication and condition, filled: deaths are never
    // censored.
    assert_eq!(deaths.matches("<circle").count(), 6);
    assert_eq!(hollow(deaths), 0);
    figure(&html, "fig-headline-deaths-forest");
    figure(&html, "fig-pareto");
    // Time to restore order is censored where order never returned: those
    // runs are hollow, the others filled.
    let runs = String::from_utf8(read(&out.join("runs.jsonl"))).unwrap();
    let censored = runs.lines().filter(|l| l.contains("\"headline.order_not_restored\":1")).count();
    let time = figure(&html, "fig-headline-minutes-to-restore-order-or-end-distribution");
    assert_eq!(time.matches("<circle").count(), 6);
    let hollow =
        time.split("<circle").skip(1).filter(|c| c.split('>').next().unwrap().contains("fill=\"none\"")).count();
    assert_eq!(hollow, censored, "censored runs must be drawn hollow");
}

#[test]
fn a_sweep_report_shows_each_headline_metric_against_each_parameter() {
    let dir = temp_dir("report-sweep");
    let out = dir.join("sweep");
    ok(&["sweep", "tests/fixtures/sweeps/small_grid.ron", "--quiet", "--out", s(&out)]);
    let printed = ok(&["report", s(&out), "--figures", s(&dir.join("fig"))]);
    assert!(printed.starts_with("Sweep report"), "{printed}");
    let html = String::from_utf8(read(&out.join("report.html"))).unwrap();
    // A choice (command.model) by its values, a number (legitimacy) as a
    // response curve: four headline metrics each.
    for param in ["command-model", "civilians-legitimacy"] {
        for metric in ["deaths", "excessive-force-rate", "order-not-restored", "minutes-to-restore-order-or-end"] {
            figure(&html, &format!("fig-response-{param}-{metric}"));
            assert!(dir.join("fig").join(format!("response-{param}-{metric}.svg")).is_file());
        }
    }
}

#[test]
fn a_folder_that_holds_no_run_is_refused_and_nothing_is_written() {
    let dir = temp_dir("report-bad");
    let out = mando(&["report", s(&dir)]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(s(&dir)) && err.contains("not a run or batch folder"), "{err}");
    assert!(!dir.join("report.html").exists());
    // A summary cut short names its file, line and column.
    std::fs::write(dir.join("summary.json"), "{\n  \"headline\": {\n    \"minutes\": ").unwrap();
    let out = mando(&["report", s(&dir)]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("summary.json") && err.contains("line 3, column"), "{err}");
    assert!(!dir.join("report.html").exists(), "nothing written on bad input");
    // A run folder whose time series is not mando's names the file.
    let run = dir.join("run");
    ok(&["run", "--ticks", "5", "--quiet", "--out", s(&run)]);
    std::fs::write(run.join("timeseries.csv"), "garbage\n1,2\n").unwrap();
    let out = mando(&["report", s(&run)]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("timeseries.csv: line 1, column 1"), "{err}");
    assert!(!run.join("report.html").exists());
}
