//! The rows of a case's tables as inserted, for both a new case (`insert_case!`) and the
//! generator's copies (`crate::bulk`): each `INSERT_*` head lists the columns its `bind_*!` macro
//! binds on one row of `push_values`, in that order, so the two paths cannot drift apart.

pub(crate) const INSERT_CASES: &str = "INSERT INTO cases (number, item_code, bundle_code, \
    bundle_version, title, applicant_user_id, applicant_name, applicant_id, channel, center_code, \
    received_region, submitted_by, form, status, version, created_at, created_on, closed_at, \
    idempotency_key, request_hash) ";
pub(crate) const INSERT_SUB_CASES: &str = "INSERT INTO sub_cases (case_number, seq, item_code, \
    item_version, department_code, handling_region, status, state, accepted_on, deadline, \
    concluded_on, pledge_due) ";
pub(crate) const INSERT_MATERIALS: &str = "INSERT INTO case_materials (case_number, \
    material_code, name, provided, file_sha256, file_name, updated_at) ";
pub(crate) const INSERT_EVENTS: &str = "INSERT INTO events (case_number, seq, kind, actor, role, \
    acting_for, place, at, reason, payload, prev_hash, hash) ";
pub(crate) const INSERT_TERMS: &str = "INSERT INTO case_terms (term, created_at, case_number) ";

macro_rules! bind_case {
    ($b:ident, $c:expr) => {{
        let c: &$crate::CaseRow = $c;
        $b.push_bind(&c.number)
            .push_bind(&c.item_code)
            .push_bind(&c.bundle_code)
            .push_bind(c.bundle_version)
            .push_bind(&c.title)
            .push_bind(c.applicant_user_id)
            .push_bind(&c.applicant_name)
            .push_bind(&c.applicant_id)
            .push_bind(&c.channel)
            .push_bind(&c.center_code)
            .push_bind(&c.received_region)
            .push_bind(c.submitted_by)
            .push_bind(&c.form)
            .push_bind(&c.status)
            .push_bind(c.version)
            .push_bind(c.created_at)
            .push_bind(&c.created_on)
            .push_bind(c.closed_at)
            .push_bind(&c.idempotency_key)
            .push_bind(&c.request_hash);
    }};
}

macro_rules! bind_sub_case {
    ($b:ident, $s:expr) => {{
        let s: &$crate::SubCaseRow = $s;
        $b.push_bind(&s.case_number)
            .push_bind(s.seq)
            .push_bind(&s.item_code)
            .push_bind(s.item_version)
            .push_bind(&s.department_code)
            .push_bind(&s.handling_region)
            .push_bind(&s.status)
            .push_bind(&s.state)
            .push_bind(&s.accepted_on)
            .push_bind(&s.deadline)
            .push_bind(&s.concluded_on)
            .push_bind(&s.pledge_due);
    }};
}

macro_rules! bind_material {
    ($b:ident, $m:expr) => {{
        let m: &$crate::MaterialRow = $m;
        $b.push_bind(&m.case_number)
            .push_bind(&m.material_code)
            .push_bind(&m.name)
            .push_bind(&m.provided)
            .push_bind(&m.file_sha256)
            .push_bind(&m.file_name)
            .push_bind(m.updated_at);
    }};
}

macro_rules! bind_event {
    ($b:ident, $e:expr) => {{
        let e: &tongban_domain::case::chain::EventRecord = $e;
        $b.push_bind(&e.case_number)
            .push_bind(e.seq)
            .push_bind(&e.kind)
            .push_bind(&e.actor)
            .push_bind(&e.role)
            .push_bind(&e.acting_for)
            .push_bind(&e.place)
            .push_bind(e.at)
            .push_bind(&e.reason)
            .push_bind(e.payload.get())
            .push_bind(&e.prev_hash)
            .push_bind(&e.hash);
    }};
}
pub(crate) use {bind_case, bind_event, bind_material, bind_sub_case};
