//! The matcher itself: where a term matches a field, by a dynamic program over (unit, term
//! position, kinds of step used so far), and how matches rank.

use super::*;

/// Where in a field a match lies; later variants rank higher.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Position {
    Substring,
    Prefix,
    Exact,
}

/// Rank of a match kind; higher is better.
pub(crate) fn kind_rank(kind: MatchKind) -> u8 {
    match kind {
        MatchKind::Initials => 0,
        MatchKind::Mixed => 1,
        MatchKind::Pinyin => 2,
        MatchKind::Chinese => 3,
    }
}

fn rank((position, kind): (Position, MatchKind)) -> (Position, u8) {
    (position, kind_rank(kind))
}

fn classify_steps(mask: u8) -> MatchKind {
    let tail = mask & TAIL != 0;
    match mask & !TAIL {
        0 | INIT => MatchKind::Initials,
        EXACT if tail => MatchKind::Mixed,
        EXACT => MatchKind::Chinese,
        FULL => MatchKind::Pinyin,
        _ => MatchKind::Mixed,
    }
}

/// Best kind among a set of step-kind sets (bit `k` set = step-kind set `k` reached).
fn best_kind(masks: u16) -> MatchKind {
    let mut best = MatchKind::Initials;
    let mut rest = masks;
    while rest != 0 {
        let m = rest.trailing_zeros();
        rest &= rest - 1;
        let kind = classify_steps(u8::try_from(m).unwrap_or(0));
        if kind_rank(kind) > kind_rank(best) {
            best = kind;
        }
    }
    best
}

/// Adds step kind `flag` to every set in `masks`.
fn with_flag(masks: u16, flag: u8) -> u16 {
    let mut out = 0u16;
    let mut rest = masks;
    while rest != 0 {
        let m = rest.trailing_zeros();
        rest &= rest - 1;
        out |= 1 << (m | u32::from(flag));
    }
    out
}

fn starts_with(rest: &[char], syllable: &[u8]) -> bool {
    syllable.len() <= rest.len() && syllable.iter().zip(rest).all(|(&b, &c)| char::from(b) == c)
}

/// Reusable DP buffers for one query.
pub(crate) struct Matcher<'t> {
    table: &'t CharTable,
    cur: Vec<u16>,
    next: Vec<u16>,
    cur_list: Vec<usize>,
    next_list: Vec<usize>,
}

impl<'t> Matcher<'t> {
    pub(crate) fn new(table: &'t CharTable) -> Self {
        Matcher {
            table,
            cur: Vec::new(),
            next: Vec::new(),
            cur_list: Vec::new(),
            next_list: Vec::new(),
        }
    }

    /// The best match of `term` in `field`: highest position (if `positional`), then highest kind.
    pub(crate) fn best_in_field(
        &mut self,
        field: &Field,
        term: &[char],
        positional: bool,
    ) -> Option<(Position, MatchKind)> {
        let Some(&first) = term.first() else {
            return Some((Position::Substring, MatchKind::Chinese));
        };
        // The best kind this term can reach in this field.
        let ceiling = if field.has_ascii || !term.iter().any(char::is_ascii) {
            MatchKind::Chinese
        } else if !term.iter().all(char::is_ascii) {
            MatchKind::Mixed
        } else if term.len() == 1 {
            MatchKind::Initials
        } else {
            MatchKind::Pinyin
        };
        let first_bit = bit(first);
        let mut best: Option<(Position, MatchKind)> = None;
        for (start, unit) in field.units.iter().enumerate() {
            if unit.ch != first && unit.mask & first_bit == 0 {
                continue;
            }
            if let Some(found) = self.best_at(field, start, term, positional) {
                if best.is_none_or(|b| rank(found) > rank(b)) {
                    best = Some(found);
                }
                if kind_rank(found.1) >= kind_rank(ceiling) {
                    // Later starts are substrings at best, of no better kind.
                    break;
                }
            }
        }
        best
    }

