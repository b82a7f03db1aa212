//! Listing and searching cases (办件查询): which cases a user may see, the filters of the
//! clerk's and supervisor's lists, and the text-search index's terms.

use super::{CASE_COLUMNS, CaseRow};
use crate::{Result, Store, on_pool};

/// Which cases a user may see, decided by the app from the user's role and binding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseScope {
    All,
    Applicant(i64),
    Center(String),
    Department(String),
    /// Received or handled in a region whose code starts with this prefix.
    RegionPrefix(String),
}

#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    pub status: Option<String>,
    pub department: Option<String>,
    pub center: Option<String>,
    pub region_prefix: Option<String>,
    /// Matches number, title and applicant name.
    pub text: Option<String>,
    /// Open sub-cases whose deadline is on or before this day (near-due or overdue).
    pub deadline_by: Option<String>,
    /// Open sub-cases whose deadline is before this day (overdue).
    pub deadline_before: Option<String>,
    pub limit: i64,
    pub offset: i64,
    /// Count at most this many matching cases for the total (`None`: count them all). A capped
    /// count costs a range of that length instead of every match in scope.
    pub count_cap: Option<i64>,
}

/// The text-search index's terms of a case: each distinct non-ASCII, non-space character of the
/// applicant name and title (what migrations 0010 backfill for older cases).
pub(crate) fn search_terms(applicant_name: &str, title: &str) -> Vec<String> {
    let mut terms: Vec<String> = Vec::new();
    for ch in applicant_name.chars().chain(title.chars()) {
        if ch.is_ascii() || ch.is_whitespace() {
            continue;
        }
        let t = ch.to_string();
        if !terms.contains(&t) {
            terms.push(t);
        }
    }
    terms
}

/// The term a text query is looked up by: its first non-ASCII, non-space character. `None` for
/// an all-ASCII query (it may be a piece of a case number, which the terms do not cover).
fn query_term(text: &str) -> Option<String> {
    text.chars()
        .find(|c| !c.is_ascii() && !c.is_whitespace())
        .map(String::from)
}

enum Bind {
    Text(String),
    Int(i64),
}

