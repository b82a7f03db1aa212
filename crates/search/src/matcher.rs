//! Per-character pinyin tables and the term matcher.
//!
//! A document field is stored as a sequence of [`Unit`]s, one per kept character. Each distinct
//! character is interned once in the [`CharTable`] with the set of its toneless pinyin readings
//! (all readings of a heteronym: 行 → `xing`, `hang`, `heng`) and a bit set of the letters a step
//! may begin with at that character.
//!
//! Positional [`Postings`] list where a match may start: at each character, at each unit whose
//! readings begin with a letter, with a given pair of letters, or where two adjacent units begin
//! with a given pair of letters. A query runs the matcher only at the starts of its most
//! selective term, then checks its other terms on the documents found.
//!
//! A query term matches a contiguous run of units when the term can be cut into one step per
//! unit, each step being one of:
//! - the character itself (`养`, or a literal ASCII letter/digit such as `b` in `B超`);
//! - one full reading (`yang`);
//! - the initial letter of a reading (`y`), or its two-letter initial `zh`/`ch`/`sh`;
//! - as the last step only, a proper prefix of a reading (`yanglaob`, type-ahead).
//!
//! Because every step starts at a character, a term can never start inside a syllable (`ang`
//! does not match 养). The steps are explored as a dynamic program over (unit, term position,
//! kinds of step used so far), so heteronyms cost one more comparison per reading, never a
//! product of readings.

use pinyin::ToPinyinMulti;
use std::collections::{HashMap, HashSet};

use crate::MatchKind;
use crate::normalize::{Norm, bit, classify};

mod run;
pub(crate) use run::{Matcher, Position};

/// Step kinds, combined as a 4-bit set in the DP state.
const EXACT: u8 = 1;
const FULL: u8 = 2;
const INIT: u8 = 4;
/// A one-letter prefix as the last step: counts as pinyin after full syllables, as an initial
/// after initials.
const TAIL: u8 = 8;

/// What is known about one distinct character.
#[derive(Debug, Clone, Default)]
pub(crate) struct CharInfo {
    /// Where the readings start in [`CharTable::arena`].
    start: u32,
    /// How many readings.
    count: u32,
}

/// One toneless reading, stored inline so that a character's readings sit side by side.
#[derive(Debug, Clone, Copy, Default)]
struct Syl {
    bytes: [u8; MAX_SYLLABLE],
    len: u8,
}

impl std::ops::Deref for Syl {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }
}

impl Syl {
    fn new(bytes: &[u8]) -> Option<Syl> {
        let mut syl = Syl {
            len: u8::try_from(bytes.len()).ok()?,
            ..Syl::default()
        };
        syl.bytes.get_mut(..bytes.len())?.copy_from_slice(bytes);
        Some(syl)
    }
}

/// One kept character of a field.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Unit {
    /// The normalized character; `' '` for a segment break, which no term character equals.
    ch: char,
    /// Index into [`CharTable::infos`].
    info: u32,
    /// Letters and digits a step may begin with here (see [`bit`]).
    mask: u64,
}

/// A normalized document field.
#[derive(Debug, Clone, Default)]
pub(crate) struct Field {
    units: Vec<Unit>,
    /// Whether some unit is an ASCII letter or digit (matched literally).
    has_ascii: bool,
}

impl Field {
    /// Number of kept characters (and segment breaks).
    pub(crate) fn len(&self) -> usize {
        self.units.len()
    }

    /// Union of the unit masks.
    pub(crate) fn letters(&self) -> u64 {
        self.units.iter().fold(0, |acc, u| acc | u.mask)
    }
}

/// Interned per-character readings.
#[derive(Debug, Clone)]
pub(crate) struct CharTable {
    infos: Vec<CharInfo>,
    /// Readings of all characters, each character's together.
    arena: Vec<Syl>,
    ids: HashMap<char, u32>,
    /// Every reading of every indexed character.
    syllables: HashSet<Box<[u8]>>,
    /// Every non-empty prefix of those readings.
    prefixes: HashSet<Box<[u8]>>,
}

impl Default for CharTable {
    fn default() -> Self {
        // Index 0: no readings (segment breaks).
        CharTable {
            infos: vec![CharInfo::default()],
            arena: Vec::new(),
            ids: HashMap::new(),
            syllables: HashSet::new(),
            prefixes: HashSet::new(),
        }
    }
}

/// Longest toneless reading (`zhuang`).
const MAX_SYLLABLE: usize = 6;

