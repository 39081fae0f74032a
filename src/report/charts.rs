//! The report's charts, drawn with plotters' SVG backend into strings that
//! the page inlines (and `--figures` writes as files). One function a kind
//! of chart; each takes plain numbers, so the run and the comparison
//! reports share them.

use plotters::coord::Shift;
use plotters::prelude::*;

/// Width of a full-width chart, in pixels (fits A4 portrait at 96 dpi with
/// margins; the page scales SVGs to its width).
pub const WIDTH: u32 = 900;
const FONT: &str = "sans-serif";

/// Colours by side or agency, the same in every chart.
pub const CIVILIAN: RGBColor = RGBColor(214, 96, 37);
pub const PNP: RGBColor = RGBColor(31, 96, 180);
pub const FFAA: RGBColor = RGBColor(86, 120, 40);
/// For series with no side: a qualitative palette (Tableau 10).
pub const PALETTE: [RGBColor; 8] = [
    RGBColor(78, 121, 167),
    RGBColor(242, 142, 43),
    RGBColor(225, 87, 89),
    RGBColor(118, 183, 178),
    RGBColor(89, 161, 79),
    RGBColor(237, 201, 72),
    RGBColor(176, 122, 161),
    RGBColor(156, 117, 95),
];

pub type ChartResult = Result<String, String>;

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// Draws on a fresh SVG canvas and returns the SVG text.
fn svg(size: (u32, u32), draw: impl FnOnce(&DrawingArea<SVGBackend, Shift>) -> Result<(), String>) -> ChartResult {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, size).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        draw(&root)?;
        root.present().map_err(err)?;
    }
    Ok(out)
}

type XyChart<'a, 'b> = ChartContext<
    'a,
    SVGBackend<'b>,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;

/// A chart with a value along each axis, its mesh drawn (lines over time,
/// the Pareto front, a sweep's responses).
fn xy_chart<'a, 'b>(
    root: &'a DrawingArea<SVGBackend<'b>, Shift>,
    (title, title_size): (&str, u32),
    (x, x_desc): (std::ops::Range<f64>, &str),
    (y, y_desc): (std::ops::Range<f64>, &str),
) -> Result<XyChart<'a, 'b>, String> {
    let mut chart = ChartBuilder::on(root)
        .caption(title, (FONT, title_size))
        .margin(10)
        .x_label_area_size(34)
        .y_label_area_size(56)
        .build_cartesian_2d(x, y)
        .map_err(err)?;
    chart
        .configure_mesh()
        .label_style((FONT, 13))
        .axis_desc_style((FONT, 13))
        .x_desc(x_desc)
        .y_desc(y_desc)
        .light_line_style(RGBColor(238, 238, 238))
        .draw()
        .map_err(err)?;
    Ok(chart)
}

/// One named line.
pub struct Series {
    pub name: String,
    pub color: RGBColor,
    pub points: Vec<(f64, f64)>,
    /// Dashed (e.g. a second axis' worth of meaning, or a threshold).
    pub dashed: bool,
}

/// Lines over time (x in hours).
pub fn lines(title: &str, y_desc: &str, series: &[Series]) -> ChartResult {
    let x_max = series.iter().flat_map(|s| s.points.iter().map(|p| p.0)).fold(0.0, f64::max).max(1e-9);
    let y_max = series.iter().flat_map(|s| s.points.iter().map(|p| p.1)).fold(0.0, f64::max);
    let y_max = if y_max > 0.0 { y_max * 1.08 } else { 1.0 };
    svg((WIDTH, 300), |root| {
        let mut chart = xy_chart(root, (title, 17), (0f64..x_max, "hours into the run"), (0f64..y_max, y_desc))?;
        for s in series {
            let style = s.color.stroke_width(2);
            let drawn = if s.dashed {
                chart.draw_series(DashedLineSeries::new(s.points.iter().copied(), 6, 4, style)).map_err(err)?
            } else {
                chart.draw_series(LineSeries::new(s.points.iter().copied(), style)).map_err(err)?
            };
            let c = s.color;
            drawn.label(&s.name).legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], c.stroke_width(2)));
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(180, 180, 180))
            .position(SeriesLabelPosition::UpperLeft)
            .label_font((FONT, 13))
            .draw()
            .map_err(err)
    })
}

