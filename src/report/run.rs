//! The after-action report of one run, from its folder: `summary.json`,
//! `timeseries.csv`, `events.jsonl`, `units.csv` and `map.json`.

use std::collections::BTreeMap;
use std::path::Path;

use plotters::style::RGBColor;
use serde::Serialize;
use serde_json::Value;

use super::charts::{self, Band, CIVILIAN, FFAA, MapLayers, Mark, PALETTE, PNP, Series};
use super::{Figure, ReportError, read_json, read_text};
use crate::metrics::headline::{Headline, duration};
use crate::metrics::map::MapFile;
use crate::metrics::output::{EVENTS, MAP, SUMMARY, TIMESERIES, UNITS};

/// What the page shows for a run.
#[derive(Serialize)]
pub struct RunPage {
    pub title: String,
    pub description: String,
    pub facts: Vec<(String, String)>,
    pub headline: Vec<String>,
    pub figures: Vec<Figure>,
    pub maps: Vec<Figure>,
    pub moments: Vec<Figure>,
    pub force_log: Vec<ForceRow>,
    pub force_log_cut: Option<usize>,
    pub orders: Vec<OrderRow>,
    pub orders_cut: Option<usize>,
    pub units: Vec<UnitRow>,
}

#[derive(Serialize)]
pub struct ForceRow {
    pub time: String,
    pub unit: String,
    pub agency: String,
    pub task: String,
    pub force: String,
    pub perceived: String,
    pub truth: String,
    pub misread: bool,
    pub affected: u64,
    pub harm: String,
    pub excessive: bool,
    pub indiscriminate: bool,
    pub authority: String,
    /// The violation an inquiry would find, if any.
    pub unlawful: String,
}

#[derive(Serialize)]
pub struct OrderRow {
    pub id: u64,
    pub issued: String,
    pub by: String,
    pub unit: String,
    pub task: String,
    pub hops: u64,
    pub outcome: String,
    pub latency: String,
}

#[derive(Serialize)]
pub struct UnitRow {
    pub id: u32,
    pub name: String,
    pub agency: String,
    pub kind: String,
    pub personnel: String,
    pub commander: String,
}

/// Rows kept in a table before it is cut (the full log stays in the files).
const TABLE_ROWS: usize = 3000;

/// A run's data, read from its folder.
struct RunFolder {
    summary: Value,
    headline: Headline,
    /// Column names and rows of `timeseries.csv`.
    columns: Vec<String>,
    rows: Vec<Vec<String>>,
    events: Vec<Value>,
    units: Vec<BTreeMap<String, String>>,
    map: Option<MapFile>,
    minutes_per_tick: f64,
}

fn load(dir: &Path) -> Result<RunFolder, ReportError> {
    let summary: Value = read_json(&dir.join(SUMMARY))?;
    let headline: Headline = serde_json::from_value(summary["headline"].clone()).map_err(|e| ReportError::Format {
        file: dir.join(SUMMARY).display().to_string(),
        message: format!("its `headline` block: {e} (written by an older mando? run the scenario again)"),
    })?;
    let ts = read_text(&dir.join(TIMESERIES))?;
    let mut lines = ts.lines();
    let columns: Vec<String> = lines.next().unwrap_or_default().split(',').map(str::to_string).collect();
    if columns.first().map(String::as_str) != Some("tick") {
        return Err(ReportError::Format {
            file: dir.join(TIMESERIES).display().to_string(),
            message: "line 1, column 1: expected the header `tick,quiescent,active,…` written by `mando run`".into(),
        });
    }
    let rows = lines.map(|l| l.split(',').map(str::to_string).collect()).collect();
    let mut events = Vec::new();
    let events_path = dir.join(EVENTS);
    for (i, line) in read_text(&events_path)?.lines().enumerate() {
        events.push(serde_json::from_str(line).map_err(|e| ReportError::Format {
            file: events_path.display().to_string(),
            message: format!("line {}: {e}", i + 1),
        })?);
    }
    let units_path = dir.join(UNITS);
    let units = if units_path.exists() { parse_csv(&read_text(&units_path)?) } else { Vec::new() };
    let map_path = dir.join(MAP);
    let map = if map_path.exists() { Some(read_json(&map_path)?) } else { None };
    let minutes_per_tick = summary["parameters"]["metadata"]["minutes_per_tick"].as_f64().unwrap_or(1.0);
    Ok(RunFolder { summary, headline, columns, rows, events, units, map, minutes_per_tick })
}