/// Index of a lowercase ASCII letter or digit in the pair set (see [`bit`]).
fn bit_index(c: char) -> Option<usize> {
    let b = bit(c);
    (b != 0).then(|| b.trailing_zeros() as usize)
}

const ALNUM: usize = 36;

/// Which (letter a step may begin with, letter the next step may begin with) pairs occur in a
/// document: a filter for ASCII terms that span two or more characters.
#[derive(Debug, Clone)]
pub(crate) struct Pairs([u64; (ALNUM * ALNUM).div_ceil(64)]);

impl Default for Pairs {
    fn default() -> Self {
        Pairs([0; (ALNUM * ALNUM).div_ceil(64)])
    }
}

impl Pairs {
    fn insert(&mut self, a: usize, b: usize) {
        let i = a * ALNUM + b;
        self.0[i / 64] |= 1 << (i % 64);
    }

    fn contains(&self, a: usize, b: usize) -> bool {
        let i = a * ALNUM + b;
        self.0[i / 64] & (1 << (i % 64)) != 0
    }

    /// Whether a document with these pairs may match a term with these first steps.
    pub(crate) fn admits(&self, steps: &FirstSteps) -> bool {
        steps
            .as_ref()
            .is_none_or(|pairs| pairs.iter().any(|&(a, b)| self.contains(a, b)))
    }

    /// Adds the pairs of adjacent units of `field`.
    pub(crate) fn add(&mut self, field: &Field) {
        for w in field.units.windows(2) {
            let (mut a, b) = (w[0].mask, w[1].mask);
            while a != 0 {
                let i = a.trailing_zeros() as usize;
                a &= a - 1;
                let mut rest = b;
                while rest != 0 {
                    let j = rest.trailing_zeros() as usize;
                    rest &= rest - 1;
                    self.insert(i, j);
                }
            }
        }
    }
}

/// Where a match may start: unit `pos` of field `field` (0 title, then aliases, then body) of
/// document `doc`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Posting {
    pub(crate) doc: u32,
    pub(crate) field: u32,
    pub(crate) pos: u32,
}

/// Positional postings: where each character occurs, where a step may begin with each letter,
/// where two adjacent steps may begin with each pair of letters, and where a reading begins with
/// each pair of letters.
#[derive(Debug, Clone)]
pub(crate) struct Postings {
    wide: HashMap<char, Vec<Posting>>,
    letters: Vec<Vec<Posting>>,
    pairs: Vec<Vec<Posting>>,
    heads: Vec<Vec<Posting>>,
}

impl Default for Postings {
    fn default() -> Self {
        Postings {
            wide: HashMap::new(),
            letters: vec![Vec::new(); ALNUM],
            pairs: vec![Vec::new(); ALNUM * ALNUM],
            heads: vec![Vec::new(); ALNUM * ALNUM],
        }
    }
}

impl Postings {
    /// Indexes field number `field` of document `doc`.
    pub(crate) fn add(&mut self, table: &CharTable, doc: u32, field: u32, f: &Field) {
        for (j, unit) in f.units.iter().enumerate() {
            let Ok(pos) = u32::try_from(j) else {
                break;
            };
            let posting = Posting { doc, field, pos };
            if !unit.ch.is_ascii() {
                self.wide.entry(unit.ch).or_default().push(posting);
            }
            for syl in table.readings_of(unit.info) {
                let (Some(&a), Some(&b)) = (syl.first(), syl.get(1)) else {
                    continue;
                };
                let (Some(a), Some(b)) = (bit_index(char::from(a)), bit_index(char::from(b)))
                else {
                    continue;
                };
                let list = &mut self.heads[a * ALNUM + b];
                // Two readings may share their first two letters (xin, xing).
                if list
                    .last()
                    .is_none_or(|p| (p.doc, p.field, p.pos) != (doc, field, pos))
                {
                    list.push(posting);
                }
            }
            let next = f.units.get(j + 1).map_or(0, |u| u.mask);
            let mut a = unit.mask;
            while a != 0 {
                let i = a.trailing_zeros() as usize;
                a &= a - 1;
                self.letters[i].push(posting);
                let mut b = next;
                while b != 0 {
                    let k = b.trailing_zeros() as usize;
                    b &= b - 1;
                    self.pairs[i * ALNUM + k].push(posting);
                }
            }
        }
    }