/// A band of states over time: `(start_hour, end_hour, state index)` per
/// row; `states` names and colours each index.
pub struct Band {
    pub name: String,
    pub spans: Vec<(f64, f64, usize)>,
}

/// A marked moment on a timeline.
pub struct Mark {
    pub hour: f64,
    pub label: String,
}

/// The timeline: one band per row (the legal regime, the escalation
/// phase), marks for decrees and key events below them.
pub fn timeline(bands: &[Band], states: &[(&str, RGBColor)], marks: &[Mark], hours: f64) -> ChartResult {
    let rows = bands.len() as f64;
    let height = 70 + 38 * bands.len() as u32 + 18 * marks.len().min(12) as u32 + 56;
    svg((WIDTH, height), |root| {
        let (area, legend) = root.split_vertically(height - 48);
        let mark_rows = marks.len().min(12) as f64;
        let mut chart = ChartBuilder::on(&area)
            .caption("Timeline: legal regime, escalation phase and key events", (FONT, 17))
            .margin(10)
            .x_label_area_size(30)
            .y_label_area_size(130)
            .build_cartesian_2d(0f64..hours.max(1e-9), -(mark_rows * 0.5)..rows)
            .map_err(err)?;
        chart
            .configure_mesh()
            .label_style((FONT, 13))
            .axis_desc_style((FONT, 13))
            .disable_y_mesh()
            .disable_y_axis()
            .x_desc("hours into the run")
            .light_line_style(RGBColor(238, 238, 238))
            .draw()
            .map_err(err)?;
        for (i, band) in bands.iter().enumerate() {
            let top = rows - i as f64;
            chart
                .draw_series(band.spans.iter().map(|&(a, b, s)| {
                    let color = states.get(s).map_or(RGBColor(200, 200, 200), |x| x.1);
                    Rectangle::new([(a, top - 0.1), (b, top - 0.9)], color.filled())
                }))
                .map_err(err)?;
            let name_at = chart.backend_coord(&(0.0, top - 0.5));
            area.draw_text(
                &band.name,
                &TextStyle::from((FONT, 13)).pos(plotters::style::text_anchor::Pos::new(
                    plotters::style::text_anchor::HPos::Right,
                    plotters::style::text_anchor::VPos::Center,
                )),
                (name_at.0 - 6, name_at.1),
            )
            .map_err(err)?;
        }
        for (k, m) in marks.iter().take(12).enumerate() {
            let y = -(k as f64) * 0.5 - 0.25;
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(m.hour, rows), (m.hour, y)],
                    RGBColor(90, 90, 90).stroke_width(1),
                )))
                .map_err(err)?;
            chart
                .draw_series(std::iter::once(
                    EmptyElement::at((m.hour, y))
                        + Circle::new((0, 0), 3, BLACK.filled())
                        + Text::new(m.label.clone(), (6, -7), (FONT, 12)),
                ))
                .map_err(err)?;
        }
        // The states' legend, wrapping.
        let (mut x, mut y) = (10, 4);
        for (name, color) in states {
            let w = 26 + 7 * name.len() as i32;
            if x + w > WIDTH as i32 - 10 {
                (x, y) = (10, y + 18);
            }
            legend.draw(&Rectangle::new([(x, y), (x + 12, y + 12)], color.filled())).map_err(err)?;
            legend
                .draw_text(&name.replace('_', " "), &(FONT, 12).into_text_style(&legend), (x + 16, y))
                .map_err(err)?;
            x += w;
        }
        Ok(())
    })
}

/// What a map draws on its ground.
pub struct MapLayers<'a> {
    pub width: u32,
    pub height: u32,
    /// Rows of ground characters (`metrics::map::MapFile::ground`).
    pub ground: &'a [String],
    /// Per cell: how much activity (drawn as heat, scaled to the maximum).
    pub heat: &'a [f64],
    /// Force used: cell, colour, radius in pixels, lethal.
    pub force: Vec<((u32, u32), RGBColor, u32, bool)>,
    /// Unit tracks: points and colour.
    pub tracks: Vec<(Vec<(u32, u32)>, RGBColor)>,
    /// Sites' names, drawn at their first cell.
    pub sites: Vec<((u32, u32), String)>,
}

