//! One integration-test binary. Each test boots the real server on 127.0.0.1:0 with a fresh
//! database — a SQLite file in a temporary directory, or a new database on the PostgreSQL server
//! named by TONGBAN_TEST_DATABASE_URL (scripts/test starts a throwaway cluster) — and talks HTTP to it.

// A failed expectation in a test is the test failing; unwrap/expect say so most plainly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod harness;

mod accounts;
mod agency;
mod api_calendar;
mod api_catalog;
mod api_places;
mod appointments;
mod cases;
mod cli;
mod commitments; // 承诺办
mod crash; // SIGKILL under load, restart, nothing acknowledged lost
mod nodes; // several nodes on one database
mod pages; // HTML pages: the portal
mod pages_admin; // catalog admin pages
mod pages_citizen; // apply, my cases, appointments, authorizations
mod pages_clerk; // the window workstation
mod pages_dashboard; // the supervisor dashboard
mod pages_session; // sign-in, CSRF
mod pages_work; // approver workbench, the case page, documents
mod tolerance; // 容缺办, 网上办 registration
