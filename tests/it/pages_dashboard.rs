//! HTTP tests of the dashboard pages.