/// Drawn cells along a map's longer side at most: a larger grid is drawn
/// in square blocks of cells, so a 1,000 × 1,000 map makes a page of a few
/// megabytes, not hundreds.
const MAX_BLOCKS: u32 = 150;

/// Which ground a block of cells shows: the most telling of its cells.
fn ground_rank(c: u8) -> u8 {
    match c {
        b'.' => 0,
        b'B' => 1,
        b'=' => 2,
        b'#' => 3,
        _ => 4,
    }
}

/// The map: ground, heat, tracks and force, with a legend, about
/// `width_px` wide.
pub fn map(title: &str, layers: &MapLayers, width_px: u32, legend: &[(&str, RGBColor)]) -> ChartResult {
    let block = layers.width.max(layers.height).div_ceil(MAX_BLOCKS).max(1);
    let (w, h) = (layers.width.div_ceil(block), layers.height.div_ceil(block));
    let mut ground = vec![b'.'; (w * h) as usize];
    for (y, row) in layers.ground.iter().enumerate() {
        for (x, c) in row.bytes().enumerate() {
            let i = ((y as u32 / block) * w + x as u32 / block) as usize;
            if ground_rank(c) > ground_rank(ground[i]) {
                ground[i] = c;
            }
        }
    }
    let mut heat = vec![0.0; (w * h) as usize];
    for (i, v) in layers.heat.iter().enumerate() {
        let (x, y) = (i as u32 % layers.width, i as u32 / layers.width);
        heat[((y / block) * w + x / block) as usize] += v;
    }
    let at = |(x, y): (u32, u32)| (x / block, y / block);
    let pixels = (width_px / w.max(1)).clamp(3, 24);
    let size = (w * pixels + 20, h * pixels + 70);
    svg(size, |root| {
        let (area, key) = root.split_vertically(h * pixels + 40);
        let mut chart = ChartBuilder::on(&area)
            .caption(title, (FONT, 15))
            .margin(10)
            .build_cartesian_2d(0f64..w as f64, 0f64..h as f64)
            .map_err(err)?;
        let cell = |x: u32, y: u32| [(x as f64, (h - y) as f64), ((x + 1) as f64, (h - y - 1) as f64)];
        let centre = |p: (u32, u32)| {
            let (x, y) = at(p);
            (x as f64 + 0.5, (h - y) as f64 - 0.5)
        };
        let colour = |c: u8| match c {
            b'.' => RGBColor(246, 244, 238),
            b'=' => RGBColor(200, 196, 186),
            b'#' => RGBColor(120, 116, 110),
            b'B' => RGBColor(214, 204, 170),
            _ => RGBColor(250, 214, 214),
        };
        // Open ground as one rectangle; only the rest cell by cell.
        chart
            .draw_series(std::iter::once(Rectangle::new([(0.0, h as f64), (w as f64, 0.0)], colour(b'.').filled())))
            .map_err(err)?;
        chart
            .draw_series(
                ground
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| **c != b'.')
                    .map(|(i, &c)| Rectangle::new(cell(i as u32 % w, i as u32 / w), colour(c).filled())),
            )
            .map_err(err)?;
        let top = heat.iter().copied().fold(0.0, f64::max);
        if top > 0.0 {
            chart
                .draw_series(heat.iter().enumerate().filter(|(_, v)| **v > 0.1 * top).map(|(i, v)| {
                    // Only where the crowd stood long stands out: a crowd
                    // that roams three days touches every cell.
                    let a = 0.85 * (v / top).powf(1.5);
                    Rectangle::new(cell(i as u32 % w, i as u32 / w), RGBAColor(200, 30, 20, a).filled())
                }))
                .map_err(err)?;
        }
        for (points, color) in &layers.tracks {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    points.iter().map(|&p| centre(p)).collect::<Vec<_>>(),
                    color.mix(0.25).stroke_width(1),
                )))
                .map_err(err)?;
            if let Some(&last) = points.last() {
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [
                            (centre(last).0 - 0.45, centre(last).1 - 0.45),
                            (centre(last).0 + 0.45, centre(last).1 + 0.45),
                        ],
                        color.filled(),
                    )))
                    .map_err(err)?;
            }
        }
        for &(c, color, r, lethal) in &layers.force {
            let p = centre(c);
            if lethal {
                chart.draw_series(std::iter::once(Cross::new(p, r as i32, color.stroke_width(2)))).map_err(err)?;
            } else {
                chart.draw_series(std::iter::once(Circle::new(p, r, color.mix(0.7).stroke_width(1)))).map_err(err)?;
            }
        }
        for (c, name) in &layers.sites {
            // Labels on the right half end at their site, so none runs off.
            let right = c.0 > layers.width / 2;
            let anchor = plotters::style::text_anchor::Pos::new(
                if right {
                    plotters::style::text_anchor::HPos::Right
                } else {
                    plotters::style::text_anchor::HPos::Left
                },
                plotters::style::text_anchor::VPos::Bottom,
            );
            let style = TextStyle::from((FONT, 12).into_font()).color(&BLACK).pos(anchor);
            chart
                .draw_series(std::iter::once(
                    EmptyElement::at(centre(*c)) + Text::new(name.clone(), (if right { 8 } else { -4 }, -4), style),
                ))
                .map_err(err)?;
        }
        let mut x = 10;
        for (name, color) in legend {
            key.draw(&Rectangle::new([(x, 6), (x + 14, 20)], color.filled())).map_err(err)?;
            key.draw_text(name, &(FONT, 12).into_text_style(&key), (x + 18, 7)).map_err(err)?;
            x += 26 + 7 * name.len() as i32;
        }
        Ok(())
    })
}