/// Rows of a CSV with a header, as maps (quoted fields allowed).
fn parse_csv(text: &str) -> Vec<BTreeMap<String, String>> {
    let mut lines = text.lines();
    let header = split_csv(lines.next().unwrap_or_default());
    lines.map(|l| header.iter().cloned().zip(split_csv(l)).collect()).collect()
}

fn split_csv(line: &str) -> Vec<String> {
    let (mut out, mut field, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(std::mem::take(&mut field)),
            _ => field.push(c),
        }
    }
    out.push(field);
    out
}

impl RunFolder {
    fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }

    /// A numeric column against hours.
    fn series(&self, name: &str) -> Vec<(f64, f64)> {
        let Some(c) = self.column(name) else { return Vec::new() };
        self.rows.iter().filter_map(|r| Some((self.hours(r[0].parse().ok()?), r.get(c)?.parse().ok()?))).collect()
    }

    fn hours(&self, tick: f64) -> f64 {
        tick * self.minutes_per_tick / 60.0
    }

    fn time(&self, tick: u64) -> String {
        let minutes = tick as f64 * self.minutes_per_tick;
        format!("{}:{:02}", (minutes / 60.0).floor(), (minutes % 60.0).round() as u64)
    }

    fn unit_name(&self, id: Option<u64>) -> String {
        let Some(id) = id else { return String::new() };
        self.units.get(id as usize).and_then(|u| u.get("name").cloned()).unwrap_or_else(|| format!("unit {id}"))
    }

    fn kinds<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
        self.events.iter().filter(move |e| e["kind"] == kind)
    }

    /// Spans of a named column's values, as a band.
    fn band(&self, name: &str, label: &str, states: &[(&str, RGBColor)]) -> Option<Band> {
        let c = self.column(name)?;
        let mut spans: Vec<(f64, f64, usize)> = Vec::new();
        let step = self.minutes_per_tick / 60.0;
        for r in &self.rows {
            let (Some(t), Some(v)) = (r[0].parse::<f64>().ok(), r.get(c)) else { continue };
            let s = states.iter().position(|(n, _)| n == v).unwrap_or(states.len());
            let (a, b) = (self.hours(t), self.hours(t) + step);
            match spans.last_mut() {
                Some(last) if last.2 == s => last.1 = b,
                _ => spans.push((a, b, s)),
            }
        }
        Some(Band { name: label.into(), spans })
    }
}

const REGIMES: [(&str, RGBColor); 5] = [
    ("normal", RGBColor(205, 225, 205)),
    ("emergency_support", RGBColor(250, 210, 120)),
    ("emergency_control", RGBColor(240, 150, 80)),
    ("hostile_group", RGBColor(200, 70, 60)),
    ("siege", RGBColor(130, 40, 60)),
];
const PHASES: [(&str, RGBColor); 5] = [
    ("early", RGBColor(220, 230, 240)),
    ("escalation", RGBColor(250, 190, 150)),
    ("crisis", RGBColor(215, 60, 50)),
    ("de_escalation", RGBColor(160, 200, 230)),
    ("dialogue", RGBColor(150, 210, 170)),
];

fn agency_color(agency: &str) -> RGBColor {
    match agency {
        "pnp" => PNP,
        "ffaa" => FFAA,
        _ => CIVILIAN,
    }
}

/// The size a use of force is drawn at on the map, by its level.
fn force_radius(force: &str) -> (u32, bool) {
    match force {
        "presence" | "verbal" => (2, false),
        "contact_control" => (3, false),
        "physical_control" => (4, false),
        "non_lethal_defensive_tactics" => (5, false),
        "lethal_force" => (5, true),
        _ => (4, false),
    }
}

