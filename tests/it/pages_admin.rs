//! HTTP tests of the admin pages.
