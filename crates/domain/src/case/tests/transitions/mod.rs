//! Every transition of the sub-case state machine and its errors, split in two files: the main
//! path with its permission and status errors, and the variants beside it.

mod main_path;
mod variants;
