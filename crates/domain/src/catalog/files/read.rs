//! Reading the catalog folder: every syntax, format and rule problem located to a file and line.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use serde::de::{DeserializeOwned, IntoDeserializer};
use toml_edit::{DocumentMut, ImDocument, Table, Value};

use super::{INDEX_FILE, SourceFile};
use crate::catalog::Catalog;
use crate::catalog::bundle::{Bundle, BundleItem};
use crate::catalog::index::{CatalogIndex, DepartmentType, LifeEvent};
use crate::catalog::item::{
    CommitmentSettings, FormField, Item, Material, ProcessStep, ResultSpec, ServiceStandard,
    ToleranceSettings,
};
use crate::catalog::problem::{Problem, Subject, codes};
use crate::catalog::validate::{Locus, check};

/// Reads a whole catalog folder: parses every file, collects every syntax and format problem of
/// every file, then checks the catalog's rules ([`crate::catalog::validate_catalog`]), and returns
/// the catalog only when there is no problem at all. Every problem has the file, and a line where
/// one can be found (a missing key points at its table).
///
/// Files are read in path order, so the catalog's items and bundles are in path order too. Files
/// not ending in `.toml` are ignored (so the whole folder may be passed); other `.toml` files
/// outside `catalog.toml`, `items/` and `bundles/` are a problem. An item or bundle file must be
/// named after its code.
pub fn parse_catalog(files: &[SourceFile]) -> Result<Catalog, Vec<Problem>> {
    let mut sorted: Vec<(String, &SourceFile)> =
        files.iter().map(|f| (normalize(&f.path), f)).collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));

    let mut problems = Vec::new();
    let mut read: Vec<ReadFile> = Vec::new();
    let mut index: Option<(CatalogIndex, usize)> = None;
    let mut items: Vec<(Item, usize)> = Vec::new();
    let mut bundles: Vec<(Bundle, usize)> = Vec::new();
    let mut unreadable_items = BTreeSet::new();
    let mut saw_index_file = false;
    let mut previous: Option<&str> = None;

    for (path, file) in &sorted {
        if previous == Some(path.as_str()) {
            problems.push(file_problem(
                path,
                Subject::Catalog,
                codes::DUPLICATE_FILE,
                "this file was given twice",
                "同一文件出现两次",
            ));
            continue;
        }
        previous = Some(path);
        let Some(kind) = Kind::of(path) else { continue };
        let at = read.len();
        match kind {
            Kind::Unexpected => problems.push(file_problem(
                path,
                Subject::Catalog,
                codes::UNEXPECTED_FILE,
                "a catalog holds catalog.toml, items/**/*.toml and bundles/**/*.toml only",
                "目录文件夹只能包含 catalog.toml、items/**/*.toml 和 bundles/**/*.toml",
            )),
            Kind::Index => {
                saw_index_file = true;
                let (rf, result) = read_file::<CatalogIndex>(path, &file.text, Kind::Index);
                read.push(rf);
                match result {
                    Ok(v) => index = Some((v, at)),
                    Err(ps) => problems.extend(ps),
                }
            }
            Kind::Item => {
                let (rf, result) = read_file::<Item>(path, &file.text, Kind::Item);
                match result {
                    Ok(v) => {
                        if let Some(p) = name_mismatch(&rf, &v.code) {
                            problems.push(p);
                        }
                        items.push((v, at));
                    }
                    Err(ps) => {
                        problems.extend(ps);
                        unreadable_items.insert(file_stem(path).to_owned());
                        if let Some(code) = rf.code.clone() {
                            unreadable_items.insert(code);
                        }
                    }
                }
                read.push(rf);
            }
            Kind::Bundle => {
                let (rf, result) = read_file::<Bundle>(path, &file.text, Kind::Bundle);
                match result {
                    Ok(v) => {
                        if let Some(p) = name_mismatch(&rf, &v.code) {
                            problems.push(p);
                        }
                        bundles.push((v, at));
                    }
                    Err(ps) => problems.extend(ps),
                }
                read.push(rf);
            }
        }
    }
    if !saw_index_file {
        problems.push(file_problem(
            INDEX_FILE,
            Subject::Catalog,
            codes::MISSING_INDEX,
            "the catalog folder has no catalog.toml",
            "目录文件夹缺少 catalog.toml",
        ));
    }

    let item_list: Vec<Item> = items.iter().map(|(i, _)| i.clone()).collect();
    let bundle_list: Vec<Bundle> = bundles.iter().map(|(b, _)| b.clone()).collect();
    let located = check(
        index.as_ref().map(|(i, _)| i),
        &item_list,
        &bundle_list,
        &unreadable_items,
    );
    for l in located {
        let file_at = match l.locus {
            Locus::Index => index.as_ref().map(|(_, at)| *at),
            Locus::Item(i) => items.get(i).map(|(_, at)| *at),
            Locus::Bundle(b) => bundles.get(b).map(|(_, at)| *at),
        };
        let mut problem = l.problem;
        if let Some(rf) = file_at.and_then(|at| read.get(at)) {
            problem.file = Some(rf.path.clone());
            problem.line = rf.line_of_path(&problem.path);
        }
        problems.push(problem);
    }

    match (index, problems.is_empty()) {
        (Some((index, _)), true) => Ok(Catalog {
            index,
            items: item_list,
            bundles: bundle_list,
        }),
        _ => {
            problems.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
            Err(problems)
        }
    }
}

