//! A scenario's text, the `--set` overrides written into it, and the mapping
//! from a place in the final text back to the file or the argument that
//! wrote it.

use std::ops::Range;

use super::diagnostic::{Diagnostic, Origin};
use super::locate::{self, SourceMap};

/// Fields that are alternatives to each other: setting one by path drops the
/// others from the text, so `--set civilians.count=500` wins over a density
/// written in the file.
const ALTERNATIVES: &[&[&str]] =
    &[&["civilians.count", "civilians.density"], &["police.count", "police.density", "police.positions"]];

#[derive(Debug, Clone)]
struct Edit {
    /// Range in the current text.
    now: Range<usize>,
    /// Range in the original text it replaced.
    was: Range<usize>,
    /// The `--set` argument, if it wrote this range; `None` for removals.
    argument: Option<String>,
}

/// A scenario text with overrides applied.
#[derive(Debug, Clone)]
pub struct Source {
    /// The file's name as the user gave it.
    pub name: String,
    pub original: String,
    pub text: String,
    edits: Vec<Edit>,
    original_map: SourceMap,
}

/// One `--set PATH=VALUE` argument, split.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Override {
    pub path: String,
    pub value: String,
    /// How the user wrote it, when not as `--set` (e.g. `--ticks 0`).
    pub written_as: Option<String>,
}

impl Override {
    /// Parses `PATH=VALUE`.
    pub fn parse(arg: &str) -> Result<Override, String> {
        let Some((path, value)) = arg.split_once('=') else {
            return Err(format!("`{arg}` is not PATH=VALUE (for example civilians.legitimacy=0.7)"));
        };
        let path = path.trim();
        let valid_segment = |s: &str| {
            let s = s.split('[').next().unwrap_or("");
            !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        };
        if path.is_empty() || !path.split('.').all(valid_segment) {
            return Err(format!("`{path}` is not a field path (for example civilians.legitimacy)"));
        }
        if value.trim().is_empty() {
            return Err(format!("`{path}` is given no value"));
        }
        Ok(Override { path: path.to_string(), value: value.trim().to_string(), written_as: None })
    }

    /// An override that a dedicated flag stands for, e.g. `--seed 4`.
    pub fn from_flag(path: &str, value: impl ToString, flag: &str) -> Override {
        let value = value.to_string();
        Override { path: path.to_string(), written_as: Some(format!("{flag} {value}")), value }
    }

    /// The argument as the user wrote it, for messages.
    pub fn argument(&self) -> String {
        self.written_as.clone().unwrap_or_else(|| format!("--set {}={}", self.path, self.value))
    }
}

impl Source {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Source {
        let text = text.into();
        Source {
            name: name.into(),
            original_map: SourceMap::new(&text),
            original: text.clone(),
            text,
            edits: Vec::new(),
        }
    }

    /// Writes each override into the text. A path that cannot be written
    /// (its parent is not a structure) is a diagnostic; a path naming an
    /// unknown field is caught later by the parser, at the override.
    pub fn apply(&mut self, overrides: &[Override]) -> Vec<Diagnostic> {
        let mut problems = Vec::new();
        for o in overrides {
            for group in ALTERNATIVES {
                if group.contains(&o.path.as_str()) {
                    for other in group.iter().filter(|p| **p != o.path) {
                        self.remove(other);
                    }
                }
            }
            if let Err(message) = check_value(&o.value) {
                problems.push(Diagnostic {
                    origin: Origin::Override { argument: o.argument() },
                    field: o.path.clone(),
                    message,
                });
                continue;
            }
            match locate::set_value(&self.text, &o.path, &o.value) {
                Ok(patch) => {
                    self.record(patch.old_in_current.clone(), patch.new.clone(), Some(o.argument()));
                    self.text = patch.text;
                }
                Err(e) => problems.push(Diagnostic {
                    origin: Origin::Override { argument: o.argument() },
                    field: o.path.clone(),
                    message: e.0,
                }),
            }
        }
        problems
    }

    fn remove(&mut self, path: &str) {
        let map = SourceMap::new(&self.text);
        if let Some(span) = locate::field_extent(&self.text, &map, path) {
            let mut text = self.text.clone();
            text.replace_range(span.clone(), "");
            self.record(span.clone(), span.start..span.start, None);
            self.text = text;
        }
    }

    /// Records that `old` (a range of the current text) became `new`.
    fn record(&mut self, old: Range<usize>, new: Range<usize>, argument: Option<String>) {
        let delta = new.len() as isize - old.len() as isize;
        let was = self.to_original_range(old.clone());
        // Edits swallowed by this one disappear; later ones shift.
        self.edits.retain(|e| !(e.now.start >= old.start && e.now.end <= old.end && !old.is_empty()));
        for e in &mut self.edits {
            if e.now.start >= old.end && !(e.now.start == old.start && old.is_empty()) {
                e.now = shift(&e.now, delta);
            }
        }
        self.edits.push(Edit { now: new, was, argument });
        self.edits.sort_by_key(|e| (e.now.start, e.now.end));
    }

