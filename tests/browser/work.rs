//! Browser flows of the work pages.
