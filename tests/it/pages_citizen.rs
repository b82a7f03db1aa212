//! HTTP tests of the citizen pages.