    fn to_original_range(&self, r: Range<usize>) -> Range<usize> {
        let start = self.to_original(r.start);
        let end = self.to_original(r.end).max(start);
        start..end
    }

    /// Maps an offset in the current text to the original text.
    fn to_original(&self, offset: usize) -> usize {
        let mut result = offset as isize;
        for e in &self.edits {
            if e.now.end <= offset {
                result = offset as isize - e.now.end as isize + e.was.end as isize;
            } else if e.now.start <= offset {
                return e.was.start;
            }
        }
        result.max(0) as usize
    }

    /// Where `offset` in the current text came from. The parser points just
    /// before a bad value (at the blank after the colon), so blanks are
    /// skipped first.
    pub fn origin_of(&self, offset: usize) -> Origin {
        let rest = self.text.get(offset..).unwrap_or("");
        let offset = offset + (rest.len() - rest.trim_start().len());
        for e in &self.edits {
            if let Some(argument) = &e.argument
                && e.now.start <= offset
                && offset <= e.now.end
                && !e.now.is_empty()
            {
                return Origin::Override { argument: argument.clone() };
            }
        }
        let o = self.to_original(offset);
        let (line, column) = self.original_map.line_col(&self.original, o);
        Origin::File { file: self.name.clone(), line, column }
    }

    /// Byte offset in the current text of a 1-based line and column.
    pub fn offset_of(&self, line: usize, column: usize) -> usize {
        let mut start = 0usize;
        for _ in 1..line {
            match self.text[start..].find('\n') {
                Some(i) => start += i + 1,
                None => return self.text.len(),
            }
        }
        self.text[start..].char_indices().nth(column.saturating_sub(1)).map_or(self.text.len(), |(i, _)| start + i)
    }
}

/// A `--set` value must be one RON value and nothing else: pasted into the
/// text, anything more (`0.5)`, a comment, an open quote) would break the
/// file around it and be blamed on the file.
fn check_value(value: &str) -> Result<(), String> {
    if value.contains("//") || value.contains("/*") {
        return Err("a --set value cannot hold a comment".to_string());
    }
    let opts = ron::Options::default().with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME);
    opts.from_str::<ron::Value>(value).map(|_| ()).map_err(|e| format!("`{value}` is not one RON value ({})", e.code))
}

fn shift(r: &Range<usize>, delta: isize) -> Range<usize> {
    ((r.start as isize + delta) as usize)..((r.end as isize + delta) as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "Scenario(\n  metadata: (name: \"x\"),\n  civilians: (density: 0.7, legitimacy: 0.8),\n  map: (width_cells: 4),\n)\n";

    #[test]
    fn overrides_are_attributed_and_the_rest_maps_back() {
        let mut s = Source::new("f.ron", DOC);
        let over =
            [Override::parse("civilians.count=10").unwrap(), Override::parse("civilians.legitimacy=0.5").unwrap()];
        assert!(s.apply(&over).is_empty());
        assert!(!s.text.contains("density"), "{}", s.text);
        let at = s.text.find("0.5").unwrap();
        assert_eq!(s.origin_of(at), Origin::Override { argument: "--set civilians.legitimacy=0.5".into() });
        let w = s.text.find("width_cells").unwrap();
        assert_eq!(s.origin_of(w), Origin::File { file: "f.ron".into(), line: 4, column: 9 });
    }

    #[test]
    fn override_values_must_be_one_value() {
        for good in ["0.5", "Synchronous", "Uniform(min: 0.1, max: 0.9)", "\"name\"", "[(1, 2), (3, 4)]", "true"] {
            assert!(check_value(good).is_ok(), "{good}");
        }
        for bad in ["0.5)", "\"a", "\"a\" // x", "1 2", "(", "/* x */ 1"] {
            assert!(check_value(bad).is_err(), "{bad}");
        }
        let mut s = Source::new("f.ron", DOC);
        let d = s.apply(&[Override::parse("civilians.legitimacy=0.5)").unwrap()]);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].origin, Origin::Override { argument: "--set civilians.legitimacy=0.5)".into() });
    }

    #[test]
    fn override_syntax_is_checked() {
        assert!(Override::parse("nonsense").is_err());
        assert!(Override::parse("a..b=1").is_err());
        assert!(Override::parse("a.b=").is_err());
        assert_eq!(
            Override::parse(" a.b = 2 ").unwrap(),
            Override { path: "a.b".into(), value: "2".into(), written_as: None }
        );
    }
}
