//! HTTP tests of the work pages.
