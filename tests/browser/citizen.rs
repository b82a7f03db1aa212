//! Browser flows of the citizen pages.
