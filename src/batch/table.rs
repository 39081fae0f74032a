//! One row per run: run index, condition, replication, seed, the varied
//! parameters, every metric; written as CSV and as Parquet with the same
//! columns in the same order.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use parquet::basic::{ConvertedType, Repetition, Type as Physical};
use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;
use serde_json::Value;

use super::store::{BatchPlan, RunRecord};

#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Int(i64),
    Num(f64),
    Text(String),
    Null,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Int,
    Num,
    Text,
}

/// Columns before the metrics.
pub const KEY_COLUMNS: [&str; 4] = ["run", "condition", "replication", "seed"];

#[derive(Debug, Clone)]
pub struct Table {
    pub columns: Vec<String>,
    pub kinds: Vec<Kind>,
    pub rows: Vec<Vec<Cell>>,
    /// Where the metric columns start.
    pub first_metric: usize,
}

impl Table {
    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }

    /// Values of a numeric column (NaN where missing).
    pub fn numbers(&self, col: usize) -> Vec<f64> {
        self.rows
            .iter()
            .map(|r| match &r[col] {
                Cell::Int(i) => *i as f64,
                Cell::Num(x) => *x,
                _ => f64::NAN,
            })
            .collect()
    }
}

fn cell_of(v: Option<&Value>) -> Cell {
    match v {
        Some(Value::Number(n)) => n.as_f64().map_or(Cell::Null, Cell::Num),
        Some(Value::Bool(b)) => Cell::Num(if *b { 1.0 } else { 0.0 }),
        Some(Value::String(s)) => Cell::Text(s.clone()),
        _ => Cell::Null,
    }
}

/// A column is numeric when every value in it is; otherwise text.
fn settle(cells: &mut [Cell]) -> Kind {
    if cells.iter().all(|c| matches!(c, Cell::Num(_) | Cell::Null)) {
        return Kind::Num;
    }
    for c in cells.iter_mut() {
        if let Cell::Num(x) = c {
            *c = Cell::Text(x.to_string());
        }
    }
    Kind::Text
}

/// Headline metrics first, then every other metric by path.
fn metric_order(records: &BTreeMap<usize, RunRecord>) -> Vec<String> {
    let names: BTreeSet<&String> = records.values().flat_map(|r| r.metrics.keys()).collect();
    let (head, rest): (Vec<&String>, Vec<&String>) = names.into_iter().partition(|n| n.starts_with("headline."));
    head.into_iter().chain(rest).cloned().collect()
}

pub fn runs_table(plan: &BatchPlan, records: &BTreeMap<usize, RunRecord>) -> Table {
    let metrics = metric_order(records);
    let mut columns: Vec<String> = KEY_COLUMNS.iter().map(|s| s.to_string()).collect();
    columns.extend(plan.parameters.iter().cloned());
    let first_metric = columns.len();
    columns.extend(metrics.iter().cloned());
    columns.push("final_state_hash".to_string());

    let mut by_col: Vec<Vec<Cell>> = vec![Vec::with_capacity(records.len()); columns.len()];
    for r in records.values() {
        let mut row = vec![
            Cell::Int(r.run as i64),
            Cell::Int(r.condition as i64),
            Cell::Int(r.replication as i64),
            Cell::Int(r.seed as i64),
        ];
        let cond = plan.conditions.get(r.condition);
        for p in &plan.parameters {
            let v = cond.and_then(|c| c.values.iter().find(|(q, _)| q == p)).map(|(_, v)| v.as_str());
            row.push(match v {
                Some(v) => v.parse::<f64>().map_or_else(|_| Cell::Text(v.to_string()), Cell::Num),
                None => Cell::Null,
            });
        }
        row.extend(metrics.iter().map(|m| cell_of(r.metrics.get(m))));
        row.push(Cell::Text(r.final_state_hash.clone()));
        for (c, cell) in row.into_iter().enumerate() {
            by_col[c].push(cell);
        }
    }
    let kinds: Vec<Kind> = by_col
        .iter_mut()
        .enumerate()
        .map(|(c, cells)| if c < KEY_COLUMNS.len() { Kind::Int } else { settle(cells) })
        .collect();
    let rows = (0..records.len()).map(|i| by_col.iter().map(|col| col[i].clone()).collect()).collect();
    Table { columns, kinds, rows, first_metric }
}

pub(crate) fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

impl Table {
    /// RFC 4180 CSV; numbers in Rust's shortest round-trip form; empty
    /// fields for missing values.
    pub fn to_csv(&self) -> String {
        let mut out = self.columns.iter().map(|c| csv_field(c)).collect::<Vec<_>>().join(",");
        out.push('\n');
        for row in &self.rows {
            let fields: Vec<String> = row
                .iter()
                .map(|c| match c {
                    Cell::Int(i) => i.to_string(),
                    Cell::Num(x) => x.to_string(),
                    Cell::Text(s) => csv_field(s),
                    Cell::Null => String::new(),
                })
                .collect();
            out.push_str(&fields.join(","));
            out.push('\n');
        }
        out
    }

    /// One row group, uncompressed: INT64 keys, DOUBLE numbers, UTF-8 text;
    /// everything but the keys may be null.
    pub fn to_parquet(&self) -> parquet::errors::Result<Vec<u8>> {
        let fields =
            self.columns
                .iter()
                .zip(&self.kinds)
                .map(|(name, kind)| {
                    let b =
                        match kind {
                            Kind::Int => Type::primitive_type_builder(name, Physical::INT64)
                                .with_repetition(Repetition::REQUIRED),
                            Kind::Num => Type::primitive_type_builder(name, Physical::DOUBLE)
                                .with_repetition(Repetition::OPTIONAL),
                            Kind::Text => Type::primitive_type_builder(name, Physical::BYTE_ARRAY)
                                .with_repetition(Repetition::OPTIONAL)
                                .with_converted_type(ConvertedType::UTF8),
                        };
                    b.build().map(Arc::new)
                })
                .collect::<parquet::errors::Result<Vec<_>>>()?;
        let schema = Arc::new(Type::group_type_builder("mando_runs").with_fields(fields).build()?);
        let props = Arc::new(
            WriterProperties::builder().set_created_by(format!("mando {}", env!("CARGO_PKG_VERSION"))).build(),
        );
        let mut buf = Vec::new();
        let mut writer = SerializedFileWriter::new(&mut buf, schema, props)?;
        let mut group = writer.next_row_group()?;
        let mut c = 0;
        while let Some(mut col) = group.next_column()? {
            let cells = self.rows.iter().map(|r| &r[c]);
            let defs: Vec<i16> = cells.clone().map(|x| i16::from(*x != Cell::Null)).collect();
            match self.kinds[c] {
                Kind::Int => {
                    let v: Vec<i64> =
                        cells.filter_map(|x| if let Cell::Int(i) = x { Some(*i) } else { None }).collect();
                    col.typed::<Int64Type>().write_batch(&v, None, None)?;
                }
                Kind::Num => {
                    let v: Vec<f64> =
                        cells.filter_map(|x| if let Cell::Num(n) = x { Some(*n) } else { None }).collect();
                    col.typed::<DoubleType>().write_batch(&v, Some(&defs), None)?;
                }
                Kind::Text => {
                    let v: Vec<ByteArray> = cells
                        .filter_map(|x| if let Cell::Text(s) = x { Some(ByteArray::from(s.as_str())) } else { None })
                        .collect();
                    col.typed::<ByteArrayType>().write_batch(&v, Some(&defs), None)?;
                }
            }
            col.close()?;
            c += 1;
        }
        group.close()?;
        writer.close()?;
        Ok(buf)
    }
}
