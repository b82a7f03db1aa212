//! 脱敏: masking identifiers for screens and logs.

use chrono::NaiveDate;

use super::credit_code::{CreditCode, mask_credit_like};
use super::mobile::Mobile;
use super::resident_id::mask_resident_like;

/// Keeps `keep_start` and `keep_end` characters and stars out the rest; a string too short to hide
/// anything is starred out entirely.
pub(crate) fn mask_middle(s: &str, keep_start: usize, keep_end: usize) -> String {
    let len = s.chars().count();
    if len <= keep_start + keep_end {
        return "*".repeat(len);
    }
    s.chars()
        .enumerate()
        .map(|(i, c)| {
            if i < keep_start || i >= len - keep_end {
                c
            } else {
                '*'
            }
        })
        .collect()
}

/// Masks every identifier found in `text` (脱敏), for log lines and free-text fields:
///
/// - 18-character resident ID shapes (17 digits + digit or X) → `430406********123X`;
/// - 18-character credit code shapes → `91350100********43`;
/// - mobile numbers (`1[3-9]` + 9 digits, with `86`/`0086` in front or not) → `138****5678`;
/// - 15-digit first-generation resident IDs (YYMMDD birth date) → `430406******123`.
///
/// Detection goes by shape, not by checksum: a mistyped ID number is still personal data. Identifiers
/// are found as runs of ASCII letters and digits (so Chinese text around them is fine), and digit runs
/// inside longer tokens (`tel:13812345678`, `id11010519491231002X`). A mobile number written with
/// spaces or dashes is recognized when it is the whole input. Everything else is left as it is.
pub fn mask_any(text: &str) -> String {
    if let Ok(mobile) = Mobile::parse(text) {
        return mobile.masked();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(|c: char| c.is_ascii_alphanumeric()) {
        let (before, from_start) = rest.split_at(start);
        out.push_str(before);
        let end = from_start
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(from_start.len());
        let (token, after) = from_start.split_at(end);
        match mask_token(token) {
            Some(masked) => out.push_str(&masked),
            None => mask_digit_runs(token, &mut out),
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

/// Masks the digit runs inside an alphanumeric token that is not itself an identifier.
fn mask_digit_runs(token: &str, out: &mut String) {
    let mut rest = token;
    while let Some(start) = rest.find(|c: char| c.is_ascii_digit()) {
        let (before, from_start) = rest.split_at(start);
        out.push_str(before);
        let mut end = from_start
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(from_start.len());
        // A resident ID's check character may be X.
        if end == 17 && from_start[end..].starts_with(['X', 'x']) {
            end += 1;
        }
        let (run, after) = from_start.split_at(end);
        match mask_token(run) {
            Some(masked) => out.push_str(&masked),
            None => out.push_str(run),
        }
        rest = after;
    }
    out.push_str(rest);
}

/// The masked form of `token` if the whole token has the shape of an identifier.
fn mask_token(token: &str) -> Option<String> {
    let bytes = token.as_bytes();
    let all_digits = bytes.iter().all(u8::is_ascii_digit);
    match bytes.len() {
        18 if looks_like_resident_id(bytes) => Some(mask_resident_like(token)),
        18 if looks_like_credit_code(token) => Some(mask_credit_like(token)),
        11 if all_digits && looks_like_mobile(token) => Some(mask_middle(token, 3, 4)),
        13 if all_digits && token.starts_with("86") && looks_like_mobile(&token[2..]) => {
            Some(format!("86{}", mask_middle(&token[2..], 3, 4)))
        }
        15 if all_digits && token.starts_with("0086") && looks_like_mobile(&token[4..]) => {
            Some(format!("0086{}", mask_middle(&token[4..], 3, 4)))
        }
        15 if all_digits && has_yymmdd_date(&token[6..12]) => Some(mask_middle(token, 6, 3)),
        _ => None,
    }
}

fn looks_like_resident_id(bytes: &[u8]) -> bool {
    match bytes.split_last() {
        Some((last, first17)) => {
            first17.iter().all(u8::is_ascii_digit)
                && (last.is_ascii_digit() || *last == b'X' || *last == b'x')
        }
        None => false,
    }
}

fn looks_like_credit_code(token: &str) -> bool {
    // Parsing is cheap and checks exactly the hard rules; warnings don't matter for masking.
    CreditCode::parse(token).is_ok()
}

fn looks_like_mobile(digits: &str) -> bool {
    let b = digits.as_bytes();
    b.len() == 11 && b.first() == Some(&b'1') && b.get(1).is_some_and(|c| (b'3'..=b'9').contains(c))
}

fn has_yymmdd_date(digits: &str) -> bool {
    let num = |r: std::ops::Range<usize>| digits.get(r).and_then(|s| s.parse::<u32>().ok());
    match (num(0..2), num(2..4), num(4..6)) {
        (Some(yy), Some(mm), Some(dd)) => {
            i32::try_from(yy).is_ok_and(|yy| NaiveDate::from_ymd_opt(1900 + yy, mm, dd).is_some())
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_whole_identifiers() {
        assert_eq!(mask_any("43040619800101123X"), "430406********123X");
        assert_eq!(mask_any("43040619800101123x"), "430406********123x");
        assert_eq!(mask_any("91350100M000100Y43"), "91350100********43");
        assert_eq!(mask_any("13812345678"), "138****5678");
        assert_eq!(mask_any(" +86 138-1234-5678 "), "138****5678");
        assert_eq!(mask_any("430406800101123"), "430406******123");
    }

    #[test]
    fn masks_inside_text() {
        assert_eq!(
            mask_any("申请人 11010519491231002X，电话+8613812345678。"),
            "申请人 110105********002X，电话+86138****5678。"
        );
        assert_eq!(
            mask_any("id=11010519491231002X&tel:13812345678"),
            "id=110105********002X&tel:138****5678"
        );
        assert_eq!(mask_any("tel13812345678"), "tel138****5678");
        assert_eq!(
            mask_any("org 91350100M000100Y44 bad check"),
            "org 91350100********44 bad check"
        );
        assert_eq!(mask_any("call 008613812345678"), "call 0086138****5678");
    }

    #[test]
    fn leaves_other_text_alone() {
        for s in [
            "",
            "case 2025-000123 accepted",
            "12345",
            "12812345678",
            "abcdefghijklmnopqr",
            "430406801301123",
            "汉字",
        ] {
            assert_eq!(mask_any(s), s, "{s}");
        }
    }

    #[test]
    fn mask_middle_handles_short_input() {
        assert_eq!(mask_middle("abc", 3, 4), "***");
        assert_eq!(mask_middle("身份证号码", 1, 1), "身***码");
    }
}
