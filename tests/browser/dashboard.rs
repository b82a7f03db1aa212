//! Browser flows of the dashboard pages.
