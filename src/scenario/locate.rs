//! Where each field of a RON scenario sits in its text.
//!
//! serde tells us *what* is wrong with a scenario but not *where* a
//! semantically bad value (out of range, inconsistent) is written. This module
//! walks the RON text once, without interpreting values, and records for every
//! field path (`civilians.legitimacy`, `changes[2].value`) the byte span of its
//! key and value. Validation uses it to point at line and column; `--set`
//! uses it to replace or insert a value in the text before parsing, so an
//! override is checked exactly like the file.

use std::collections::BTreeMap;
use std::ops::Range;

/// One located field: where its key and its value are written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldSpan {
    /// Byte range of the field name (absent for list elements and the root).
    pub key: Option<Range<usize>>,
    /// Byte range of the whole value, `Some(..)` and struct names included.
    pub value: Range<usize>,
    /// For struct-like values: byte offset just after the opening `(`, where a
    /// new field can be inserted.
    pub body_start: Option<usize>,
}

/// All field paths of a RON document with their spans. The root has path "".
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    pub fields: BTreeMap<String, FieldSpan>,
    line_starts: Vec<usize>,
    text_len: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    Ident,
    Literal,
    Open(char),
    Close(char),
    Colon,
    Comma,
    Other,
}

struct Lexer<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Lexer<'a> {
    fn new(text: &'a str) -> Self {
        Lexer { text, bytes: text.as_bytes(), pos: 0 }
    }

    fn skip_trivia(&mut self) {
        loop {
            while self.pos < self.bytes.len() && self.bytes[self.pos].is_ascii_whitespace() {
                self.pos += 1;
            }
            let rest = &self.text[self.pos..];
            if rest.starts_with("//") {
                self.pos += rest.find('\n').unwrap_or(rest.len());
            } else if rest.starts_with("/*") {
                // RON block comments nest.
                let mut depth = 0usize;
                let mut i = self.pos;
                while i < self.bytes.len() {
                    // Bytes, not `str` slices: `i` steps into multi-byte
                    // characters (a crash the fuzzer found).
                    if self.bytes[i..].starts_with(b"/*") {
                        depth += 1;
                        i += 2;
                    } else if self.bytes[i..].starts_with(b"*/") {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        i += 1;
                    }
                }
                self.pos = i;
            } else if rest.starts_with("#!") || rest.starts_with("#[") {
                // Attributes such as `#![enable(implicit_some)]`: skip to the
                // matching `]`.
                let mut depth = 0usize;
                let mut i = self.pos;
                while i < self.bytes.len() {
                    match self.bytes[i] {
                        b'[' => depth += 1,
                        b']' => {
                            depth = depth.saturating_sub(1);
                            if depth == 0 {
                                i += 1;
                                break;
                            }
                        }
                        _ => {}
                    }
                    i += 1;
                }
                self.pos = i;
            } else {
                return;
            }
        }
    }

    /// Next token and its byte range; `None` at the end of input.
    fn next(&mut self) -> Option<(Tok, Range<usize>)> {
        self.skip_trivia();
        let start = self.pos;
        let c = *self.bytes.get(start)?;
        let tok = match c {
            b'(' | b'[' | b'{' => {
                self.pos += 1;
                Tok::Open(c as char)
            }
            b')' | b']' | b'}' => {
                self.pos += 1;
                Tok::Close(c as char)
            }
            b':' => {
                self.pos += 1;
                Tok::Colon
            }
            b',' => {
                self.pos += 1;
                Tok::Comma
            }
            b'"' => {
                self.pos += 1;
                while self.pos < self.bytes.len() {
                    match self.bytes[self.pos] {
                        b'\\' => self.pos += 2,
                        b'"' => {
                            self.pos += 1;
                            break;
                        }
                        _ => self.pos += 1,
                    }
                }
                self.pos = self.pos.min(self.bytes.len());
                Tok::Literal
            }
            b'\'' => {
                self.pos += 1;
                while self.pos < self.bytes.len() {
                    match self.bytes[self.pos] {
                        b'\\' => self.pos += 2,
                        b'\'' => {
                            self.pos += 1;
                            break;
                        }
                        _ => self.pos += 1,
                    }
                }
                self.pos = self.pos.min(self.bytes.len());
                Tok::Literal
            }
            b'r' if self.text[start..].starts_with("r\"") || self.text[start..].starts_with("r#") => {
                let hashes = self.text[start + 1..].bytes().take_while(|&b| b == b'#').count();
                let close = format!("\"{}", "#".repeat(hashes));
                let body = start + 1 + hashes + 1;
                self.pos = match self.text.get(body..).and_then(|s| s.find(&close)) {
                    Some(i) => body + i + close.len(),
                    None => self.bytes.len(),
                };
                Tok::Literal
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                while self.pos < self.bytes.len()
                    && (self.bytes[self.pos].is_ascii_alphanumeric() || self.bytes[self.pos] == b'_')
                {
                    self.pos += 1;
                }
                Tok::Ident
            }
            c if c.is_ascii_digit() || c == b'-' || c == b'+' || c == b'.' => {
                self.pos += 1;
                while self.pos < self.bytes.len()
                    && (self.bytes[self.pos].is_ascii_alphanumeric() || matches!(self.bytes[self.pos], b'.' | b'_'))
                {
                    // An exponent sign: 1e-3.
                    self.pos += 1;
                    if matches!(self.bytes[self.pos - 1], b'e' | b'E')
                        && self.pos < self.bytes.len()
                        && matches!(self.bytes[self.pos], b'-' | b'+')
                    {
                        self.pos += 1;
                    }
                }
                Tok::Literal
            }
            _ => {
                // Advance by one whole character, never inside a UTF-8 sequence.
                let len = self.text[start..].chars().next().map_or(1, char::len_utf8);
                self.pos += len;
                Tok::Other
            }
        };
        Some((tok, start..self.pos))
    }
}

