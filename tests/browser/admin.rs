//! Browser flows of the admin pages.