/// Parses one item file (syntax and format only; the catalog's rules need the whole catalog).
pub fn parse_item(file: &SourceFile) -> Result<Item, Vec<Problem>> {
    read_file::<Item>(&normalize(&file.path), &file.text, Kind::Item).1
}

/// Parses one bundle file (syntax and format only).
pub fn parse_bundle(file: &SourceFile) -> Result<Bundle, Vec<Problem>> {
    read_file::<Bundle>(&normalize(&file.path), &file.text, Kind::Bundle).1
}

/// Parses `catalog.toml` (syntax and format only).
pub fn parse_index(file: &SourceFile) -> Result<CatalogIndex, Vec<Problem>> {
    read_file::<CatalogIndex>(&normalize(&file.path), &file.text, Kind::Index).1
}

/// Sets `file` and `line` of problems found in `file`'s content by path (e.g. problems of
/// [`crate::catalog::validate_catalog`] about an item edited in a page, mapped back to its text).
pub fn locate_problems(file: &SourceFile, problems: &mut [Problem]) {
    let Ok(doc) = ImDocument::parse(file.text.clone()) else {
        return;
    };
    let spans = SpanIndex::of(&doc);
    for p in problems {
        p.file = Some(normalize(&file.path));
        p.line = spans.line_of_path(&file.text, &p.path);
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Index,
    Item,
    Bundle,
    Unexpected,
}

impl Kind {
    /// `None` for files that are not TOML (ignored).
    fn of(path: &str) -> Option<Self> {
        if !path.ends_with(".toml") {
            return None;
        }
        Some(if path == INDEX_FILE {
            Self::Index
        } else if path.starts_with("items/") {
            Self::Item
        } else if path.starts_with("bundles/") {
            Self::Bundle
        } else {
            Self::Unexpected
        })
    }
}

fn normalize(path: &str) -> String {
    let p = path.replace('\\', "/");
    let mut p = p.as_str();
    while let Some(rest) = p.strip_prefix("./") {
        p = rest;
    }
    p.to_owned()
}

fn file_stem(path: &str) -> &str {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.strip_suffix(".toml").unwrap_or(name)
}

fn file_problem(path: &str, subject: Subject, code: &'static str, en: &str, zh: &str) -> Problem {
    let mut p = Problem::new(subject, "", code, en, zh);
    p.file = Some(path.to_owned());
    p
}

/// One file as read: kept to find lines for the catalog's rules later.
struct ReadFile {
    path: String,
    text: String,
    spans: Option<SpanIndex>,
    /// The `code` key, when the file has one.
    code: Option<String>,
}

impl ReadFile {
    fn line_of_path(&self, path: &str) -> Option<u32> {
        self.spans
            .as_ref()
            .and_then(|s| s.line_of_path(&self.text, path))
    }
}

fn name_mismatch(rf: &ReadFile, code: &str) -> Option<Problem> {
    let stem = file_stem(&rf.path);
    (stem != code).then(|| {
        let mut p = Problem::new(
            subject_for(Kind::of(&rf.path).unwrap_or(Kind::Unexpected), code),
            "code",
            codes::FILE_NAME_MISMATCH,
            format!("the file is named {stem}.toml but its code is {code}; name it {code}.toml"),
            format!("文件名为 {stem}.toml，而编码为 {code}；文件应命名为 {code}.toml"),
        );
        p.file = Some(rf.path.clone());
        p.line = rf.line_of_path("code");
        p
    })
}

fn subject_for(kind: Kind, code: &str) -> Subject {
    match kind {
        Kind::Index => Subject::Index,
        Kind::Item => Subject::Item(code.to_owned()),
        Kind::Bundle => Subject::Bundle(code.to_owned()),
        Kind::Unexpected => Subject::Catalog,
    }
}

/// Parses one file: syntax first, then the format, collecting as many format errors as it can.
fn read_file<T: DeserializeOwned>(
    path: &str,
    text: &str,
    kind: Kind,
) -> (ReadFile, Result<T, Vec<Problem>>) {
    let mut rf = ReadFile {
        path: path.to_owned(),
        text: text.to_owned(),
        spans: None,
        code: None,
    };
    let doc = match ImDocument::parse(text.to_owned()) {
        Ok(doc) => doc,
        Err(e) => {
            let mut p = Problem::new(
                subject_for(kind, file_stem(path)),
                "",
                codes::TOML_SYNTAX,
                format!("TOML syntax error: {}", e.message().trim_end()),
                format!("TOML 语法错误：{}", e.message().trim_end()),
            );
            p.file = Some(path.to_owned());
            p.line = e.span().map(|s| line_at(text, s.start));
            return (rf, Err(vec![p]));
        }
    };
    rf.code = doc.get("code").and_then(|c| c.as_str()).map(str::to_owned);
    let spans = SpanIndex::of(&doc);
    let subject = subject_for(kind, rf.code.as_deref().unwrap_or(file_stem(path)));
    let result = match toml_edit::de::from_document::<T>(DocumentMut::from(doc.as_table().clone()))
    {
        Ok(value) => Ok(value),
        Err(first) => {
            let mut errors = Vec::new();
            let root = doc.as_table();
            match kind {
                Kind::Index => {
                    collect::<CatalogIndex>(root, "", &spans, &mut errors);
                    each::<DepartmentType>(root, "department_types", &spans, &mut errors);
                    each::<LifeEvent>(root, "life_events", &spans, &mut errors);
                }
                Kind::Item => {
                    collect::<Item>(root, "", &spans, &mut errors);
                    part::<ServiceStandard>(root, "standard", &spans, &mut errors);
                    part::<ResultSpec>(root, "standard.result", &spans, &mut errors);
                    part::<ToleranceSettings>(root, "tolerance", &spans, &mut errors);
                    part::<CommitmentSettings>(root, "commitment", &spans, &mut errors);
                    each::<Material>(root, "materials", &spans, &mut errors);
                    each::<FormField>(root, "fields", &spans, &mut errors);
                    each::<ProcessStep>(root, "steps", &spans, &mut errors);
                }
                Kind::Bundle => {
                    collect::<Bundle>(root, "", &spans, &mut errors);
                    each::<BundleItem>(root, "items", &spans, &mut errors);
                }
                Kind::Unexpected => {}
            }
            if errors.is_empty() {
                errors.push(FormatError::new(&first, "", &spans));
            }
            let mut seen = BTreeSet::new();
            errors.retain(|e| seen.insert((e.path.clone(), e.message.clone())));
            errors.sort_by_key(|e| e.offset.unwrap_or(0));
            Err(errors
                .into_iter()
                .map(|e| {
                    let line = match e.offset {
                        Some(o) => Some(line_at(text, o)),
                        None => spans.line_of_path(text, &e.path),
                    };
                    let mut p =
                        Problem::new(subject.clone(), e.path, e.code, e.message, e.message_zh);
                    p.file = Some(path.to_owned());
                    p.line = line;
                    p
                })
                .collect())
        }
    };
    rf.spans = Some(spans);
    (rf, result)
}

/// A format error with its place.
struct FormatError {
    path: String,
    offset: Option<usize>,
    code: &'static str,
    message: String,
    message_zh: String,
}

impl FormatError {
    /// `base` is the path of the table that was deserialized.
    fn new(e: &toml_edit::de::Error, base: &str, spans: &SpanIndex) -> Self {
        let message = e.message().trim_end().to_owned();
        let quoted = message.split('`').nth(1).unwrap_or("").to_owned();
        let span = e.span();
        let at = span
            .as_ref()
            .and_then(|s| spans.path_at(s))
            .map(str::to_owned);
        let (code, path, message_zh) = if message.starts_with("missing field") {
            let table = at.unwrap_or_else(|| base.to_owned());
            (
                codes::MISSING_KEY,
                join(&table, &quoted),
                format!("缺少必填的键 `{quoted}`"),
            )
        } else if message.starts_with("unknown field") {
            let expected = message.split_once("expected ").map_or("", |(_, x)| x);
            (
                codes::UNKNOWN_KEY,
                at.unwrap_or_else(|| join(base, &quoted)),
                format!("不认识的键 `{quoted}`（可用的键：{expected}）"),
            )
        } else if message.starts_with("invalid type") || message.starts_with("wanted ") {
            let message = message
                .strip_prefix("wanted ")
                .map_or(message.clone(), |rest| {
                    format!("invalid type: wanted {rest}")
                });
            (
                codes::WRONG_TYPE,
                at.unwrap_or_else(|| base.to_owned()),
                format!("值的类型不对：{message}"),
            )
        } else if message.starts_with("unknown variant") {
            let expected = message.split_once("expected ").map_or("", |(_, x)| x);
            (
                codes::BAD_VALUE,
                at.unwrap_or_else(|| base.to_owned()),
                format!("`{quoted}` 不是可用的取值（可用值：{expected}）"),
            )
        } else {
            (
                codes::BAD_VALUE,
                at.unwrap_or_else(|| base.to_owned()),
                format!("取值无效：{message}"),
            )
        };
        Self {
            path,
            offset: span.map(|s| s.start),
            code,
            message,
            message_zh,
        }
    }
}

fn join(base: &str, key: &str) -> String {
    match (base.is_empty(), key.is_empty()) {
        (true, _) => key.to_owned(),
        (false, true) => base.to_owned(),
        (false, false) => format!("{base}.{key}"),
    }
}

/// Deserializes `table` as `T` again and again, each time without the top key that failed, so
/// every bad key of the table is reported, not only the first. Stops at the first missing key
/// (serde reports those only once everything present was read).
fn collect<T: DeserializeOwned>(
    table: &Table,
    base: &str,
    spans: &SpanIndex,
    errors: &mut Vec<FormatError>,
) {
    let mut table = table.clone();
    let mut removed = BTreeSet::new();
    for _ in 0..=table.len() {
        let Err(e) = toml_edit::de::from_document::<T>(DocumentMut::from(table.clone())) else {
            return;
        };
        let error = FormatError::new(&e, base, spans);
        let relative = if base.is_empty() {
            error.path.as_str()
        } else {
            error
                .path
                .strip_prefix(base)
                .and_then(|r| r.strip_prefix('.'))
                .unwrap_or("")
        };
        let top = relative.split(['.', '[']).next().unwrap_or("").to_owned();
        if error.code == codes::MISSING_KEY && relative == top {
            if !removed.contains(&top) {
                errors.push(error);
            }
            return;
        }
        errors.push(error);
        if top.is_empty() || table.remove(&top).is_none() {
            return;
        }
        removed.insert(top);
    }
}

/// [`collect`] on the table at a dotted `path`, if there is one.
fn part<T: DeserializeOwned>(
    root: &Table,
    path: &str,
    spans: &SpanIndex,
    errors: &mut Vec<FormatError>,
) {
    let mut item: Option<&toml_edit::Item> = None;
    let mut table = Some(root);
    for key in path.split('.') {
        item = table.and_then(|t| t.get(key));
        table = item.and_then(|i| i.as_table());
    }
    match item {
        Some(toml_edit::Item::Table(t)) => collect::<T>(t, path, spans, errors),
        Some(toml_edit::Item::Value(Value::InlineTable(t))) => {
            collect::<T>(&t.clone().into_table(), path, spans, errors);
        }
        _ => {}
    }
}

/// [`collect`] on every element of the array (of tables) at top-level `key`.
fn each<T: DeserializeOwned>(
    root: &Table,
    key: &str,
    spans: &SpanIndex,
    errors: &mut Vec<FormatError>,
) {
    match root.get(key) {
        Some(toml_edit::Item::ArrayOfTables(a)) => {
            for (i, t) in a.iter().enumerate() {
                collect::<T>(t, &format!("{key}[{i}]"), spans, errors);
            }
        }
        Some(toml_edit::Item::Value(Value::Array(a))) => {
            for (i, v) in a.iter().enumerate() {
                let base = format!("{key}[{i}]");
                match v {
                    Value::InlineTable(t) => {
                        collect::<T>(&t.clone().into_table(), &base, spans, errors)
                    }
                    other => {
                        if let Err(e) = T::deserialize(other.clone().into_deserializer()) {
                            errors.push(FormatError::new(&e, &base, spans));
                        }
                    }
                }
            }
        }
        _ => {}
    }
}

/// 1-based line of a byte offset.
pub(super) fn line_at(text: &str, offset: usize) -> u32 {
    let bytes = text.as_bytes();
    let upto = bytes.get(..offset.min(bytes.len())).unwrap_or(bytes);
    let newlines = upto.iter().filter(|&&b| b == b'\n').count();
    u32::try_from(newlines + 1).unwrap_or(u32::MAX)
}

/// Every key, value and table of a parsed document with its span and field path.
struct SpanIndex {
    entries: Vec<(Range<usize>, String)>,
    /// First span seen for each path (the key's, when the path ends in a key).
    by_path: BTreeMap<String, Range<usize>>,
}

impl SpanIndex {
    fn of(doc: &ImDocument<String>) -> Self {
        let mut index = Self {
            entries: Vec::new(),
            by_path: BTreeMap::new(),
        };
        if let Some(span) = doc.as_table().span() {
            index.add(span, "");
        }
        index.walk_table(doc.as_table(), "");
        index
    }

    fn add(&mut self, span: Range<usize>, path: &str) {
        self.by_path
            .entry(path.to_owned())
            .or_insert_with(|| span.clone());
        self.entries.push((span, path.to_owned()));
    }

    fn walk_table(&mut self, table: &Table, path: &str) {
        for (key, item) in table.iter() {
            let child = join(path, key);
            if let Some(span) = table.key(key).and_then(|k| k.span()) {
                self.add(span, &child);
            }
            self.walk_item(item, &child);
        }
    }

    fn walk_item(&mut self, item: &toml_edit::Item, path: &str) {
        match item {
            toml_edit::Item::None => {}
            toml_edit::Item::Table(t) => {
                if let Some(span) = t.span() {
                    self.add(span, path);
                }
                self.walk_table(t, path);
            }
            toml_edit::Item::ArrayOfTables(a) => {
                for (i, t) in a.iter().enumerate() {
                    let child = format!("{path}[{i}]");
                    if let Some(span) = t.span() {
                        self.add(span, &child);
                    }
                    self.walk_table(t, &child);
                }
            }
            toml_edit::Item::Value(v) => self.walk_value(v, path),
        }
    }

    fn walk_value(&mut self, value: &Value, path: &str) {
        if let Some(span) = value.span() {
            self.add(span, path);
        }
        match value {
            Value::Array(a) => {
                for (i, v) in a.iter().enumerate() {
                    self.walk_value(v, &format!("{path}[{i}]"));
                }
            }
            Value::InlineTable(t) => {
                for (key, v) in t.iter() {
                    let child = join(path, key);
                    if let Some(span) = t.key(key).and_then(|k| k.span()) {
                        self.add(span, &child);
                    }
                    self.walk_value(v, &child);
                }
            }
            _ => {}
        }
    }

    /// The path of the node with exactly this span, else of the smallest node containing its start.
    fn path_at(&self, span: &Range<usize>) -> Option<&str> {
        if let Some((_, path)) = self.entries.iter().find(|(s, _)| s == span) {
            return Some(path);
        }
        self.entries
            .iter()
            .filter(|(s, _)| s.start <= span.start && span.start < s.end.max(s.start + 1))
            .min_by_key(|(s, _)| s.end - s.start)
            .map(|(_, p)| p.as_str())
    }

    /// The line of `path`, or of its nearest existing parent; `None` when only the root is left.
    fn line_of_path(&self, text: &str, path: &str) -> Option<u32> {
        let mut path = path;
        while !path.is_empty() {
            if let Some(span) = self.by_path.get(path) {
                return Some(line_at(text, span.start));
            }
            path = parent(path);
        }
        None
    }
}

/// `materials[2].form` → `materials[2]` → `materials` → ``.
fn parent(path: &str) -> &str {
    if path.ends_with(']')
        && let Some(i) = path.rfind('[')
    {
        return path.get(..i).unwrap_or("");
    }
    match path.rfind('.') {
        Some(i) => path.get(..i).unwrap_or(""),
        None => "",
    }
}