/// A token stream with one token of look-ahead.
struct Walker<'a> {
    toks: Vec<(Tok, Range<usize>)>,
    i: usize,
    text: &'a str,
    fields: BTreeMap<String, FieldSpan>,
}

impl Walker<'_> {
    fn peek(&self, k: usize) -> Option<&(Tok, Range<usize>)> {
        self.toks.get(self.i + k)
    }

    fn bump(&mut self) -> Option<(Tok, Range<usize>)> {
        let t = self.toks.get(self.i).cloned();
        self.i += 1;
        t
    }

    fn end_of_prev(&self) -> usize {
        self.toks.get(self.i.wrapping_sub(1)).map_or(0, |t| t.1.end)
    }

    /// Walks one value at `path`; records it and its children. Stops quietly
    /// at malformed input: the parser reports syntax errors, not this walker.
    fn value(&mut self, path: &str, key: Option<Range<usize>>) {
        let Some((tok, range)) = self.bump() else { return };
        let start = range.start;
        let mut body_start = None;
        match tok {
            Tok::Ident => {
                let name = &self.text[range.clone()];
                if matches!(self.peek(0), Some((Tok::Open('('), _))) {
                    if name == "Some" {
                        // Transparent: the inner value carries the fields.
                        self.bump();
                        let inner_start = self.i;
                        self.value(path, key.clone());
                        let inner = self.fields.get(path).cloned();
                        body_start = inner.and_then(|f| f.body_start);
                        let _ = inner_start;
                        self.skip_to_close(')');
                    } else {
                        let (_, open) = self.bump().expect("peeked");
                        body_start = Some(open.end);
                        self.body(path, ')');
                    }
                }
            }
            Tok::Open('(') => {
                body_start = Some(range.end);
                self.body(path, ')');
            }
            Tok::Open('[') => self.list(path),
            Tok::Open('{') => self.map(path),
            _ => {}
        }
        let end = self.end_of_prev().max(start);
        self.fields.insert(path.to_string(), FieldSpan { key, value: start..end, body_start });
    }

    fn skip_to_close(&mut self, close: char) {
        while let Some((tok, _)) = self.peek(0) {
            let tok = *tok;
            self.bump();
            if tok == Tok::Close(close) {
                return;
            }
        }
    }

    /// The inside of `( ... )`: named fields if it starts with `ident :`,
    /// otherwise positional (tuple) elements.
    fn body(&mut self, path: &str, close: char) {
        let mut index = 0usize;
        loop {
            match self.peek(0) {
                None => return,
                Some((Tok::Close(c), _)) if *c == close => {
                    self.bump();
                    return;
                }
                Some((Tok::Comma, _)) => {
                    self.bump();
                }
                Some((Tok::Ident, r)) if matches!(self.peek(1), Some((Tok::Colon, _))) => {
                    let r = r.clone();
                    let name = self.text[r.clone()].to_string();
                    self.bump();
                    self.bump();
                    let child = join(path, &name);
                    self.value(&child, Some(r));
                }
                Some((Tok::Close(_), _)) | Some((Tok::Colon, _)) | Some((Tok::Other, _)) => {
                    self.bump();
                }
                Some(_) => {
                    let child = format!("{path}.{index}");
                    self.value(&child, None);
                    index += 1;
                }
            }
        }
    }

    fn list(&mut self, path: &str) {
        let mut index = 0usize;
        loop {
            match self.peek(0) {
                None => return,
                Some((Tok::Close(']'), _)) => {
                    self.bump();
                    return;
                }
                Some((Tok::Comma, _)) | Some((Tok::Close(_), _)) | Some((Tok::Colon, _)) | Some((Tok::Other, _)) => {
                    self.bump();
                }
                Some(_) => {
                    let child = format!("{path}[{index}]");
                    self.value(&child, None);
                    index += 1;
                }
            }
        }
    }

    fn map(&mut self, path: &str) {
        loop {
            match self.peek(0) {
                None => return,
                Some((Tok::Close('}'), _)) => {
                    self.bump();
                    return;
                }
                Some((Tok::Literal, r)) | Some((Tok::Ident, r)) if matches!(self.peek(1), Some((Tok::Colon, _))) => {
                    let r = r.clone();
                    let name = self.text[r.clone()].trim_matches('"').to_string();
                    self.bump();
                    self.bump();
                    let child = format!("{path}[{name:?}]");
                    self.value(&child, Some(r));
                }
                Some(_) => {
                    self.bump();
                }
            }
        }
    }
}

