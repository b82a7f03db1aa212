//! 目录文件 — the catalog folder as text: reading it with every problem located to a file and line,
//! writing it back in one canonical form, and fingerprints for versioning.
//!
//! The folder is `catalog.toml` (the index), `items/**/*.toml` (one item each; canonically
//! `items/<department_type>/<code>.toml`) and `bundles/**/*.toml` (one bundle each; canonically
//! `bundles/<code>.toml`). Everything here is pure: the application walks the folder and hands the
//! files in as [`SourceFile`]s.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use serde::Serialize;
use serde::de::{DeserializeOwned, IntoDeserializer};
use toml_edit::{DocumentMut, ImDocument, Table, Value};

use super::Catalog;
use super::bundle::{Bundle, BundleItem};
use super::index::{CatalogIndex, DepartmentType, LifeEvent};
use super::item::{
    CommitmentSettings, FormField, Item, Material, ProcessStep, ResultSpec, ServiceStandard,
    ToleranceSettings,
};
use super::problem::{Problem, Subject, codes};
use super::validate::{Locus, check};

/// The index file's path inside the catalog folder.
pub const INDEX_FILE: &str = "catalog.toml";

/// One file of the catalog folder: its path relative to the folder (`/`-separated, e.g.
/// `items/hrss/430400-RS-0001.toml`) and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    pub path: String,
    pub text: String,
}

impl SourceFile {
    pub fn new(path: impl Into<String>, text: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            text: text.into(),
        }
    }
}

/// The canonical path of an item's file: `items/<department_type>/<code>.toml`.
pub fn item_file_path(item: &Item) -> String {
    format!("items/{}/{}.toml", item.department_type, item.code)
}

/// The canonical path of a bundle's file: `bundles/<code>.toml`.
pub fn bundle_file_path(bundle: &Bundle) -> String {
    format!("bundles/{}.toml", bundle.code)
}

/// A canonical text of the content (compact JSON in the types' field order), equal for equal
/// values whatever the file's layout, comments or key order. The store hashes it: a changed item
/// gets a new version, an unchanged one does not. Works for [`Item`], [`Bundle`] and
/// [`CatalogIndex`]; optional keys left out of a file are left out here too, so adding an optional
/// key to the format does not change the fingerprints of existing items.
pub fn content_fingerprint<T: Serialize + ?Sized>(value: &T) -> String {
    // Serializing these plain data types cannot fail; the fallback keeps this function total.
    serde_json::to_string(value).unwrap_or_else(|e| format!("unserializable: {e}"))
}

// ---------------------------------------------------------------------------------------------
// Reading

