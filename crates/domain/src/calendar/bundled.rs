//! The official schedules shipped with the binary (see `crates/domain/data/holidays/README.md`).

/// (year, holiday-cn JSON) for every bundled year.
pub(super) const FILES: [(i32, &str); 8] = [
    (2019, include_str!("../../data/holidays/2019.json")),
    (2020, include_str!("../../data/holidays/2020.json")),
    (2021, include_str!("../../data/holidays/2021.json")),
    (2022, include_str!("../../data/holidays/2022.json")),
    (2023, include_str!("../../data/holidays/2023.json")),
    (2024, include_str!("../../data/holidays/2024.json")),
    (2025, include_str!("../../data/holidays/2025.json")),
    (2026, include_str!("../../data/holidays/2026.json")),
];