impl Store {
    /// Cases in scope matching the filter, newest first, with the total count (at most
    /// `f.count_cap`).
    pub async fn list_cases(
        &self,
        scope: &CaseScope,
        f: &CaseFilter,
    ) -> Result<(i64, Vec<CaseRow>)> {
        let mut conds: Vec<String> = Vec::new();
        let mut binds: Vec<Bind> = Vec::new();
        fn push(cond: &str, b: Bind, binds: &mut Vec<Bind>, conds: &mut Vec<String>) {
            binds.push(b);
            conds.push(cond.replace('?', &format!("${}", binds.len())));
        }
        match scope {
            CaseScope::All => {}
            CaseScope::Applicant(id) => push(
                "c.applicant_user_id = ?",
                Bind::Int(*id),
                &mut binds,
                &mut conds,
            ),
            CaseScope::Center(code) => push(
                "c.center_code = ?",
                Bind::Text(code.clone()),
                &mut binds,
                &mut conds,
            ),
            CaseScope::Department(code) => push(
                "EXISTS (SELECT 1 FROM sub_cases s WHERE s.case_number = c.number AND s.department_code = ?)",
                Bind::Text(code.clone()),
                &mut binds,
                &mut conds,
            ),
            CaseScope::RegionPrefix(p) => {
                // Received in the region, or handled there.
                binds.push(Bind::Text(format!("{p}%")));
                let n = binds.len();
                conds.push(format!(
                    "(c.received_region LIKE ${n} OR EXISTS (SELECT 1 FROM sub_cases s WHERE \
                     s.case_number = c.number AND s.handling_region LIKE ${n}))"
                ));
            }
        }
        if let Some(s) = &f.status {
            push(
                "c.status = ?",
                Bind::Text(s.clone()),
                &mut binds,
                &mut conds,
            );
        }
        if let Some(d) = &f.department {
            push(
                "EXISTS (SELECT 1 FROM sub_cases s WHERE s.case_number = c.number AND s.department_code = ?)",
                Bind::Text(d.clone()),
                &mut binds,
                &mut conds,
            );
        }
        if let Some(center) = &f.center {
            push(
                "c.center_code = ?",
                Bind::Text(center.clone()),
                &mut binds,
                &mut conds,
            );
        }
        if let Some(p) = &f.region_prefix {
            push(
                "c.received_region LIKE ?",
                Bind::Text(format!("{p}%")),
                &mut binds,
                &mut conds,
            );
        }
        // A text query with a non-ASCII character is driven by the term index: the postings of
        // one of its characters, newest first, joined to the case and checked with the full
        // `contains` below (every match has that character, so nothing is missed).
        let mut term = None;
        if let Some(t) = &f.text {
            let cleaned = t.replace(['%', '_'], "");
            term = query_term(&cleaned);
            if let Some(term) = &term {
                push(
                    "t.term = ? AND c.number = t.case_number",
                    Bind::Text(term.clone()),
                    &mut binds,
                    &mut conds,
                );
            }
            let pattern = format!("%{cleaned}%");
            binds.push(Bind::Text(pattern));
            let n = binds.len();
            conds.push(format!(
                "(c.number LIKE ${n} OR c.title LIKE ${n} OR c.applicant_name LIKE ${n})"
            ));
        }
        if let Some(d) = &f.deadline_by {
            push(
                "EXISTS (SELECT 1 FROM sub_cases s WHERE s.case_number = c.number AND \
                 s.deadline IS NOT NULL AND s.concluded_on IS NULL AND s.deadline <= ?)",
                Bind::Text(d.clone()),
                &mut binds,
                &mut conds,
            );
        }
        if let Some(d) = &f.deadline_before {
            push(
                "EXISTS (SELECT 1 FROM sub_cases s WHERE s.case_number = c.number AND \
                 s.deadline IS NOT NULL AND s.concluded_on IS NULL AND s.deadline < ?)",
                Bind::Text(d.clone()),
                &mut binds,
                &mut conds,
            );
        }
        let where_sql = if conds.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conds.join(" AND "))
        };
        // Newest first, as an index range: (created_at, number) ends every scope's index of
        // `cases` (migration 0010) and the primary key of `case_terms` after the term.
        let (from, order) = if term.is_some() {
            (
                "case_terms t CROSS JOIN cases c",
                "t.created_at DESC, t.case_number DESC",
            )
        } else {
            ("cases c", "c.created_at DESC, c.number DESC")
        };
        let count_sql = match f.count_cap {
            Some(cap) => format!(
                "SELECT COUNT(*) FROM (SELECT 1 FROM {from} {where_sql} LIMIT {}) AS counted",
                cap.max(0)
            ),
            None => format!("SELECT COUNT(*) FROM {from} {where_sql}"),
        };
        let n = binds.len();
        let list_sql = format!(
            "SELECT {CASE_COLUMNS} FROM {from} {where_sql} ORDER BY {order} LIMIT ${} OFFSET ${}",
            n + 1,
            n + 2
        );
        on_pool!(self, pool => {
            let mut q = sqlx::query_scalar(&count_sql);
            for b in &binds {
                q = match b { Bind::Text(s) => q.bind(s.clone()), Bind::Int(i) => q.bind(*i) };
            }
            let total: i64 = q.fetch_one(pool).await?;
            let mut q = sqlx::query_as(&list_sql);
            for b in &binds {
                q = match b { Bind::Text(s) => q.bind(s.clone()), Bind::Int(i) => q.bind(*i) };
            }
            let rows: Vec<CaseRow> = q.bind(f.limit).bind(f.offset).fetch_all(pool).await?;
            Ok((total, rows))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_are_the_distinct_non_ascii_characters() {
        assert_eq!(
            search_terms("李 四李", "城乡 A1-养老"),
            ["李", "四", "城", "乡", "养", "老"]
        );
        assert!(search_terms("Li Si", "ABC").is_empty());
    }

    #[test]
    fn a_query_is_looked_up_by_its_first_non_ascii_character() {
        assert_eq!(query_term(" a李四").as_deref(), Some("李"));
        assert_eq!(query_term("TB20261128"), None);
        assert_eq!(query_term("\u{3000}王"), Some("王".into()));
    }
}