    /// Lists holding every position where `term` may start a match: the smallest of the
    /// supersets the postings offer.
    pub(crate) fn starts(&self, table: &CharTable, term: &[char]) -> Vec<&[Posting]> {
        let Some(&first) = term.first() else {
            return Vec::new();
        };
        if !first.is_ascii() {
            return self
                .wide
                .get(&first)
                .map_or_else(Vec::new, |l| vec![l.as_slice()]);
        }
        let Some(a) = bit_index(first) else {
            return Vec::new();
        };
        let letters = vec![self.letters[a].as_slice()];
        let Some(steps) = table.first_steps(term, true) else {
            return letters;
        };
        let mut lists: Vec<&[Posting]> = Vec::new();
        if table.fits_one(term) {
            // A single reading begins with the term's first two letters.
            match term.get(1).copied().and_then(bit_index) {
                Some(b) => lists.push(&self.heads[a * ALNUM + b]),
                None => return letters,
            }
        }
        for (a, b) in steps {
            lists.push(&self.pairs[a * ALNUM + b]);
        }
        let total: usize = lists.iter().map(|l| l.len()).sum();
        if total < letters[0].len() {
            lists
        } else {
            letters
        }
    }
}

/// The pairs of letters that the first two steps of an ASCII term may begin with, when the
/// term cannot match a single character: `(first letter, letter at k)` for each possible length
/// `k` of the first step. `None` when the term may fit one character, or when it is not ASCII
/// where it matters.
pub(crate) type FirstSteps = Option<Vec<(usize, usize)>>;

/// Toneless readings of `c`, ASCII only, deduplicated, default reading first.
fn readings(c: char) -> Vec<Box<[u8]>> {
    let mut out: Vec<Box<[u8]>> = Vec::new();
    let Some(multi) = c.to_pinyin_multi() else {
        return out;
    };
    let mut add = |s: String| {
        let bytes = s.into_bytes().into_boxed_slice();
        if !bytes.is_empty() && bytes.is_ascii() && !out.contains(&bytes) {
            out.push(bytes);
        }
    };
    for reading in multi {
        let plain = reading.plain();
        if plain.contains('ü') {
            add(plain.replace('ü', "v"));
            add(plain.replace('ü', "u"));
        } else {
            add(plain.replace('ê', "e"));
        }
    }
    out
}

impl CharTable {
    /// The readings of the character with info `id`, default reading first.
    fn readings_of(&self, id: u32) -> &[Syl] {
        let Some(info) = self.infos.get(id as usize) else {
            return &[];
        };
        let (start, count) = (info.start as usize, info.count as usize);
        self.arena.get(start..start + count).unwrap_or(&[])
    }

    fn intern(&mut self, c: char) -> (u32, u64) {
        let id = match self.ids.get(&c) {
            Some(&id) => id,
            None => {
                let id = u32::try_from(self.infos.len()).unwrap_or(0);
                let start = u32::try_from(self.arena.len()).unwrap_or(u32::MAX);
                for syl in readings(c) {
                    let Some(inline) = Syl::new(&syl) else {
                        continue;
                    };
                    for k in 1..=syl.len() {
                        self.prefixes.insert(syl[..k].into());
                    }
                    self.arena.push(inline);
                    self.syllables.insert(syl);
                }
                let end = u32::try_from(self.arena.len()).unwrap_or(u32::MAX);
                self.infos.push(CharInfo {
                    start,
                    count: end - start,
                });
                self.ids.insert(c, id);
                id
            }
        };
        let mask = self.readings_of(id).iter().fold(bit(c), |acc, s| {
            acc | s.first().map_or(0, |&b| bit(char::from(b)))
        });
        (id, mask)
    }

    /// Whether `term` may match within a single character: a prefix of a reading.
    pub(crate) fn fits_one(&self, term: &[char]) -> bool {
        term.len() <= MAX_SYLLABLE
            && term.iter().all(char::is_ascii)
            && self.prefixes.contains(
                term.iter()
                    .map(|&c| c as u8)
                    .collect::<Vec<u8>>()
                    .as_slice(),
            )
    }

    /// See [`FirstSteps`]; with `multi_only`, the pairs for matches over two or more characters
    /// even when the term may also fit one character.
    pub(crate) fn first_steps(&self, term: &[char], multi_only: bool) -> FirstSteps {
        let a = bit_index(*term.first()?)?;
        if term.len() < 2 || (!multi_only && self.fits_one(term)) {
            return None;
        }
        let longest = MAX_SYLLABLE.min(term.len() - 1);
        let head: Vec<u8> = term
            .iter()
            .take(longest + 1)
            .map_while(|&c| c.is_ascii().then_some(c as u8))
            .collect();
        let mut pairs = Vec::new();
        for (k, &next) in term.iter().enumerate().take(longest + 1).skip(1) {
            let fits = k == 1
                || (k == 2 && matches!(head.get(..2), Some(b"zh" | b"ch" | b"sh")))
                || head.get(..k).is_some_and(|h| self.syllables.contains(h));
            if fits {
                // The second step begins with a Chinese character: no letter pair applies.
                pairs.push((a, bit_index(next)?));
            }
        }
        Some(pairs)
    }