fn join(parent: &str, name: &str) -> String {
    if parent.is_empty() { name.to_string() } else { format!("{parent}.{name}") }
}

impl SourceMap {
    /// Walks `text` and records every field path it can find. Never fails: on
    /// malformed text it records what it reached.
    pub fn new(text: &str) -> Self {
        let mut lexer = Lexer::new(text);
        let mut toks = Vec::new();
        while let Some(t) = lexer.next() {
            toks.push(t);
        }
        let mut walker = Walker { toks, i: 0, text, fields: BTreeMap::new() };
        walker.value("", None);
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        SourceMap { fields: walker.fields, line_starts, text_len: text.len() }
    }

    pub fn get(&self, path: &str) -> Option<&FieldSpan> {
        self.fields.get(path)
    }

    /// Best place to point at for `path`: its value if written, else the
    /// nearest written ancestor (a missing field is reported at its parent).
    pub fn offset_for(&self, path: &str) -> usize {
        let mut p = path;
        loop {
            if let Some(f) = self.fields.get(p) {
                return f.value.start;
            }
            match p.rfind(['.', '[']) {
                Some(i) => p = &p[..i],
                None => return self.fields.get("").map_or(0, |f| f.value.start),
            }
        }
    }

    /// The innermost field whose value covers byte `offset` (its end
    /// included: a parser may stop just after a bad token): (its path, where
    /// its value starts). The root is never returned.
    pub fn field_at(&self, offset: usize) -> Option<(&str, usize)> {
        self.fields
            .iter()
            .filter(|(path, f)| !path.is_empty() && f.value.start <= offset && offset <= f.value.end)
            .min_by_key(|(_, f)| f.value.len())
            .map(|(path, f)| (path.as_str(), f.value.start))
    }

    /// Where the field name of `path` is written, falling back to its value.
    pub fn key_offset_for(&self, path: &str) -> usize {
        match self.fields.get(path) {
            Some(FieldSpan { key: Some(k), .. }) => k.start,
            _ => self.offset_for(path),
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text_len);
        let line = self.line_starts.partition_point(|&s| s <= offset);
        let start = self.line_starts[line - 1];
        let col = text.get(start..offset).map_or(1, |s| s.chars().count() + 1);
        (line, col)
    }
}

/// Why a `--set` path could not be written into the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatchError(pub String);

/// A text with one value written into it.
#[derive(Debug, Clone)]
pub struct Patch {
    pub text: String,
    /// Where the new value sits in `text`.
    pub value: Range<usize>,
    /// Everything that changed, in `text`.
    pub new: Range<usize>,
    /// What it replaced, in the text before the patch.
    pub old_in_current: Range<usize>,
}

