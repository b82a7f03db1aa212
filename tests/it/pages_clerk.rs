//! HTTP tests of the clerk pages.