    /// Normalizes `text` into a field: whitespace becomes one segment break, punctuation is
    /// dropped.
    pub(crate) fn field(&mut self, text: &str) -> Field {
        let mut units = Vec::with_capacity(text.len() / 2);
        let mut pending_break = false;
        for c in text.chars() {
            match classify(c) {
                Norm::Keep(k) => {
                    if pending_break && !units.is_empty() {
                        units.push(Unit {
                            ch: ' ',
                            info: 0,
                            mask: 0,
                        });
                    }
                    pending_break = false;
                    let (info, mask) = self.intern(k);
                    units.push(Unit { ch: k, info, mask });
                }
                Norm::Space => pending_break = true,
                Norm::Drop => {}
            }
        }
        let has_ascii = units.iter().any(|u| u.ch.is_ascii_alphanumeric());
        Field { units, has_ascii }
    }

    /// Key for sorting titles by pinyin: default readings, other characters as themselves.
    pub(crate) fn sort_key(&self, field: &Field) -> String {
        let mut key = String::new();
        for unit in &field.units {
            match self.readings_of(unit.info).first() {
                Some(s) => key.extend(s.iter().map(|&b| char::from(b))),
                None => key.push(unit.ch),
            }
            // Below every letter, so that 阿布 (a bu) sorts before 安 (an).
            key.push('\u{1}');
        }
        key
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn best(title: &str, term: &str) -> Option<(Position, MatchKind)> {
        let mut table = CharTable::default();
        let field = table.field(title);
        let term: Vec<char> = term.chars().collect();
        Matcher::new(&table).best_in_field(&field, &term, true)
    }

    #[test]
    fn readings_are_ascii_and_cover_heteronyms() {
        let r = |c| -> Vec<String> {
            readings(c)
                .into_iter()
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .collect()
        };
        assert_eq!(r('养'), ["yang"]);
        assert!(r('行').contains(&"xing".to_owned()) && r('行').contains(&"hang".to_owned()));
        assert_eq!(r('重')[0], "zhong");
        assert!(r('重').contains(&"chong".to_owned()));
        assert!(r('绿').contains(&"lv".to_owned()) && r('绿').contains(&"lu".to_owned()));
        assert!(r('a').is_empty());
    }

    #[test]
    fn no_reading_is_longer_than_max_syllable() {
        let longest = (0x3400u32..0x3_0000)
            .filter_map(char::from_u32)
            .flat_map(readings)
            .map(|r| r.len())
            .max();
        assert_eq!(longest, Some(MAX_SYLLABLE));
    }

    #[test]
    fn steps() {
        use MatchKind::*;
        use Position::*;
        assert_eq!(best("养老保险", "养老保险"), Some((Exact, Chinese)));
        assert_eq!(best("养老保险", "ylbx"), Some((Exact, Initials)));
        assert_eq!(best("养老保险", "yanglaobaoxian"), Some((Exact, Pinyin)));
        assert_eq!(best("养老保险", "yanglaob"), Some((Prefix, Pinyin)));
        assert_eq!(best("养老保险", "yanglaobaoxia"), Some((Exact, Pinyin)));
        assert_eq!(best("养老保险", "养老bx"), Some((Exact, Mixed)));
        assert_eq!(best("养老保险", "ylbaoxian"), Some((Exact, Mixed)));
        assert_eq!(best("养老保险", "laob"), Some((Substring, Pinyin)));
        assert_eq!(best("养老保险", "y"), Some((Prefix, Initials)));
        assert_eq!(best("养老保险", "ang"), None);
        assert_eq!(best("养老保险", "angl"), None);
        assert_eq!(best("养老保险", "yanglaox"), None);
        assert_eq!(best("中国", "zhg"), Some((Exact, Initials)));
        assert_eq!(best("中国", "zhongguo"), Some((Exact, Pinyin)));
        assert_eq!(best("B超检查", "b超"), Some((Prefix, Chinese)));
        assert_eq!(best("B超检查", "bcjc"), Some((Exact, Mixed)));
        assert_eq!(best("养老 保险", "养老保险"), None);
        assert_eq!(best("养老 保险", "保险"), Some((Substring, Chinese)));
    }
}
