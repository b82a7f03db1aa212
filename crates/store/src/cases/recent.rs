//! Recently read and written cases, kept in the process (近期办件).
//!
//! An action reads its case right after the previous action wrote it, and on SQLite every read
//! transaction after a commit starts from an empty page cache, so a full read fetches the pages
//! of four queries again. An entry here is used only when the stored version is the one it holds:
//! every write to a case's rows is a version-checked change that moves the version, or the case's
//! creation, so an entry at the stored version is the stored rows. A stale entry costs a full
//! read, never a wrong answer; nodes sharing one PostgreSQL each keep their own.

use super::{CaseChange, CaseRecord, NewCase};

/// How many cases are kept: enough for every case in flight at a busy node many times over;
/// a case with its timeline is a few kilobytes, so this stays a few megabytes.
const RECENT_CASES_MAX: usize = 1024;

/// Cases by number, each at the version it was read or written at. The receiving center is not
/// kept: service centers change without the case's version moving, so it is read every time.
#[derive(Debug)]
pub(crate) struct RecentCases(quick_cache::sync::Cache<String, CaseRecord>);

impl Default for RecentCases {
    fn default() -> Self {
        RecentCases(quick_cache::sync::Cache::new(RECENT_CASES_MAX))
    }
}

impl RecentCases {
    /// The case at `version`, if that is the version kept (its `center` is `None`).
    pub(crate) fn get(&self, number: &str, version: i64) -> Option<CaseRecord> {
        self.0.get(number).filter(|r| r.case.version == version)
    }

    /// Keeps a case as just read from the database.
    pub(crate) fn keep(&self, record: &CaseRecord) {
        self.0.insert(
            record.case.number.clone(),
            CaseRecord {
                center: None,
                ..record.clone()
            },
        );
    }

    /// Keeps a case just created, ordered as a read returns its rows.
    pub(crate) fn keep_new(&self, new: &NewCase) {
        let mut record = CaseRecord {
            case: new.case.clone(),
            sub_cases: new.sub_cases.clone(),
            materials: new.materials.clone(),
            events: new.events.clone(),
            center: None,
        };
        record.sub_cases.sort_by_key(|s| s.seq);
        record
            .materials
            .sort_by(|a, b| a.material_code.cmp(&b.material_code));
        record.events.sort_by_key(|e| e.seq);
        self.0.insert(record.case.number.clone(), record);
    }

    /// Moves the kept case past change `ch`, which has just committed: if it was kept at the
    /// version the change was checked against, it now holds what the change wrote; otherwise it
    /// is dropped.
    pub(crate) fn advance(&self, ch: &CaseChange) {
        if let Some((number, mut record)) = self.0.remove(ch.number.as_str())
            && record.case.version == ch.expected_version
        {
            record.apply(ch);
            self.0.insert(number, record);
        }
    }
}