/// Reads a whole catalog folder: parses every file, collects every syntax and format problem of
/// every file, then checks the catalog's rules ([`super::validate_catalog`]), and returns the
/// catalog only when there is no problem at all. Every problem has the file, and a line where
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
/// [`super::validate_catalog`] about an item edited in a page, mapped back to its text).
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
fn line_at(text: &str, offset: usize) -> u32 {
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

// ---------------------------------------------------------------------------------------------
// Writing

/// The canonical text of an item file: top-level keys first, then `[standard]` (with
/// `[standard.result]`), `[tolerance]`, `[commitment]`, then the `[[materials]]`, `[[fields]]` and
/// `[[steps]]` arrays of tables; long lists one element per line. `parse_item` of it gives back
/// an equal item.
pub fn render_item(item: &Item) -> String {
    render(
        item,
        &[
            "standard",
            "tolerance",
            "commitment",
            "materials",
            "fields",
            "steps",
        ],
        &[("materials", "replaceable_by_commitment", "false")],
    )
}

/// The canonical text of a bundle file: top-level keys, then one `[[items]]` table per item.
pub fn render_bundle(bundle: &Bundle) -> String {
    render(bundle, &["items"], &[])
}

/// The canonical text of `catalog.toml`.
pub fn render_index(index: &CatalogIndex) -> String {
    render(index, &["department_types", "life_events"], &[])
}

/// Every file of a catalog at its canonical path, in path order.
pub fn render_catalog(catalog: &Catalog) -> Vec<SourceFile> {
    let mut files = vec![SourceFile::new(INDEX_FILE, render_index(&catalog.index))];
    files.extend(
        catalog
            .items
            .iter()
            .map(|i| SourceFile::new(item_file_path(i), render_item(i))),
    );
    files.extend(
        catalog
            .bundles
            .iter()
            .map(|b| SourceFile::new(bundle_file_path(b), render_bundle(b))),
    );
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}

/// Lists longer than this (in display columns) are written one element per line.
const WIDTH: usize = 80;

/// Serializes `value`, orders its tables as `table_order`, and drops keys that only repeat a
/// default (`(array, key, value)`).
fn render<T: Serialize>(
    value: &T,
    table_order: &[&str],
    defaults: &[(&str, &str, &str)],
) -> String {
    // Serializing the catalog's plain data types cannot fail; the fallbacks keep this total.
    let text = match toml::to_string(value) {
        Ok(text) => text,
        Err(e) => return format!("# cannot render: {e}\n"),
    };
    let Ok(mut doc) = text.parse::<DocumentMut>() else {
        return text;
    };
    let root = doc.as_table_mut();
    let mut position = 1;
    let mut keys: Vec<String> = table_order.iter().map(|k| (*k).to_owned()).collect();
    keys.extend(
        root.iter()
            .map(|(k, _)| k.to_owned())
            .filter(|k| !table_order.contains(&k.as_str())),
    );
    for key in &keys {
        match root.get_mut(key) {
            Some(toml_edit::Item::Table(t)) => position_tables(t, &mut position),
            Some(toml_edit::Item::ArrayOfTables(a)) => {
                for t in a.iter_mut() {
                    position_tables(t, &mut position);
                    for (array, k, default) in defaults {
                        if array == key
                            && t.get(k)
                                .and_then(|v| v.as_value())
                                .map(|v| v.to_string().trim().to_owned())
                                == Some((*default).to_owned())
                        {
                            t.remove(k);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    wrap_long_arrays(root);
    doc.to_string()
}

fn position_tables(table: &mut Table, position: &mut usize) {
    table.set_position(*position);
    *position += 1;
    for (_, item) in table.iter_mut() {
        if let toml_edit::Item::Table(t) = item {
            position_tables(t, position);
        }
    }
}

fn columns(s: &str) -> usize {
    s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

fn wrap_long_arrays(table: &mut Table) {
    for (key, item) in table.iter_mut() {
        match item {
            toml_edit::Item::Value(Value::Array(a))
                if columns(key.get()) + 3 + columns(&a.to_string()) > WIDTH =>
            {
                for v in a.iter_mut() {
                    v.decor_mut().set_prefix("\n    ");
                    v.decor_mut().set_suffix("");
                }
                a.set_trailing_comma(true);
                a.set_trailing("\n");
            }
            toml_edit::Item::Table(t) => wrap_long_arrays(t),
            toml_edit::Item::ArrayOfTables(ts) => {
                for t in ts.iter_mut() {
                    wrap_long_arrays(t);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::catalog::fixtures::*;
    use crate::catalog::item::*;

    /// 1-based line of the first line of `text` containing `needle`.
    fn line_of(text: &str, needle: &str) -> u32 {
        let i = text.lines().position(|l| l.contains(needle));
        u32::try_from(i.unwrap_or_else(|| panic!("{needle:?} not in:\n{text}")) + 1).unwrap()
    }

    /// Replaces the `nth` (0-based) occurrence of `from`.
    fn replace_nth(text: &str, from: &str, to: &str, nth: usize) -> String {
        let (i, _) = text
            .match_indices(from)
            .nth(nth)
            .unwrap_or_else(|| panic!("{from:?}"));
        format!("{}{}{}", &text[..i], to, &text[i + from.len()..])
    }

    fn rich_item() -> Item {
        let mut i = item("430400-RS-0001", "城乡居民基本养老保险参保登记");
        i.aliases = vec!["养老保险参保".into(), "居民养老保险登记".into()];
        i.life_events = vec!["elderly".into(), "birth".into()];
        i.standard.conditions = "年满16周岁（不含在校学生），非国家机关和事业单位工作人员，\n不属于职工基本养老保险制度覆盖范围的城乡居民".into();
        i.standard.fee_basis = Some("不收费".into());
        i.standard.result.certificate_type = Some("参保证明".into());
        i.standard.legal_basis.push(
            "《国务院关于建立统一的城乡居民基本养老保险制度的意见》（国发〔2014〕8号）".into(),
        );
        let mut hk = material("M-HK", "户口簿");
        hk.form = MaterialForm::Original;
        hk.tolerable_days = Some(5);
        hk.note = Some("户主页和本人页".into());
        let mut poa = material("M-POA", "授权委托书");
        poa.requirement = Requirement::Conditional;
        poa.condition = Some("委托他人办理的".into());
        poa.replaceable_by_commitment = true;
        poa.e_certificate = Some("授权委托书".into());
        i.materials.extend([hk, poa]);
        let mut sel = field("marital", FieldType::Select);
        sel.options = vec!["未婚".into(), "已婚".into(), "离异".into(), "丧偶".into()];
        sel.label_en = Some("Marital \"status\"".into());
        sel.help = Some("按户口簿\\填写".into());
        let mut age = field("age", FieldType::Number);
        age.min = Some(16.0);
        age.max = Some(120.5);
        i.fields.extend([sel, age]);
        i.steps[1].name = "初审".into();
        i.modes = vec![
            HandlingMode::Online,
            HandlingMode::Tolerance,
            HandlingMode::Commitment,
        ];
        i.tolerance = Some(ToleranceSettings {
            on_expiry: ToleranceExpiry::Suspend,
        });
        i.commitment = Some(CommitmentSettings {
            text: "本人承诺：\n所提供信息真实有效。".into(),
            verification_percent: 20,
            bar_days: 365,
        });
        i
    }

    fn valid_files() -> Vec<SourceFile> {
        let mut b = item("430400-MZ-0001", "老年人优待证办理");
        b.department_type = "civil_affairs".into();
        let c = catalog(
            vec![rich_item(), b],
            vec![bundle(
                "YJS-LN",
                &[
                    ("430400-RS-0001", &[]),
                    ("430400-MZ-0001", &["430400-RS-0001"]),
                ],
            )],
        );
        render_catalog(&c)
    }

    fn file<'a>(files: &'a [SourceFile], path: &str) -> &'a SourceFile {
        files.iter().find(|f| f.path == path).unwrap()
    }

    fn set(files: &mut [SourceFile], path: &str, text: String) {
        files.iter_mut().find(|f| f.path == path).unwrap().text = text;
    }

    const RS: &str = "items/hrss/430400-RS-0001.toml";
    const MZ: &str = "items/civil_affairs/430400-MZ-0001.toml";
    const YJS: &str = "bundles/YJS-LN.toml";

    #[test]
    fn rendered_item_reads_well_and_round_trips() {
        let item = rich_item();
        let text = render_item(&item);
        let order: Vec<u32> = [
            "code = ",
            "committed_limit_days",
            "jurisdiction = ",
            "[standard]",
            "[standard.result]",
            "[tolerance]",
            "[commitment]",
            "[[materials]]",
            "[[fields]]",
            "[[steps]]",
        ]
        .iter()
        .map(|n| line_of(&text, n))
        .collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}\n{text}");
        assert!(
            !text.contains("replaceable_by_commitment = false"),
            "{text}"
        );
        assert!(text.contains("replaceable_by_commitment = true"));
        assert!(!text.contains("= {"), "no inline tables:\n{text}");
        assert!(
            text.contains("legal_basis = [\n    \""),
            "long list wrapped:\n{text}"
        );
        assert!(
            text.contains("modes = [\"online\", \"tolerance\", \"commitment\"]\n"),
            "{text}"
        );
        let back = parse_item(&SourceFile::new(item_file_path(&item), text.clone())).unwrap();
        assert_eq!(back, item);
        assert_eq!(render_item(&back), text, "rendering is stable");
    }

    #[test]
    fn whole_catalog_round_trips() {
        let files = valid_files();
        let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, [YJS, "catalog.toml", MZ, RS]);
        let catalog = parse_catalog(&files).unwrap();
        assert_eq!(
            catalog.items[0].code, "430400-MZ-0001",
            "items in path order"
        );
        assert_eq!(render_catalog(&catalog), files);
        // Order of the input does not matter; non-TOML files are ignored.
        let mut shuffled = files.clone();
        shuffled.reverse();
        shuffled.push(SourceFile::new("README.md", "# 目录"));
        assert_eq!(parse_catalog(&shuffled).unwrap(), catalog);
    }

    #[test]
    fn fingerprint_ignores_layout_but_not_content() {
        let item = rich_item();
        let text = render_item(&item);
        let shuffled = format!("# 注释\n{}", text.replace("\n\n", "\n\n# more\n"));
        let again = parse_item(&SourceFile::new(RS, shuffled)).unwrap();
        assert_eq!(content_fingerprint(&again), content_fingerprint(&item));
        let mut changed = item.clone();
        changed.committed_limit_days = 9;
        assert_ne!(content_fingerprint(&changed), content_fingerprint(&item));
        assert!(content_fingerprint(&item).starts_with("{\"code\":\"430400-RS-0001\""));
    }

    #[test]
    fn canonical_paths() {
        assert_eq!(item_file_path(&rich_item()), RS);
        assert_eq!(bundle_file_path(&bundle("YJS-LN", &[])), YJS);
    }

    #[test]
    fn syntax_error_has_file_and_line() {
        let mut files = valid_files();
        let text = replace_nth(
            &file(&files, RS).text,
            "name = \"户口簿\"",
            "name = \"户口簿",
            0,
        );
        let line = line_of(&text, "name = \"户口簿");
        set(&mut files, RS, text);
        let problems = parse_catalog(&files).unwrap_err();
        let p = &problems[0];
        assert_eq!(
            (p.code, p.file.as_deref(), p.line),
            (codes::TOML_SYNTAX, Some(RS), Some(line))
        );
        assert_eq!(
            problems.len(),
            1,
            "the bundle does not also complain: {problems:?}"
        );
    }

    #[test]
    fn format_errors_from_all_files_in_one_run() {
        let mut files = valid_files();
        // Item RS: two bad materials, an unknown top-level key and a bad enum.
        let mut rs = file(&files, RS).text.clone();
        rs = replace_nth(&rs, "form = \"original\"", "form = \"scan\"", 0);
        rs = replace_nth(&rs, "code = \"M-POA\"", "code = \"M-POA\"\ncopise = 2", 0);
        rs = replace_nth(
            &rs,
            "kind = \"public_service\"",
            "kind = \"public_service\"\nowner = \"x\"",
            0,
        );
        rs = replace_nth(&rs, "scope = \"city\"", "scope = \"planet\"", 0);
        rs = replace_nth(&rs, "role = \"clerk\"", "role = 3", 0);
        // Item MZ: a missing key in [standard] and a missing top-level key.
        let mut mz = file(&files, MZ).text.clone();
        mz = replace_nth(&mz, "place = ", "# place = ", 0);
        mz = replace_nth(&mz, "audience = \"person\"\n", "", 0);
        // Bundle: a key of the wrong type inside [[items]].
        let yjs = replace_nth(&file(&files, YJS).text, "needs = [", "needs = 7\nx = [", 0);
        // Index: an unknown key in a department type.
        let idx = replace_nth(
            &file(&files, "catalog.toml").text,
            "short_name = \"人社\"",
            "short = \"人社\"",
            0,
        );
        set(&mut files, RS, rs.clone());
        set(&mut files, MZ, mz.clone());
        set(&mut files, YJS, yjs.clone());
        set(&mut files, "catalog.toml", idx.clone());

        let problems = parse_catalog(&files).unwrap_err();
        let got: Vec<(&str, &str, &str, u32)> = problems
            .iter()
            .map(|p| {
                (
                    p.file.as_deref().unwrap(),
                    p.code,
                    p.path.as_str(),
                    p.line.unwrap_or(0),
                )
            })
            .collect();
        let want = vec![
            (
                YJS,
                codes::WRONG_TYPE,
                "items[1].needs",
                line_of(&yjs, "needs = 7"),
            ),
            (
                YJS,
                codes::UNKNOWN_KEY,
                "items[1].x",
                line_of(&yjs, "x = ["),
            ),
            // A missing key points at its table's header.
            (
                "catalog.toml",
                codes::MISSING_KEY,
                "department_types[0].short_name",
                line_of(&idx, "[[department_types]]"),
            ),
            (
                "catalog.toml",
                codes::UNKNOWN_KEY,
                "department_types[0].short",
                line_of(&idx, "short = "),
            ),
            (MZ, codes::MISSING_KEY, "audience", 1),
            (
                MZ,
                codes::MISSING_KEY,
                "standard.place",
                line_of(&mz, "[standard]"),
            ),
            (RS, codes::UNKNOWN_KEY, "owner", line_of(&rs, "owner = ")),
            (RS, codes::BAD_VALUE, "scope", line_of(&rs, "planet")),
            (
                RS,
                codes::BAD_VALUE,
                "materials[1].form",
                line_of(&rs, "\"scan\""),
            ),
            (
                RS,
                codes::UNKNOWN_KEY,
                "materials[2].copise",
                line_of(&rs, "copise"),
            ),
            (
                RS,
                codes::WRONG_TYPE,
                "steps[0].role",
                line_of(&rs, "role = 3"),
            ),
        ];
        assert_eq!(got, want, "{problems:#?}");
        let unknown = problems.iter().find(|p| p.path == "owner").unwrap();
        assert!(
            unknown.message.contains("unknown field `owner`"),
            "{}",
            unknown.message
        );
        assert!(
            unknown.message_zh.contains("不认识的键 `owner`"),
            "{}",
            unknown.message_zh
        );
        assert_eq!(unknown.subject, Subject::Item("430400-RS-0001".into()));
    }

    #[test]
    fn semantic_problems_get_file_and_line() {
        let mut files = valid_files();
        let mut rs = file(&files, RS).text.clone();
        rs = replace_nth(&rs, "tolerable_days = 5", "tolerable_days = 0", 0);
        rs = replace_nth(
            &rs,
            "committed_limit_days = 10",
            "committed_limit_days = 30",
            0,
        );
        let mut mz = file(&files, MZ).text.clone();
        mz = replace_nth(&mz, "name = \"居民身份证\"", "name = \"身份证\"", 0);
        mz = replace_nth(
            &mz,
            "department_type = \"civil_affairs\"",
            "department_type = \"police\"",
            0,
        );
        // A rule about a key that is absent points at its parent: the [[materials]] table.
        mz = replace_nth(
            &mz,
            "requirement = \"required\"",
            "requirement = \"conditional\"",
            0,
        );
        let yjs = replace_nth(
            &file(&files, YJS).text,
            "needs = [\"430400-RS-0001\"]",
            "needs = [\"430400-MZ-0001\"]",
            0,
        );
        set(&mut files, RS, rs.clone());
        set(&mut files, MZ, mz.clone());
        set(&mut files, YJS, yjs.clone());
        let problems = parse_catalog(&files).unwrap_err();
        let got: Vec<(&str, &str, &str, u32)> = problems
            .iter()
            .map(|p| {
                (
                    p.file.as_deref().unwrap(),
                    p.code,
                    p.path.as_str(),
                    p.line.unwrap_or(0),
                )
            })
            .collect();
        let want = vec![
            (
                YJS,
                codes::BUNDLE_CYCLE,
                "items[1].needs[0]",
                line_of(&yjs, "needs = [\"430400-MZ"),
            ),
            (
                MZ,
                codes::UNKNOWN_DEPARTMENT_TYPE,
                "department_type",
                line_of(&mz, "police"),
            ),
            (
                MZ,
                codes::CONDITIONAL_WITHOUT_CONDITION,
                "materials[0].condition",
                line_of(&mz, "[[materials]]"),
            ),
            (
                RS,
                codes::COMMITTED_OVER_LEGAL,
                "committed_limit_days",
                line_of(&rs, "committed_limit_days"),
            ),
            // MZ's file comes first, so RS's name is the one that conflicts.
            (
                RS,
                codes::MATERIAL_NAME_CONFLICT,
                "materials[0].name",
                line_of(&rs, "\"居民身份证\""),
            ),
            (
                RS,
                codes::TOLERABLE_DAYS_ZERO,
                "materials[1].tolerable_days",
                line_of(&rs, "tolerable_days = 0"),
            ),
        ];
        assert_eq!(got, want, "{problems:#?}");
    }

    #[test]
    fn folder_problems() {
        let mut files = valid_files();
        files.retain(|f| f.path != "catalog.toml");
        files.push(SourceFile::new("notes/extra.toml", "a = 1"));
        files.push(file(&files, YJS).clone());
        let mut renamed = file(&files, MZ).clone();
        renamed.path = "items/civil_affairs/old-name.toml".into();
        files.retain(|f| f.path != MZ);
        files.push(renamed);
        let problems = parse_catalog(&files).unwrap_err();
        let got: Vec<(&str, &str)> = problems
            .iter()
            .map(|p| (p.file.as_deref().unwrap(), p.code))
            .collect();
        assert_eq!(
            got,
            [
                (YJS, codes::DUPLICATE_FILE),
                ("catalog.toml", codes::MISSING_INDEX),
                (
                    "items/civil_affairs/old-name.toml",
                    codes::FILE_NAME_MISMATCH
                ),
                ("notes/extra.toml", codes::UNEXPECTED_FILE),
            ],
            "{problems:#?}"
        );
    }

    #[test]
    fn locate_problems_maps_paths_to_lines() {
        let text = render_item(&rich_item());
        let f = SourceFile::new(RS, text.clone());
        let mut ps = vec![
            Problem::new(
                Subject::Index,
                "fields[2].options[1]",
                codes::DUPLICATE_OPTION,
                "",
                "",
            ),
            Problem::new(
                Subject::Index,
                "steps[1].nothing",
                codes::EMPTY_NAME,
                "",
                "",
            ),
            Problem::new(Subject::Index, "", codes::EMPTY_NAME, "", ""),
        ];
        locate_problems(&f, &mut ps);
        let idx = text.lines().position(|l| l.contains("\"已婚\"")).unwrap();
        assert!(ps[0].line.unwrap() as usize <= idx + 1);
        let steps_1 = text
            .match_indices("[[steps]]")
            .nth(1)
            .map(|(i, _)| line_at(&text, i));
        assert_eq!(ps[1].line, steps_1);
        assert_eq!(ps[2].line, None);
        assert_eq!(ps[0].file.as_deref(), Some(RS));
    }

    #[test]
    fn index_and_bundle_round_trip() {
        let idx = index();
        assert_eq!(
            parse_index(&SourceFile::new("catalog.toml", render_index(&idx))).unwrap(),
            idx
        );
        let b = bundle("YJS-1", &[("A", &[]), ("B", &["A"])]);
        let text = render_bundle(&b);
        assert!(
            text.contains("[[items]]\nitem = \"B\"\nneeds = [\"A\"]"),
            "{text}"
        );
        assert_eq!(
            parse_bundle(&SourceFile::new(bundle_file_path(&b), text)).unwrap(),
            b
        );
    }

    /// The examples in docs/CATALOG.md are in the format, and the index and item are valid.
    #[test]
    fn documented_examples_are_valid() {
        let doc = include_str!("../../../../docs/CATALOG.md");
        let files: Vec<SourceFile> = doc
            .split("```toml\n")
            .skip(1)
            .filter_map(|block| {
                let block = block.split("```").next()?;
                let path = block.lines().next()?.strip_prefix("# file: ")?;
                Some(SourceFile::new(path, block))
            })
            .collect();
        assert_eq!(files.len(), 3);
        let index = parse_index(&files[0]).unwrap();
        let item = parse_item(&files[1]).unwrap();
        parse_bundle(&files[2]).unwrap();
        let catalog = Catalog {
            index,
            items: vec![item],
            bundles: vec![],
        };
        assert_eq!(crate::catalog::validate_catalog(&catalog), vec![]);
        assert_eq!(parse_catalog(&files[..2]).unwrap(), catalog);
    }

    // ---- property: parse(render(x)) == x

    fn text() -> impl Strategy<Value = String> {
        "[a-zA-Z0-9 _\\-\"'\\\\\n\t#=\\[\\]{}，。《》（）养老保险登记证明]{0,24}"
    }

    fn opt<T: std::fmt::Debug + Clone>(
        s: impl Strategy<Value = T>,
    ) -> impl Strategy<Value = Option<T>> {
        proptest::option::of(s)
    }

    fn any_material() -> impl Strategy<Value = Material> {
        (
            (
                text(),
                text(),
                prop_oneof![
                    Just(MaterialForm::Electronic),
                    Just(MaterialForm::Copy),
                    Just(MaterialForm::Original)
                ],
                0u32..5,
            ),
            (
                prop_oneof![Just(Requirement::Conditional), Just(Requirement::Required)],
                opt(text()),
                opt(0u32..30),
                any::<bool>(),
            ),
            (opt(text()), opt(text())),
        )
            .prop_map(
                |(
                    (code, name, form, copies),
                    (requirement, condition, tolerable_days, r),
                    (e, note),
                )| Material {
                    code,
                    name,
                    form,
                    copies,
                    requirement,
                    condition,
                    tolerable_days,
                    replaceable_by_commitment: r,
                    e_certificate: e,
                    note,
                },
            )
    }

    fn any_field() -> impl Strategy<Value = FormField> {
        let types = prop_oneof![
            Just(FieldType::Text),
            Just(FieldType::Textarea),
            Just(FieldType::Number),
            Just(FieldType::Date),
            Just(FieldType::Bool),
            Just(FieldType::Select),
            Just(FieldType::ResidentId),
            Just(FieldType::CreditCode),
            Just(FieldType::Mobile),
            Just(FieldType::Region),
        ];
        (
            (text(), text(), opt(text()), types, any::<bool>()),
            (opt(0u32..500), opt(-1.0e9f64..1.0e9), opt(-1.0e9f64..1.0e9)),
            (proptest::collection::vec(text(), 0..4), opt(text())),
        )
            .prop_map(
                |(
                    (key, label, label_en, field_type, required),
                    (max_length, min, max),
                    (options, help),
                )| FormField {
                    key,
                    label,
                    label_en,
                    field_type,
                    required,
                    max_length,
                    min,
                    max,
                    options,
                    help,
                },
            )
    }

    fn any_step() -> impl Strategy<Value = ProcessStep> {
        let kinds = prop_oneof![
            Just(StepKind::Accept),
            Just(StepKind::Review),
            Just(StepKind::Decide),
            Just(StepKind::Conclude),
            Just(StepKind::Deliver),
        ];
        let roles = prop_oneof![
            Just(Role::Clerk),
            Just(Role::Approver),
            Just(Role::Applicant)
        ];
        (kinds, text(), roles, 0u32..101).prop_map(|(kind, name, role, share_percent)| {
            ProcessStep {
                kind,
                name,
                role,
                share_percent,
            }
        })
    }

    fn any_item() -> impl Strategy<Value = Item> {
        let modes = proptest::sample::subsequence(
            vec![
                HandlingMode::Online,
                HandlingMode::Tolerance,
                HandlingMode::Commitment,
                HandlingMode::Appointment,
                HandlingMode::Agent,
            ],
            0..5,
        );
        (
            (
                text(),
                text(),
                proptest::collection::vec(text(), 0..3),
                proptest::collection::vec(text(), 0..3),
            ),
            (
                0u32..100,
                0u32..100,
                text(),
                prop_oneof![Just(0.0f64), 0.0f64..1.0e6],
                opt(text()),
                text(),
            ),
            (
                prop_oneof![
                    Just(ResultKind::Certificate),
                    Just(ResultKind::Decision),
                    Just(ResultKind::Notice)
                ],
                text(),
                opt(text()),
                proptest::collection::vec(text(), 0..4),
            ),
            (
                proptest::collection::vec(any_material(), 0..4),
                proptest::collection::vec(any_field(), 0..4),
                proptest::collection::vec(any_step(), 0..5),
                modes,
            ),
            (
                opt(prop_oneof![
                    Just(ToleranceExpiry::Terminate),
                    Just(ToleranceExpiry::Suspend)
                ]),
                opt((text(), 0u32..200, 0u32..1000)),
                prop_oneof![
                    Just(JurisdictionRule::Hukou),
                    Just(JurisdictionRule::ReceivingCenter)
                ],
            ),
        )
            .prop_map(
                |(
                    (code, name, aliases, life_events),
                    (legal, committed, conditions, fee, fee_basis, place),
                    (rk, rname, ctype, basis),
                    (materials, fields, steps, modes),
                    (tol, com, jurisdiction),
                )| {
                    let mut i = item(&code, &name);
                    i.aliases = aliases;
                    i.life_events = life_events;
                    i.legal_limit_days = legal;
                    i.committed_limit_days = committed;
                    i.standard = ServiceStandard {
                        conditions,
                        fee_yuan: fee,
                        fee_basis,
                        place,
                        result: ResultSpec {
                            kind: rk,
                            name: rname,
                            certificate_type: ctype,
                        },
                        legal_basis: basis,
                    };
                    i.materials = materials;
                    i.fields = fields;
                    i.steps = steps;
                    i.modes = modes;
                    i.jurisdiction = jurisdiction;
                    i.tolerance = tol.map(|on_expiry| ToleranceSettings { on_expiry });
                    i.commitment =
                        com.map(
                            |(text, verification_percent, bar_days)| CommitmentSettings {
                                text,
                                verification_percent,
                                bar_days,
                            },
                        );
                    i
                },
            )
    }

    proptest! {
        #[test]
        fn any_item_round_trips(item in any_item()) {
            let text = render_item(&item);
            let back = parse_item(&SourceFile::new("items/x/y.toml", text.clone()));
            prop_assert_eq!(back.as_ref().ok(), Some(&item), "{}\n{:?}", text, back);
            prop_assert_eq!(content_fingerprint(back.as_ref().ok().unwrap()), content_fingerprint(&item));
        }

        #[test]
        fn any_bundle_round_trips(
            code in text(), name in text(), desc in text(),
            entries in proptest::collection::vec((text(), proptest::collection::vec(text(), 0..3)), 0..4),
        ) {
            let b = Bundle {
                code, name, aliases: vec![], life_event: "x".into(), audience: Audience::Both, description: desc,
                items: entries.into_iter().map(|(item, needs)| BundleItem { item, needs }).collect(),
            };
            let text = render_bundle(&b);
            prop_assert_eq!(parse_bundle(&SourceFile::new("bundles/x.toml", text.clone())).ok(), Some(b), "{}", text);
        }
    }
}
