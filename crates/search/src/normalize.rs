//! Text normalization shared by documents and queries.
//!
//! Every character goes through [`classify`]:
//! - full-width ASCII forms (`ｙｌｂｘ`, `ＡＢＣ`, `０１２`) become their half-width twins, and the
//!   ideographic space (U+3000) becomes a plain space;
//! - letters are lowercased (ASCII always; other scripts when the lowercase is one character);
//! - whitespace separates terms (in a query) or segments (in a document field);
//! - letters, digits and CJK ideographs are kept;
//! - everything else (punctuation and symbols, ASCII or CJK: `-`, `（`, `·`, `、`) is dropped, so
//!   `430400-JR-001` and `430400JR001` normalize alike.

/// What normalization does with one input character.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Norm {
    /// Keep this (already normalized) character.
    Keep(char),
    /// A separator: whitespace.
    Space,
    /// Drop it: punctuation or a symbol.
    Drop,
}

/// Longest query term that is matched; the rest of a longer term is ignored.
pub(crate) const MAX_TERM_CHARS: usize = 64;
/// Most query terms that are matched; further terms are ignored.
pub(crate) const MAX_TERMS: usize = 16;

/// Normalizes one character (see the module documentation).
pub(crate) fn classify(c: char) -> Norm {
    let c = match c {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
        _ => c,
    };
    if c.is_whitespace() {
        Norm::Space
    } else if c.is_alphanumeric() {
        Norm::Keep(lowercase(c))
    } else {
        Norm::Drop
    }
}

fn lowercase(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) => l,
        _ => c,
    }
}

/// Splits a query into normalized terms: whitespace separates terms, punctuation is dropped.
pub(crate) fn query_terms(query: &str) -> Vec<Vec<char>> {
    let mut terms = Vec::new();
    let mut current = Vec::new();
    for c in query.chars() {
        match classify(c) {
            Norm::Keep(k) => current.push(k),
            Norm::Space => {
                if !current.is_empty() {
                    terms.push(std::mem::take(&mut current));
                }
            }
            Norm::Drop => {}
        }
    }
    if !current.is_empty() {
        terms.push(current);
    }
    terms.truncate(MAX_TERMS);
    for term in &mut terms {
        term.truncate(MAX_TERM_CHARS);
    }
    terms
}

/// Bit of a lowercase ASCII letter or digit in a 36-bit set (`a`..`z`, then `0`..`9`); 0 otherwise.
pub(crate) fn bit(c: char) -> u64 {
    match c {
        'a'..='z' => 1 << (u32::from(c) - u32::from('a')),
        '0'..='9' => 1 << (26 + u32::from(c) - u32::from('0')),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(q: &str) -> Vec<String> {
        query_terms(q)
            .into_iter()
            .map(|t| t.into_iter().collect())
            .collect()
    }

    #[test]
    fn full_width_and_case() {
        assert_eq!(terms("ｙｌｂｘ"), ["ylbx"]);
        assert_eq!(terms("ＹＬＢＸ"), ["ylbx"]);
        assert_eq!(terms("ｙａｎｇ\u{3000}ｌａｏ"), ["yang", "lao"]);
        assert_eq!(terms("  YangLao  "), ["yanglao"]);
        assert_eq!(terms("Ｂ超"), ["b超"]);
    }

    #[test]
    fn punctuation_is_dropped_whitespace_splits() {
        assert_eq!(terms("430400-JR-001"), ["430400jr001"]);
        assert_eq!(terms("养老保险（城乡）"), ["养老保险城乡"]);
        assert_eq!(terms("养老，  登记。"), ["养老", "登记"]);
        assert_eq!(terms(" \t\u{3000} "), Vec::<String>::new());
        assert_eq!(terms("，。！"), Vec::<String>::new());
    }

    #[test]
    fn limits() {
        let long = "a".repeat(100);
        assert_eq!(query_terms(&long)[0].len(), MAX_TERM_CHARS);
        let many = "a ".repeat(40);
        assert_eq!(query_terms(&many).len(), MAX_TERMS);
    }

    #[test]
    fn bits() {
        assert_eq!(bit('a'), 1);
        assert_eq!(bit('z'), 1 << 25);
        assert_eq!(bit('0'), 1 << 26);
        assert_eq!(bit('9'), 1 << 35);
        assert_eq!(bit('A'), 0);
        assert_eq!(bit('养'), 0);
    }
}
