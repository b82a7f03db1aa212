//! The pure rules of tongban (通办): no I/O, no clocks, no database.
//!
//! Each module is one part of the domain primer:
//! - [`identity`]: resident ID numbers, unified social credit codes, mobile numbers, masking;
//! - [`region`]: administrative divisions (行政区划), service centers and departments;
//! - [`appointment`]: 预约办 slot templates, bookings and the queue;
//! - [`calendar`]: the official working-day calendar and time-limit counting (办结时限);
//! - [`catalog`]: service items (政务服务事项), their standard elements, and one-thing bundles (一件事);
//! - [`case`]: cases (办件): the sub-case state machine, the audit chain, routing and form checks.

pub mod agency;
pub mod appointment;
pub mod calendar;
pub mod case;
pub mod catalog;
pub mod identity;
pub mod region;
pub mod stats; // 统计: the dashboard's rates and shares
