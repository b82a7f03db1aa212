//! Identity numbers (证件号码): parse, check and mask the identifiers an applicant gives.
//!
//! - [`ResidentId`] — 公民身份号码 (GB 11643-1999), the 18-character resident ID number;
//! - [`CreditCode`] — 统一社会信用代码 (GB 32100-2015), the organization's unified social credit code;
//! - [`Mobile`] — 手机号码, a mainland mobile number;
//! - [`mask_any`] and the `masked()` methods — 脱敏, what may be shown on screens and written to logs;
//! - [`check`] — the report behind `tongban check <number>`.
//!
//! Parse, don't validate: once a value has one of these types it is well formed. Every failure is an
//! [`IdentityError`] with a stable code (`identity.checksum_mismatch`), an English message (its `Display`)
//! and a Chinese one ([`IdentityError::message_zh`]).

mod check;
mod credit_code;
mod error;
mod mask;
mod mobile;
mod resident_id;

pub use check::{CheckDetails, CheckKind, CheckMessage, CheckReport, check, check_on};
pub use credit_code::{CreditCode, CreditCodeWarning, ParsedCreditCode};
pub use error::{Expected, IdKind, IdentityError};
pub use mask::mask_any;
pub use mobile::Mobile;
pub use resident_id::{ResidentId, Sex};