/// A value per replication and condition, and the condition's mean and
/// CI; `censored` values are "at least" (drawn hollow, with a caret).
pub struct Strip {
    pub label: String,
    pub values: Vec<(f64, bool)>,
    pub mean: f64,
    pub ci: Option<(f64, f64)>,
}

/// Distributions per condition: every replication as a dot (hollow if
/// censored), the mean as a bar with its 95% CI.
pub fn strips(title: &str, x_desc: &str, strips: &[Strip]) -> ChartResult {
    let all = strips.iter().flat_map(|s| s.values.iter().map(|v| v.0).chain(s.ci.map(|c| c.1)));
    let (lo, hi) = all.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| (a.min(x), b.max(x)));
    let (lo, hi) = if lo.is_finite() { pad(lo.min(0.0), hi) } else { (0.0, 1.0) };
    let n = strips.len();
    let labels: Vec<String> = strips.iter().map(|s| s.label.clone()).collect();
    svg((WIDTH, 60 + 46 * n as u32 + 40), |root| {
        let mut chart = by_category(root, title, x_desc, lo..hi, &labels)?;
        for (i, s) in strips.iter().enumerate() {
            let color = PALETTE[i % PALETTE.len()];
            let k = s.values.len().max(1) as f64;
            chart
                .draw_series(s.values.iter().enumerate().map(|(j, &(v, censored))| {
                    // Spread the dots across the row, in replication order
                    // (deterministic, unlike random jitter).
                    let offset = 0.2 + 0.6 * (j as f64 + 0.5) / k;
                    let at = (v, SegmentValue::CenterOf(i));
                    let style = if censored { color.stroke_width(1) } else { color.mix(0.6).filled() };
                    EmptyElement::at(at) + Circle::new((0, (-offset * 28.0 + 14.0) as i32 - 2), 3, style)
                }))
                .map_err(err)?;
            if s.values.iter().any(|v| v.1) {
                chart
                    .draw_series(std::iter::once(
                        EmptyElement::at((hi, SegmentValue::Exact(i)))
                            + Text::new("○ censored: at least", (-140, -18), (FONT, 11)),
                    ))
                    .map_err(err)?;
            }
            if let Some((a, b)) = s.ci {
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        vec![(a, SegmentValue::CenterOf(i)), (b, SegmentValue::CenterOf(i))],
                        BLACK.stroke_width(2),
                    )))
                    .map_err(err)?;
            }
            chart
                .draw_series(std::iter::once(
                    EmptyElement::at((s.mean, SegmentValue::CenterOf(i)))
                        + Rectangle::new([(-2, -9), (2, 9)], BLACK.filled()),
                ))
                .map_err(err)?;
        }
        Ok(())
    })
}