/// Returns `text` with the value at `path` replaced by `value`, inserting the
/// field (and any missing parent structs) if the file does not write it.
pub fn set_value(text: &str, path: &str, value: &str) -> Result<Patch, PatchError> {
    let map = SourceMap::new(text);
    if path.is_empty() {
        return Err(PatchError("the path is empty".into()));
    }
    if let Some(f) = map.get(path) {
        let mut out = String::with_capacity(text.len() + value.len());
        out.push_str(&text[..f.value.start]);
        out.push_str(value);
        out.push_str(&text[f.value.end..]);
        let new = f.value.start..f.value.start + value.len();
        return Ok(Patch { text: out, value: new.clone(), new, old_in_current: f.value.clone() });
    }
    // Find the deepest written ancestor struct and insert the rest there.
    let segments: Vec<&str> = path.split('.').collect();
    // List elements can be changed, not added: inserting `changes[3]: ..`
    // as a field would only confuse the parser.
    let mut prefix = String::new();
    for seg in &segments {
        if !prefix.is_empty() {
            prefix.push('.');
        }
        prefix.push_str(seg);
        if seg.contains('[') && map.get(&prefix).is_none() {
            return Err(PatchError(format!(
                "`{prefix}` is not in the scenario; --set changes list elements the file writes but cannot add new ones"
            )));
        }
    }
    for depth in (0..segments.len()).rev() {
        let parent = segments[..depth].join(".");
        let Some(f) = map.get(&parent) else { continue };
        let Some(at) = f.body_start else {
            return Err(PatchError(format!(
                "`{}` is not a structure, so it has no field `{}`",
                if parent.is_empty() { "the scenario" } else { &parent },
                segments[depth]
            )));
        };
        let rest = &segments[depth..];
        let mut insert = String::new();
        for seg in &rest[..rest.len() - 1] {
            insert.push_str(seg);
            insert.push_str(": (");
        }
        insert.push_str(rest[rest.len() - 1]);
        insert.push_str(": ");
        let value_start = at + insert.len();
        insert.push_str(value);
        for _ in &rest[..rest.len() - 1] {
            insert.push(')');
        }
        insert.push_str(", ");
        let mut out = String::with_capacity(text.len() + insert.len());
        out.push_str(&text[..at]);
        out.push_str(&insert);
        out.push_str(&text[at..]);
        return Ok(Patch {
            text: out,
            value: value_start..value_start + value.len(),
            new: at..at + insert.len(),
            old_in_current: at..at,
        });
    }
    Err(PatchError("the scenario has no top-level structure to write into".into()))
}

/// The bytes a field occupies, from its name to the comma after its value
/// (if any); `None` if the field is not written.
pub fn field_extent(text: &str, map: &SourceMap, path: &str) -> Option<Range<usize>> {
    let Some(FieldSpan { key: Some(key), value, .. }) = map.get(path) else {
        return None;
    };
    let mut end = value.end;
    let rest = &text[end..];
    let trimmed = rest.trim_start();
    if trimmed.starts_with(',') {
        end += rest.len() - trimmed.len() + 1;
    }
    Some(key.start..end)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "// header\n#![enable(implicit_some)]\nScenario(\n  metadata: (name: \"a, b\", seed: 3),\n  map: Some((width_cells: 40)),\n  civilians: (hardship: Uniform(min: 0.0, max: 1e-3)),\n  changes: [(at_tick: 5, value: -0.5), (at_tick: 6, value: 7)],\n)\n";

    #[test]
    fn finds_nested_fields_lists_and_some() {
        let m = SourceMap::new(DOC);
        let name = m.get("metadata.name").unwrap();
        assert_eq!(&DOC[name.value.clone()], "\"a, b\"");
        assert_eq!(&DOC[m.get("map.width_cells").unwrap().value.clone()], "40");
        assert_eq!(&DOC[m.get("civilians.hardship.max").unwrap().value.clone()], "1e-3");
        assert_eq!(&DOC[m.get("changes[1].value").unwrap().value.clone()], "7");
        assert_eq!(&DOC[m.get("changes[0].value").unwrap().value.clone()], "-0.5");
        let (line, col) = m.line_col(DOC, m.get("map.width_cells").unwrap().value.start);
        assert_eq!((line, col), (5, 27));
    }

    #[test]
    fn set_replaces_existing_and_inserts_missing() {
        let p = set_value(DOC, "metadata.seed", "99").unwrap();
        assert_eq!(&p.text[p.value], "99");
        assert!(p.text.contains("seed: 99"));
        let p = set_value(DOC, "police.vision_cells", "5").unwrap();
        assert_eq!(&p.text[p.value], "5");
        let m = SourceMap::new(&p.text);
        assert_eq!(&p.text[m.get("police.vision_cells").unwrap().value.clone()], "5");
        let t = set_value(DOC, "map.height_cells", "9").unwrap().text;
        let m = SourceMap::new(&t);
        assert_eq!(&t[m.get("map.height_cells").unwrap().value.clone()], "9");
        assert!(set_value(DOC, "metadata.seed.x", "1").is_err());
    }

    #[test]
    fn extent_takes_the_comma_too() {
        let m = SourceMap::new(DOC);
        let r = field_extent(DOC, &m, "metadata.seed").unwrap();
        assert_eq!(&DOC[r], "seed: 3");
    }
}