/// Builds the page for the run in `dir`.
pub fn page(dir: &Path) -> Result<RunPage, ReportError> {
    let f = load(dir)?;
    let name = f.summary["scenario"].as_str().unwrap_or("run").to_string();
    let meta = &f.summary["parameters"]["metadata"];
    let hours = f.headline.minutes / 60.0;
    let mut figures = Vec::new();
    let chart = |name: &str, caption: &str, svg: Result<String, String>| -> Result<Figure, ReportError> {
        Ok(Figure { name: name.into(), caption: caption.into(), svg: svg.map_err(ReportError::Chart)? })
    };

    // The timeline.
    let mut bands = Vec::new();
    let states: Vec<(&str, RGBColor)> = REGIMES.iter().chain(PHASES.iter()).copied().collect();
    bands.extend(f.band("regime", "legal regime", &states));
    bands.extend(f.band("phase", "escalation phase", &states));
    let mut marks = Vec::new();
    for e in f.kinds("decree_signed") {
        let when = e["effective_tick"].as_u64().map(|t| f.time(t)).unwrap_or_default();
        marks.push(Mark {
            hour: f.hours(e["tick"].as_f64().unwrap_or(0.0)),
            label: format!("decree: {} from {when}", e["regime"].as_str().unwrap_or("").replace('_', " ")),
        });
    }
    for e in f.kinds("regime_changed") {
        marks.push(Mark {
            hour: f.hours(e["tick"].as_f64().unwrap_or(0.0)),
            label: format!(
                "in force: {} ({})",
                e["to"].as_str().unwrap_or("").replace('_', " "),
                e["zone"].as_str().unwrap_or("")
            ),
        });
    }
    if let Some(first) = f.kinds("armed_attack").next() {
        let n = f.kinds("armed_attack").count();
        marks.push(Mark {
            hour: f.hours(first["tick"].as_f64().unwrap_or(0.0)),
            label: format!("armed attack on {} ({n} in all)", f.unit_name(first["unit"].as_u64())),
        });
    }
    if let Some(c) = f.headline.operation.as_ref().and_then(|o| o.first_crisis_minute) {
        marks.push(Mark { hour: c / 60.0, label: "first crisis".into() });
    }
    // Decisions taken and changes made during the run (the classroom's).
    for (kind, what, a, b, sep) in
        [("decision_taken", "decision", "decision", "choice", ":"), ("change_made", "changed:", "path", "value", " →")]
    {
        for e in f.kinds(kind) {
            let (x, y) = (e[a].as_str().unwrap_or(""), e[b].as_str().unwrap_or(""));
            marks
                .push(Mark { hour: f.hours(e["tick"].as_f64().unwrap_or(0.0)), label: format!("{what} {x}{sep} {y}") });
        }
    }
    if let Some(changes) = f.summary["parameters"]["changes"].as_array() {
        for c in changes {
            marks.push(Mark {
                hour: f.hours(c["at_tick"].as_f64().unwrap_or(0.0)),
                label: format!("scheduled: {} → {}", c["path"].as_str().unwrap_or(""), c["value"]),
            });
        }
    }
    marks.sort_by(|a, b| a.hour.total_cmp(&b.hour));
    if !bands.is_empty() || !marks.is_empty() {
        figures.push(chart(
            "timeline",
            "The legal regime and escalation phase over the run, with decrees, scheduled changes and key events.",
            charts::timeline(&bands, &states, &marks, hours),
        )?);
    }

    // Crowd states.
    let series = |name: &str, col: &str, color: RGBColor| Series {
        name: name.into(),
        color,
        points: f.series(col),
        dashed: false,
    };
    figures.push(chart(
        "crowd",
        "How many civilians were quiescent, active and detained, tick by tick.",
        charts::lines(
            "Crowd states",
            "people",
            &[
                series("quiescent", "quiescent", PALETTE[0]),
                series("active", "active", PALETTE[2]),
                series("detained", "jailed", PALETTE[6]),
            ],
        ),
    )?);

    // Harm by side, cumulative, from the events.
    let with_operation = f.headline.operation.is_some();
    if with_operation {
        let mut harm: BTreeMap<(&str, bool), Vec<(f64, f64)>> = BTreeMap::new();
        let mut totals: BTreeMap<(&str, bool), f64> = BTreeMap::new();
        let mut add = |side: &'static str, dead: bool, tick: f64, n: f64| {
            if n > 0.0 {
                let t = totals.entry((side, dead)).or_default();
                *t += n;
                harm.entry((side, dead)).or_default().push((f.hours(tick), *t));
            }
        };
        for e in &f.events {
            let tick = e["tick"].as_f64().unwrap_or(0.0);
            match e["kind"].as_str() {
                Some("use_of_force") => {
                    let h = &e["harm"];
                    add("civilian", true, tick, h["dead"].as_f64().unwrap_or(0.0));
                    add(
                        "civilian",
                        false,
                        tick,
                        h["injured"].as_f64().unwrap_or(0.0) + h["disabled"].as_f64().unwrap_or(0.0),
                    );
                }
                Some("casualty") => {
                    let side = match e["side"].as_str() {
                        Some("pnp") => "pnp",
                        Some("ffaa") => "ffaa",
                        _ => "civilian",
                    };
                    add(side, e["harm"] == "dead", tick, 1.0);
                }
                _ => {}
            }
        }
        let mut lines = Vec::new();
        for (side, label, color) in
            [("civilian", "civilians", CIVILIAN), ("pnp", "police", PNP), ("ffaa", "soldiers", FFAA)]
        {
            for dead in [true, false] {
                let mut points = vec![(0.0, 0.0)];
                points.extend(harm.get(&(side, dead)).cloned().unwrap_or_default());
                let last = points.last().map_or(0.0, |p| p.1);
                points.push((hours, last));
                let what = if dead { "dead" } else { "injured or disabled" };
                lines.push(Series { name: format!("{label} {what}"), color, points, dashed: !dead });
            }
        }
        figures.push(chart(
            "harm",
            "People killed (solid) and injured or disabled (dashed) by side, cumulative.",
            charts::lines("Harm by side", "people", &lines),
        )?);
    }

    // Legitimacy and identity, from the map file's series.
    if let Some(m) = &f.map {
        let per_tick = |xs: &[f32]| xs.iter().enumerate().map(|(t, &v)| (f.hours(t as f64), v as f64)).collect();
        let mut lines = vec![Series {
            name: "legitimacy".into(),
            color: PALETTE[4],
            points: per_tick(&m.mean_legitimacy),
            dashed: false,
        }];
        if !m.mean_identity.is_empty() {
            lines.push(Series {
                name: "identity against the police".into(),
                color: PALETTE[2],
                points: per_tick(&m.mean_identity),
                dashed: false,
            });
        }
        let (title, caption) = if m.mean_identity.is_empty() {
            ("Legitimacy", "The legitimacy the civilians grant the state, 0 to 1 (the scenario's, as scheduled).")
        } else {
            (
                "Legitimacy and identity",
                "The legitimacy the living civilians grant the state (mean) and their shared identity against the \
                 police (mean over the crowd's sectors), 0 to 1.",
            )
        };
        figures.push(chart("legitimacy", caption, charts::lines(title, "mean, 0 to 1", &lines))?);
    }

    // Orders and their latency, per hour.
    let delivered: Vec<(f64, f64)> = f
        .kinds("order_delivered")
        .filter_map(|e| Some((f.hours(e["tick"].as_f64()?), e["latency_minutes"].as_f64()?)))
        .collect();
    if !delivered.is_empty() {
        let per_hour = |points: &[(f64, f64)], mean: bool| {
            let mut by: BTreeMap<u64, (f64, f64)> = BTreeMap::new();
            for &(h, v) in points {
                let e = by.entry(h.floor() as u64).or_default();
                e.0 += v;
                e.1 += 1.0;
            }
            (0..hours.ceil() as u64)
                .map(|h| {
                    let (sum, n) = by.get(&h).copied().unwrap_or_default();
                    (h as f64 + 0.5, if mean { if n > 0.0 { sum / n } else { f64::NAN } } else { n })
                })
                .filter(|p| p.1.is_finite())
                .collect::<Vec<_>>()
        };
        let issued: Vec<(f64, f64)> =
            f.kinds("order_issued").filter_map(|e| Some((f.hours(e["tick"].as_f64()?), 1.0))).collect();
        let lost: Vec<(f64, f64)> =
            f.kinds("order_lost").filter_map(|e| Some((f.hours(e["tick"].as_f64()?), 1.0))).collect();
        figures.push(chart(
            "orders",
            "Orders issued, delivered and lost for good in each hour.",
            charts::lines(
                "Orders per hour",
                "orders",
                &[
                    Series {
                        name: "issued".into(),
                        color: PALETTE[0],
                        points: per_hour(&issued, false),
                        dashed: false,
                    },
                    Series {
                        name: "delivered".into(),
                        color: PALETTE[4],
                        points: per_hour(&delivered, false),
                        dashed: false,
                    },
                    Series { name: "lost".into(), color: PALETTE[2], points: per_hour(&lost, false), dashed: true },
                ],
            ),
        )?);
        figures.push(chart(
            "latency",
            "Minutes from an order's issue to its delivery, mean over the orders delivered in each hour.",
            charts::lines(
                "Order latency",
                "minutes",
                &[Series {
                    name: "mean latency".into(),
                    color: PALETTE[1],
                    points: per_hour(&delivered, true),
                    dashed: false,
                }],
            ),
        )?);
    }

    // The maps.
    let mut maps = Vec::new();
    let mut moments = Vec::new();
    if let Some(m) = &f.map {
        let agency_of = |id: u32| f.units.get(id as usize).and_then(|u| u.get("agency").cloned()).unwrap_or_default();
        let sites = site_labels(m);
        let force: Vec<_> = f
            .kinds("use_of_force")
            .filter_map(|e| {
                let cell = e["cell"].as_array()?;
                let (r, lethal) = force_radius(e["force"].as_str()?);
                let c = (cell.first()?.as_u64()? as u32, cell.get(1)?.as_u64()? as u32);
                Some((c, agency_color(e["agency"].as_str()?), r, lethal))
            })
            .collect();
        let tracks = m
            .tracks
            .iter()
            .map(|(id, pts)| (pts.iter().map(|p| (p[1], p[2])).collect(), agency_color(&agency_of(*id))))
            .collect();
        let heat: Vec<f64> = m.activity.iter().map(|&v| v as f64).collect();
        let layers =
            MapLayers { width: m.width, height: m.height, ground: &m.ground, heat: &heat, force, tracks, sites };
        let legend = [
            ("crowd active (darker: longer)", RGBColor(200, 30, 20)),
            ("police: tracks, force", PNP),
            ("soldiers: tracks, force", FFAA),
            ("road", RGBColor(200, 196, 186)),
            ("building", RGBColor(120, 116, 110)),
            ("base", RGBColor(214, 204, 170)),
            ("site", RGBColor(250, 214, 214)),
        ];
        maps.push(chart(
            "map",
            "Where the crowd was active over the whole run (heat), where each unit went (lines, ending in a square), \
             and where force was used (circles sized by level; crosses for lethal force), by agency.",
            charts::map("The ground over the run", &layers, 860, &legend),
        )?);
        for moment in &m.moments {
            let mut heat = vec![0.0; (m.width * m.height) as usize];
            for &c in &moment.active_cells {
                if let Some(h) = heat.get_mut(c as usize) {
                    *h = 1.0;
                }
            }
            let tick = moment.tick as u64;
            let what = if moment.label == "peak" { "the peak" } else { "a quarter mark" };
            let layers = MapLayers {
                width: m.width,
                height: m.height,
                ground: &m.ground,
                heat: &heat,
                force: Vec::new(),
                tracks: Vec::new(),
                sites: site_labels(m),
            };
            moments.push(chart(
                &format!("moment-{tick}"),
                &format!("{} active at {} ({what}).", moment.active_cells.len(), f.time(tick)),
                charts::map(&format!("Actives at {}", f.time(tick)), &layers, 430, &[]),
            )?);
        }
    }

    // The use-of-force log, with what an inquiry would find.
    let unlawful: BTreeMap<(u64, u64), String> = f
        .kinds("violation")
        .filter_map(|e| {
            Some((
                (e["tick"].as_u64()?, e["unit"].as_u64()?),
                format!("{} ({})", e["violation"].as_str()?.replace('_', " "), e["basis"].as_str().unwrap_or("")),
            ))
        })
        .collect();
    let text = |v: &Value| v.as_str().unwrap_or("").replace('_', " ");
    let all_force: Vec<&Value> = f.kinds("use_of_force").collect();
    let force_log = all_force
        .iter()
        .take(TABLE_ROWS)
        .map(|e| {
            let (tick, unit) = (e["tick"].as_u64().unwrap_or(0), e["unit"].as_u64());
            let h = &e["harm"];
            ForceRow {
                time: f.time(tick),
                unit: f.unit_name(unit),
                agency: text(&e["agency"]),
                task: text(&e["task"]),
                force: text(&e["force"]),
                perceived: text(&e["perceived_resistance"]),
                truth: text(&e["true_resistance"]),
                misread: e["perceived_resistance"] != e["true_resistance"],
                affected: e["affected"].as_u64().unwrap_or(0),
                harm: format!("{}/{}/{}", h["dead"], h["disabled"], h["injured"]),
                excessive: e["excessive"] == true,
                indiscriminate: e["indiscriminate"] == true,
                authority: text(&e["authority"]),
                unlawful: unit
                    .and_then(|u| unlawful.get(&(tick, u)))
                    .filter(|_| e["force"] == "lethal_force")
                    .cloned()
                    .unwrap_or_default(),
            }
        })
        .collect();

    // Orders with their fate.
    let mut delivered_at: BTreeMap<u64, &Value> = BTreeMap::new();
    for e in f.kinds("order_delivered") {
        if let Some(id) = e["order"].as_u64() {
            delivered_at.insert(id, e);
        }
    }
    let dropped: BTreeMap<u64, &str> = f
        .events
        .iter()
        .filter_map(|e| match e["kind"].as_str()? {
            "order_dropped" => Some((e["order"].as_u64()?, "dropped (conflict caught)")),
            _ => None,
        })
        .collect();
    let all_orders: Vec<&Value> = f.kinds("order_issued").collect();
    let orders = all_orders
        .iter()
        .take(TABLE_ROWS)
        .map(|e| {
            let id = e["order"].as_u64().unwrap_or(0);
            let (outcome, latency) = match delivered_at.get(&id) {
                Some(d) => (
                    format!("delivered {}", f.time(d["tick"].as_u64().unwrap_or(0))),
                    format!("{:.0} min", d["latency_minutes"].as_f64().unwrap_or(0.0)),
                ),
                None => (
                    dropped.get(&id).copied().unwrap_or("not delivered (lost or overtaken)").to_string(),
                    String::new(),
                ),
            };
            OrderRow {
                id,
                issued: f.time(e["tick"].as_u64().unwrap_or(0)),
                by: text(&e["by"]),
                unit: f.unit_name(e["unit"].as_u64()),
                task: text(&e["task"]),
                hops: e["cross_agency_hops"].as_u64().unwrap_or(0),
                outcome,
                latency,
            }
        })
        .collect();

    let units = f
        .units
        .iter()
        .enumerate()
        .map(|(i, u)| {
            let get = |k: &str| u.get(k).cloned().unwrap_or_default();
            let commander = f
                .map
                .as_ref()
                .and_then(|m| m.commanders.get(&(i as u32)))
                .map(|chain| {
                    chain
                        .iter()
                        .enumerate()
                        .map(|(k, (t, p))| if k == 0 { p.clone() } else { format!("{p} from {}", f.time(*t as u64)) })
                        .collect::<Vec<_>>()
                        .join(", then ")
                })
                .unwrap_or_default();
            UnitRow {
                id: i as u32,
                name: get("name"),
                agency: get("agency"),
                kind: get("kind").replace('_', " "),
                personnel: get("strength_personnel"),
                commander,
            }
        })
        .collect();

    let facts = vec![
        ("Scenario".into(), name.clone()),
        ("Seed".into(), f.summary["seed"].to_string()),
        (
            "Length".into(),
            format!("{} ({} ticks of {} min)", duration(f.headline.minutes), meta["ticks"], f.minutes_per_tick),
        ),
        (
            "Map".into(),
            format!(
                "{} × {} cells",
                f.summary["parameters"]["map"]["width_cells"], f.summary["parameters"]["map"]["height_cells"]
            ),
        ),
        (
            "Command arrangement".into(),
            f.headline
                .operation
                .as_ref()
                .map_or("none (crowd model only)".into(), |o| o.command_model.replace('_', " ")),
        ),
        ("mando".into(), f.summary["mando_version"].as_str().unwrap_or("").to_string()),
        ("Final state hash".into(), f.summary["final_state_hash"].as_str().unwrap_or("").to_string()),
    ];
    Ok(RunPage {
        title: format!("After-action report: {name}"),
        description: meta["description"].as_str().unwrap_or("").to_string(),
        facts,
        headline: f.headline.sentences(&name),
        figures,
        maps,
        moments,
        force_log_cut: (all_force.len() > TABLE_ROWS).then_some(all_force.len()),
        force_log,
        orders_cut: (all_orders.len() > TABLE_ROWS).then_some(all_orders.len()),
        orders,
        units,
    })
}

/// Each site's name at its first cell.
fn site_labels(m: &MapFile) -> Vec<((u32, u32), String)> {
    m.sites
        .iter()
        .filter_map(|s| {
            m.ground.iter().enumerate().find_map(|(y, row)| {
                row.chars().position(|c| c == s.symbol).map(|x| ((x as u32, y as u32), s.name.clone()))
            })
        })
        .collect()
}