type CategoryChart<'a, 'b> = ChartContext<
    'a,
    SVGBackend<'b>,
    Cartesian2d<
        plotters::coord::types::RangedCoordf64,
        plotters::coord::ranged1d::SegmentedCoord<plotters::coord::types::RangedCoordusize>,
    >,
>;

/// A chart with a value along x and one row per label along y (the
/// distributions and the forest plot).
fn by_category<'a, 'b>(
    root: &'a DrawingArea<SVGBackend<'b>, Shift>,
    title: &str,
    x_desc: &str,
    x: std::ops::Range<f64>,
    labels: &[String],
) -> Result<CategoryChart<'a, 'b>, String> {
    let mut chart = ChartBuilder::on(root)
        .caption(title, (FONT, 16))
        .margin(10)
        .x_label_area_size(34)
        .y_label_area_size(230)
        .build_cartesian_2d(x, (0..labels.len().max(1)).into_segmented())
        .map_err(err)?;
    chart
        .configure_mesh()
        .label_style((FONT, 13))
        .axis_desc_style((FONT, 13))
        .disable_y_mesh()
        .x_desc(x_desc)
        .y_label_formatter(&|v| match v {
            SegmentValue::CenterOf(i) => labels.get(*i).cloned().unwrap_or_default(),
            _ => String::new(),
        })
        .light_line_style(RGBColor(238, 238, 238))
        .draw()
        .map_err(err)?;
    Ok(chart)
}

/// A paired difference against the baseline with its 95% CI.
pub struct Difference {
    pub label: String,
    pub mean: f64,
    pub ci: Option<(f64, f64)>,
}

/// The forest plot: each condition's paired difference and CI, a line at 0.
pub fn forest(title: &str, x_desc: &str, rows: &[Difference]) -> ChartResult {
    let all = rows.iter().flat_map(|r| [r.mean, r.ci.map_or(r.mean, |c| c.0), r.ci.map_or(r.mean, |c| c.1)]);
    let (lo, hi) = all.fold((0.0f64, 0.0f64), |(a, b), x| (a.min(x), b.max(x)));
    let (lo, hi) = pad(lo, hi);
    let n = rows.len().max(1);
    let labels: Vec<String> = rows.iter().map(|s| s.label.clone()).collect();
    svg((WIDTH, 60 + 36 * n as u32 + 40), |root| {
        let mut chart = by_category(root, title, x_desc, lo..hi, &labels)?;
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(0.0, SegmentValue::Exact(0)), (0.0, SegmentValue::Last)],
                RGBColor(120, 120, 120).stroke_width(1),
            )))
            .map_err(err)?;
        for (i, r) in rows.iter().enumerate() {
            let color = PALETTE[(i + 1) % PALETTE.len()];
            if let Some((a, b)) = r.ci {
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        vec![(a, SegmentValue::CenterOf(i)), (b, SegmentValue::CenterOf(i))],
                        color.stroke_width(3),
                    )))
                    .map_err(err)?;
            }
            chart
                .draw_series(std::iter::once(Circle::new((r.mean, SegmentValue::CenterOf(i)), 6, color.filled())))
                .map_err(err)?;
        }
        Ok(())
    })
}

/// A labelled point, filled when on the front.
pub struct Point {
    pub label: String,
    pub x: f64,
    pub y: f64,
    pub front: bool,
}