    /// The best match of `term` in `field` starting at unit `start`.
    pub(crate) fn best_at(
        &mut self,
        field: &Field,
        start: usize,
        term: &[char],
        positional: bool,
    ) -> Option<(Position, MatchKind)> {
        let len = field.units.len();
        let position_to = |end: usize| {
            if !positional || start > 0 {
                Position::Substring
            } else if end == len {
                Position::Exact
            } else {
                Position::Prefix
            }
        };
        if let ([c], Some(unit)) = (term, field.units.get(start)) {
            // One character: no need for the dynamic program.
            let syllables = self.table.readings_of(unit.info);
            let kind = if unit.ch == *c {
                MatchKind::Chinese
            } else if syllables.iter().any(|s| **s == [*c as u8]) {
                MatchKind::Pinyin
            } else if unit.mask & bit(*c) != 0 {
                MatchKind::Initials
            } else {
                return None;
            };
            return Some((position_to(start + 1), kind));
        }
        let mut best: Option<(Position, MatchKind)> = None;
        self.run(&field.units, start, term, |end, masks| {
            let found = (position_to(end), best_kind(masks));
            if best.is_none_or(|b| rank(found) > rank(b)) {
                best = Some(found);
            }
        });
        best
    }

    /// Explores every way `term` matches units starting at `start`, calling `found(end, masks)`
    /// for each end position reached with the step-kind sets that reach it.
    fn run(
        &mut self,
        units: &[Unit],
        start: usize,
        term: &[char],
        mut found: impl FnMut(usize, u16),
    ) {
        let m = term.len();
        if self.cur.len() < m + 1 {
            self.cur.resize(m + 1, 0);
            self.next.resize(m + 1, 0);
        }
        let Matcher {
            table,
            cur,
            next,
            cur_list,
            next_list,
        } = self;
        // Invariant on entry and exit: `cur` and `next` all zero, both lists empty.
        cur[0] = 1; // the empty step-kind set
        cur_list.push(0);
        let mut j = start;
        while !cur_list.is_empty() {
            let Some(&unit) = units.get(j) else {
                for &p in cur_list.iter() {
                    cur[p] = 0;
                }
                cur_list.clear();
                break;
            };
            let syllables = table.readings_of(unit.info);
            let end = j + 1;
            let mut push = |np: usize, masks: u16| {
                if np == m {
                    found(end, masks);
                } else {
                    if next[np] == 0 {
                        next_list.push(np);
                    }
                    next[np] |= masks;
                }
            };
            for &p in cur_list.iter() {
                let masks = std::mem::take(&mut cur[p]);
                let rest = &term[p..];
                let c0 = rest[0];
                if c0 == unit.ch {
                    push(p + 1, with_flag(masks, EXACT));
                }
                if unit.mask & bit(c0) == 0 || syllables.is_empty() {
                    continue;
                }
                let mut initial_done = false;
                let mut double_done = false;
                for syl in syllables {
                    if starts_with(rest, syl) {
                        push(p + syl.len(), with_flag(masks, FULL));
                    } else if rest.len() < syl.len()
                        && syl.iter().zip(rest).all(|(&b, &c)| char::from(b) == c)
                    {
                        let flag = if rest.len() == 1 { TAIL } else { FULL };
                        push(m, with_flag(masks, flag));
                    }
                    if !initial_done && char::from(syl[0]) == c0 {
                        initial_done = true;
                        push(p + 1, with_flag(masks, INIT));
                    }
                    if !double_done
                        && syl.len() > 2
                        && syl[1] == b'h'
                        && matches!(syl[0], b'z' | b'c' | b's')
                        && starts_with(rest, &syl[..2])
                    {
                        double_done = true;
                        push(p + 2, with_flag(masks, INIT));
                    }
                }
            }
            cur_list.clear();
            std::mem::swap(cur, next);
            std::mem::swap(cur_list, next_list);
            j += 1;
        }
    }
}
