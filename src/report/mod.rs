//! `mando report`: one self-contained HTML page from a run folder (the
//! after-action report) or a `compare`/`sweep` folder (the comparison
//! report). Styles, script and charts are inline, so the file opens from a
//! USB stick with no network; charts are SVG drawn by plotters, the page a
//! minijinja template. `--figures` also writes each chart as an SVG file.

mod batch;
pub mod charts;
mod run;

use std::fs;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::batch::store::write_atomic;
use crate::metrics::output::SUMMARY;

const PAGE: &str = include_str!("page.html");
const STYLE: &str = include_str!("page.css");
const SCRIPT: &str = include_str!("page.js");

/// One chart: a file name (without extension), what it shows, its SVG.
#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    pub name: String,
    pub caption: String,
    pub svg: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(
        "{dir}: not a run or batch folder (expected summary.json written by `mando run`, or batch.json written by \
         `mando compare` or `mando sweep`)"
    )]
    NotAFolder { dir: String },
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("{file}: {message}")]
    Format { file: String, message: String },
    #[error("{0}")]
    Batch(String),
    #[error("drawing a chart: {0}")]
    Chart(String),
    #[error("writing the page: {0}")]
    Template(String),
}

impl ReportError {
    /// Whether the folder given was wrong (exit 2) rather than the machine
    /// failing (exit 1).
    pub fn is_bad_input(&self) -> bool {
        matches!(self, ReportError::NotAFolder { .. } | ReportError::Format { .. } | ReportError::Batch(_))
    }
}

pub(crate) fn read_text(path: &Path) -> Result<String, ReportError> {
    fs::read_to_string(path).map_err(|source| ReportError::Io { path: path.display().to_string(), source })
}

pub(crate) fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, ReportError> {
    serde_json::from_str(&read_text(path)?).map_err(|e| ReportError::Format {
        file: path.display().to_string(),
        message: format!("line {}, column {}: {e}", e.line(), e.column()),
    })
}

/// What `write` wrote.
#[derive(Debug, Clone, Serialize)]
pub struct Written {
    pub kind: &'static str,
    pub page: PathBuf,
    pub figures: Vec<PathBuf>,
}

/// Writes the report of the folder `dir` to `output` (default
/// `dir/report.html`), and each chart into `figures` if given. Nothing is
/// written unless every chart and the page were made.
pub fn write(dir: &Path, output: Option<&Path>, figures: Option<&Path>) -> Result<Written, ReportError> {
    let (kind, html, all) = if dir.join("batch.json").is_file() {
        let page = batch::page(dir)?;
        let figures: Vec<Figure> = page
            .metrics
            .iter()
            .flat_map(|m| m.figures.iter().cloned())
            .chain(page.pareto.iter().cloned())
            .chain(page.responses.iter().cloned())
            .collect();
        (page.kind, render("batch", &page)?, figures)
    } else if dir.join(SUMMARY).is_file() {
        let page = run::page(dir)?;
        let figures = page.figures.iter().chain(&page.maps).chain(&page.moments).cloned().collect();
        ("run", render("run", &page)?, figures)
    } else {
        return Err(ReportError::NotAFolder { dir: dir.display().to_string() });
    };
    let page = output.map_or_else(|| dir.join("report.html"), Path::to_path_buf);
    let io = |path: &Path| {
        let path = path.display().to_string();
        move |source| ReportError::Io { path: path.clone(), source }
    };
    let mut written = Vec::new();
    if let Some(fig_dir) = figures {
        fs::create_dir_all(fig_dir).map_err(io(fig_dir))?;
        for f in &all {
            let path = fig_dir.join(format!("{}.svg", f.name));
            write_atomic(&path, f.svg.as_bytes()).map_err(io(&path))?;
            written.push(path);
        }
    }
    write_atomic(&page, html.as_bytes()).map_err(io(&page))?;
    Ok(Written { kind, page, figures: written })
}

fn render(kind: &str, page: &impl Serialize) -> Result<String, ReportError> {
    let mut env = minijinja::Environment::new();
    env.add_template("page.html", PAGE).map_err(|e| ReportError::Template(e.to_string()))?;
    let template = env.get_template("page.html").map_err(|e| ReportError::Template(e.to_string()))?;
    template
        .render(minijinja::context! {
            kind => kind,
            page => page,
            style => STYLE,
            script => SCRIPT,
            version => env!("CARGO_PKG_VERSION"),
        })
        .map_err(|e| ReportError::Template(e.to_string()))
}