/// A scatter of labelled points (the Pareto front of the conditions), the
/// front joined by a line.
pub fn pareto(title: &str, x_desc: &str, y_desc: &str, points: &[Point]) -> ChartResult {
    let (x0, x1) = pad_span(points.iter().map(|p| p.x));
    let (y0, y1) = pad_span(points.iter().map(|p| p.y));
    svg((WIDTH, 420), |root| {
        let mut chart = xy_chart(root, (title, 16), (x0..x1, x_desc), (y0..y1, y_desc))?;
        let mut front: Vec<(f64, f64)> = points.iter().filter(|p| p.front).map(|p| (p.x, p.y)).collect();
        front.sort_by(|a, b| a.0.total_cmp(&b.0));
        chart.draw_series(LineSeries::new(front, RGBColor(120, 120, 120).stroke_width(1))).map_err(err)?;
        for (i, p) in points.iter().enumerate() {
            let color = PALETTE[i % PALETTE.len()];
            let style = if p.front { color.filled() } else { color.stroke_width(2) };
            // Labels of points on the right half go to their left.
            let right = p.x > (x0 + x1) / 2.0;
            let anchor = plotters::style::text_anchor::Pos::new(
                if right {
                    plotters::style::text_anchor::HPos::Right
                } else {
                    plotters::style::text_anchor::HPos::Left
                },
                plotters::style::text_anchor::VPos::Center,
            );
            chart
                .draw_series(std::iter::once(
                    EmptyElement::at((p.x, p.y))
                        + Circle::new((0, 0), 7, style)
                        + Text::new(
                            p.label.clone(),
                            (if right { -10 } else { 10 }, 0),
                            TextStyle::from((FONT, 13)).pos(anchor),
                        ),
                ))
                .map_err(err)?;
        }
        Ok(())
    })
}

/// The response of a metric to a swept parameter: every run as a dot, the
/// mean per tenth of the range as a line.
pub fn response(title: &str, x_desc: &str, y_desc: &str, runs: &[(f64, f64)]) -> ChartResult {
    let (x0, x1) = pad_span(runs.iter().map(|p| p.0));
    let (y0, y1) = pad_span(runs.iter().map(|p| p.1));
    let bins = 10;
    let mut sums = vec![(0.0, 0.0, 0usize); bins];
    for &(x, y) in runs {
        let b = (((x - x0) / (x1 - x0)) * bins as f64).clamp(0.0, bins as f64 - 1.0) as usize;
        sums[b].0 += x;
        sums[b].1 += y;
        sums[b].2 += 1;
    }
    let means: Vec<(f64, f64)> =
        sums.iter().filter(|s| s.2 > 0).map(|s| (s.0 / s.2 as f64, s.1 / s.2 as f64)).collect();
    svg((WIDTH / 2 - 10, 300), |root| {
        let mut chart = xy_chart(root, (title, 14), (x0..x1, x_desc), (y0..y1, y_desc))?;
        chart.draw_series(runs.iter().map(|&p| Circle::new(p, 2, PALETTE[0].mix(0.45).filled()))).map_err(err)?;
        chart.draw_series(LineSeries::new(means, PALETTE[2].stroke_width(2))).map_err(err)?;
        Ok(())
    })
}

/// A range with some room either side (never empty).
fn pad(lo: f64, hi: f64) -> (f64, f64) {
    // A single value (all zero, say) gets a unit either side.
    let span = if (hi - lo).abs() < 1e-9 { lo.abs().max(1.0) * 8.0 } else { hi - lo };
    (lo - 0.06 * span, hi + 0.06 * span)
}

fn pad_span(xs: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) =
        xs.filter(|x| x.is_finite()).fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| (a.min(x), b.max(x)));
    if lo.is_finite() { pad(lo, hi) } else { (0.0, 1.0) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_large_map_is_drawn_in_blocks_that_keep_what_matters() {
        // 600 × 600 cells, all open but one building and one busy cell.
        let (w, h) = (600u32, 600u32);
        let mut ground = vec![".".repeat(w as usize); h as usize];
        ground[599].replace_range(599..600, "#");
        let mut heat = vec![0.0; (w * h) as usize];
        heat[0] = 5.0;
        let layers = MapLayers {
            width: w,
            height: h,
            ground: &ground,
            heat: &heat,
            force: Vec::new(),
            tracks: Vec::new(),
            sites: Vec::new(),
        };
        let svg = map("t", &layers, 860, &[]).unwrap();
        // The background, one open rectangle, the building's block and the
        // heat's: not 360,000 cells.
        assert!(svg.matches("<rect").count() < 10, "{} rects", svg.matches("<rect").count());
        assert!(svg.contains("fill=\"#78746E\""), "the building's block is drawn");
        assert!(svg.contains("fill=\"#C81E14\""), "the busy cell's block is drawn");
    }
}
