//! Writing the catalog back in one canonical form: fixed table order, long lists one element per
//! line, defaults left out.

use serde::Serialize;
use toml_edit::{DocumentMut, Table, Value};

use super::{INDEX_FILE, SourceFile, bundle_file_path, item_file_path};
use crate::catalog::Catalog;
use crate::catalog::bundle::Bundle;
use crate::catalog::index::CatalogIndex;
use crate::catalog::item::Item;

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
