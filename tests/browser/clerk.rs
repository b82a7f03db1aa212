//! Browser flows of the clerk pages.
