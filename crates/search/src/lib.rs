//! Catalog search for tongban (通办): Chinese text, full pinyin and pinyin initials.
//!
//! Citizens look for a service item or a one-thing bundle by typing Chinese (`养老保险`,
//! `老年证`), full pinyin with or without spaces (`yanglaobaoxian`, `yang lao bao xian`), pinyin
//! initials (`ylbx`, `xsrcs`), or a mix (`养老bx`). [`SearchIndex::build`] normalizes every
//! [`Document`] once; [`SearchIndex::search`] ranks the documents that match every query term.
//!
//! # Why an in-memory index and not tantivy
//! The catalog holds a few hundred items and bundles, a few thousand documents at most. The
//! index is rebuilt at start-up from the catalog in milliseconds, so there is nothing to persist
//! or keep in sync. Pinyin and initials matching must align to the syllables of a *contiguous run
//! of characters*, which a token-based engine would have to emulate with n-gram fields per
//! reading (and multiply for heteronyms). A plain Rust index (per-character reading sets plus
//! positional postings by character and by letter pairs) has no C dependencies, compiles fast,
//! and answers a typical query over 5,000 documents in a few tens to a few hundred
//! microseconds; a query that matches nearly every document (a single letter) costs up to about
//! a millisecond there, as every hit is scored.
//!
//! # Normalization
//! Documents and queries are normalized alike: full-width forms become half-width (`ｙｌｂｘ`,
//! the ideographic space), letters are lowercased, punctuation and symbols are dropped
//! (`430400-JR-001` ≡ `430400jr001`), and whitespace separates query terms (in a document field
//! it separates segments that a match does not cross). ASCII letters and digits in documents
//! (`B超`, item codes) are matched literally.
//!
//! # Matching
//! A document matches when every query term matches its title, one of its aliases or its body.
//! A term matches a contiguous run of characters when it can be cut into one step per
//! character, each step being the character itself, one of its full readings (`yang`), the
//! initial of a reading (`y`, or `zh`/`ch`/`sh`), or, as the last step only, a prefix of a reading
//! (type-ahead: `yanglaob`). Steps always start at a character, so `ang` does not match 养 (yang).
//! All readings of a heteronym are indexed (银行 matches `yinhang` and `yinxing`, 重庆 matches
//! `zhongqing` and `chongqing`); `ü` is typed as `v` or `u` (绿 → `lv`, `lu`).
//!
//! # Scoring
//! Per term, the best match counts: title (3) > alias (2) > body (1); then, in the title or an
//! alias, exact match (+0.6) > prefix (+0.4) > substring (+0.2; body matches always count
//! +0.2); then [`MatchKind`]: Chinese (+0.09) > pinyin (+0.06) > mixed (+0.045) > initials
//! (+0.03). A document's score is the mean over terms; for several terms, the terms joined
//! together are also tried as one term against the title (`yang lao bao xian` scores as an exact
//! title match of 养老保险) and the better score is kept. A bonus below 0.01 favours shorter
//! titles. Results are ordered by score (descending), then key. Scores compare only within one
//! query.
//!
//! # Limitations
//! - No traditional→simplified folding, no typo tolerance, no synonyms beyond [`Document::aliases`].
//! - Every reading the `pinyin` crate lists is accepted, including rare ones (事 also reads
//!   `zi`), so short initials queries may match a little more than a person would expect.
//! - Query terms are cut to 64 characters and queries to 16 terms.

mod matcher;
mod normalize;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::HashMap;

use matcher::{CharTable, Field, FirstSteps, Matcher, Pairs, Position, Posting, Postings};
use normalize::{bit, query_terms};

/// One searchable catalog entry: a service item or a one-thing bundle.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    /// Unique key; when two documents share a key, the later one wins.
    pub key: String,
    /// `"item"` or `"bundle"`; compared literally by [`SearchOptions::kind`].
    pub kind: String,
    /// The name citizens see, e.g. 城乡居民养老保险参保登记.
    pub title: String,
    /// Other names citizens search by, e.g. 老年证 for 老年人优待证办理.
    pub aliases: Vec<String>,
    /// Lower-weight text: department name, keywords, life events.
    pub body: String,
}

/// Filter and page of a search.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SearchOptions {
    /// Only documents of this kind (`"item"`, `"bundle"`); all when `None`.
    pub kind: Option<String>,
    /// Number of ranked hits to skip.
    pub offset: usize,
    /// Most hits to return.
    pub limit: usize,
}

impl Default for SearchOptions {
    /// All kinds, first page of 20.
    fn default() -> Self {
        SearchOptions {
            kind: None,
            offset: 0,
            limit: 20,
        }
    }
}

/// How a hit matched the query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchKind {
    /// The query text appears literally: Chinese characters, or ASCII letters and digits such as
    /// an item code. Also reported for every hit of an empty query.
    Chinese,
    /// Full pinyin, possibly ending in a prefix of the last syllable (`yanglaob`).
    Pinyin,
    /// Pinyin initials (`ylbx`).
    Initials,
    /// A mix: Chinese then pinyin or initials (`养老bx`), full pinyin and initials in one term,
    /// or terms that matched in different ways.
    Mixed,
}

/// One ranked document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    /// [`Document::key`].
    pub key: String,
    /// [`Document::kind`].
    pub kind: String,
    /// Relevance; higher is better (see the crate documentation). 0 for an empty query.
    pub score: f32,
    /// How the query matched.
    pub matched: MatchKind,
}

/// A page of ranked hits.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SearchResults {
    /// Number of matching documents (after the kind filter), over all pages.
    pub total: usize,
    /// The requested page, best first.
    pub hits: Vec<Hit>,
}

/// A document as indexed.
#[derive(Debug, Clone)]
struct Indexed {
    key: String,
    kind: String,
    title: Field,
    aliases: Vec<Field>,
    body: Field,
    /// Letters and digits any step in any field may begin with.
    letters: u64,
    /// Letter pairs of adjacent characters (see [`Pairs`]).
    pairs: Pairs,
    /// Position of the key among all keys: ties are ordered by it.
    rank: u32,
    /// Bonus favouring shorter titles, below 0.01.
    brevity: f32,
}

const TITLE: f32 = 3.0;
const ALIAS: f32 = 2.0;
const BODY: f32 = 1.0;
/// Most a match adds to its field's base score: exact position, Chinese.
const MAX_BONUS: f32 = 0.6 + 0.09;
/// Most a body match adds to [`BODY`].
const MAX_BODY_BONUS: f32 = 0.2 + 0.09;

fn position_score(position: Position) -> f32 {
    match position {
        Position::Exact => 0.6,
        Position::Prefix => 0.4,
        Position::Substring => 0.2,
    }
}

fn kind_score(kind: MatchKind) -> f32 {
    match kind {
        MatchKind::Chinese => 0.09,
        MatchKind::Pinyin => 0.06,
        MatchKind::Mixed => 0.045,
        MatchKind::Initials => 0.03,
    }
}

/// In-memory search index over the catalog. Immutable once built; share it behind an `Arc`.
#[derive(Debug, Clone, Default)]
pub struct SearchIndex {
    docs: Vec<Indexed>,
    table: CharTable,
    /// Document indices by title pinyin, then key: the order of an empty query.
    browse: Vec<u32>,
    /// Where matches may start.
    postings: Postings,
}

impl SearchIndex {
    /// Normalizes and indexes `docs`. When keys repeat, the last document wins.
    pub fn build(docs: impl IntoIterator<Item = Document>) -> SearchIndex {
        let mut unique: Vec<Document> = Vec::new();
        let mut positions: HashMap<String, usize> = HashMap::new();
        for doc in docs {
            match positions.get(&doc.key) {
                Some(&i) => unique[i] = doc,
                None => {
                    positions.insert(doc.key.clone(), unique.len());
                    unique.push(doc);
                }
            }
        }

        let mut table = CharTable::default();
        let mut indexed = Vec::with_capacity(unique.len());
        let mut postings = Postings::default();
        let mut sort_keys = Vec::with_capacity(unique.len());
        for (i, doc) in unique.into_iter().enumerate() {
            let id = u32::try_from(i).unwrap_or(u32::MAX);
            let title = table.field(&doc.title);
            let aliases: Vec<Field> = doc.aliases.iter().map(|a| table.field(a)).collect();
            let body = table.field(&doc.body);
            let fields = || {
                std::iter::once(&title)
                    .chain(&aliases)
                    .chain(std::iter::once(&body))
            };
            let letters = fields().fold(0, |acc, f| acc | f.letters());
            let mut pairs = Pairs::default();
            fields().for_each(|f| pairs.add(f));
            for (f, field) in fields().enumerate() {
                postings.add(&table, id, u32::try_from(f).unwrap_or(u32::MAX), field);
            }
            sort_keys.push(table.sort_key(&title));
            let brevity = 0.01 / (2.0 + title.len() as f32);
            indexed.push(Indexed {
                key: doc.key,
                kind: doc.kind,
                title,
                aliases,
                body,
                letters,
                pairs,
                rank: 0,
                brevity,
            });
        }
        let mut by_key: Vec<usize> = (0..indexed.len()).collect();
        by_key.sort_by(|&a, &b| indexed[a].key.cmp(&indexed[b].key));
        for (rank, &i) in by_key.iter().enumerate() {
            indexed[i].rank = u32::try_from(rank).unwrap_or(u32::MAX);
        }

        let mut browse: Vec<u32> = (0..indexed.len())
            .map(|i| u32::try_from(i).unwrap_or(u32::MAX))
            .collect();
        browse.sort_by(|&a, &b| {
            let (a, b) = (a as usize, b as usize);
            sort_keys[a]
                .cmp(&sort_keys[b])
                .then_with(|| indexed[a].rank.cmp(&indexed[b].rank))
        });

        SearchIndex {
            docs: indexed,
            table,
            browse,
            postings,
        }
    }

    /// Number of indexed documents.
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    /// Whether no document is indexed.
    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// Ranks the documents matching every term of `query` (see the crate documentation).
    ///
    /// An empty or whitespace-only query lists every document of the requested kind, ordered by
    /// title pinyin, then key, with score 0.
    pub fn search(&self, query: &str, opts: &SearchOptions) -> SearchResults {
        let kind_ok = |doc: &Indexed| opts.kind.as_deref().is_none_or(|k| doc.kind == k);
        let terms = query_terms(query);

        if terms.is_empty() {
            let all: Vec<usize> = self
                .browse
                .iter()
                .map(|&i| i as usize)
                .filter(|&i| kind_ok(&self.docs[i]))
                .collect();
            let hits = all
                .iter()
                .skip(opts.offset)
                .take(opts.limit)
                .map(|&i| self.hit(i, 0.0, MatchKind::Chinese))
                .collect();
            return SearchResults {
                total: all.len(),
                hits,
            };
        }

        let joined: Option<Vec<char>> = (terms.len() > 1).then(|| terms.concat());
        let steps: Vec<FirstSteps> = terms
            .iter()
            .map(|t| self.table.first_steps(t, false))
            .collect();
        let required = terms
            .iter()
            .fold(0u64, |acc, t| acc | t.first().map_or(0, |&c| bit(c)));
        let admissible = |doc: &Indexed| {
            kind_ok(doc)
                && doc.letters & required == required
                && steps.iter().all(|s| doc.pairs.admits(s))
        };

        // The driver: the term with the fewest possible starts. Its matches are found from the
        // postings; the other terms are checked on the documents it matched.
        let starts: Vec<Vec<&[Posting]>> = terms
            .iter()
            .map(|t| self.postings.starts(&self.table, t))
            .collect();
        let count = |lists: &Vec<&[Posting]>| lists.iter().map(|l| l.len()).sum::<usize>();
        let Some(driver) = (0..terms.len()).min_by_key(|&i| (count(&starts[i]), i)) else {
            return SearchResults::default();
        };
        let driver_term = &terms[driver];

        let mut matcher = Matcher::new(&self.table);
        // Per document: 0 not seen, 1 filtered out, 2 admitted.
        let mut state = vec![0u8; self.docs.len()];
        let mut driver_best: Vec<Option<(f32, MatchKind)>> = vec![None; self.docs.len()];
        let mut touched: Vec<usize> = Vec::new();
        for posting in starts[driver].iter().flat_map(|l| l.iter()) {
            let d = posting.doc as usize;
            let doc = &self.docs[d];
            if state[d] == 0 {
                state[d] = if admissible(doc) { 2 } else { 1 };
            }
            if state[d] == 1 {
                continue;
            }
            let Some((field, base, positional)) = doc.field(posting.field as usize) else {
                continue;
            };
            let ceiling = base
                + if positional {
                    MAX_BONUS
                } else {
                    MAX_BODY_BONUS
                };
            if driver_best[d].is_some_and(|(best, _)| best >= ceiling) {
                // A better field already matched.
                continue;
            }
            let Some(found) = matcher.best_at(field, posting.pos as usize, driver_term, positional)
            else {
                continue;
            };
            let scored = score_of(base, found);
            match &mut driver_best[d] {
                None => {
                    driver_best[d] = Some(scored);
                    touched.push(d);
                }
                Some(best) if scored.0 > best.0 => *best = scored,
                Some(_) => {}
            }
        }

        let mut others: Vec<&[char]> = terms
            .iter()
            .enumerate()
            .filter(|&(i, _)| i != driver)
            .map(|(_, t)| t.as_slice())
            .collect();
        // Most selective first, so that documents fail fast.
        others.sort_by_key(|t| (t.iter().all(char::is_ascii), std::cmp::Reverse(t.len())));
        let mut scored: Vec<(f32, usize, MatchKind)> = Vec::new();
        for d in touched {
            let Some(first) = driver_best[d] else {
                continue;
            };
            let doc = &self.docs[d];
            if let Some((score, kind)) =
                self.score_doc(doc, first, &others, joined.as_deref(), &mut matcher)
            {
                scored.push((score, d, kind));
            }
        }
        // Score descending, then key; ranks are unique, so the order is total.
        let order = |a: &(f32, usize, MatchKind), b: &(f32, usize, MatchKind)| {
            b.0.total_cmp(&a.0)
                .then_with(|| self.docs[a.1].rank.cmp(&self.docs[b.1].rank))
        };
        let wanted = opts.offset.saturating_add(opts.limit);
        if wanted == 0 {
            // Only the total is wanted.
        } else if wanted < scored.len() {
            // The first `wanted - 1` are all before the element at `wanted - 1`.
            let (head, _, _) = scored.select_nth_unstable_by(wanted - 1, order);
            head.sort_unstable_by(order);
        } else {
            scored.sort_unstable_by(order);
        }
        let hits = scored
            .iter()
            .skip(opts.offset)
            .take(opts.limit)
            .map(|&(score, i, kind)| self.hit(i, score, kind))
            .collect();
        SearchResults {
            total: scored.len(),
            hits,
        }
    }

    fn hit(&self, i: usize, score: f32, matched: MatchKind) -> Hit {
        let doc = &self.docs[i];
        Hit {
            key: doc.key.clone(),
            kind: doc.kind.clone(),
            score,
            matched,
        }
    }

    /// Best score of one term in a document: title, else aliases, else body.
    fn score_term(
        &self,
        doc: &Indexed,
        term: &[char],
        matcher: &mut Matcher,
    ) -> Option<(f32, MatchKind)> {
        let of = score_of;
        if let Some(found) = matcher.best_in_field(&doc.title, term, true) {
            return Some(of(TITLE, found));
        }
        let mut best: Option<(f32, MatchKind)> = None;
        for alias in &doc.aliases {
            if let Some(found) = matcher.best_in_field(alias, term, true) {
                let candidate = of(ALIAS, found);
                if best.is_none_or(|b| candidate.0 > b.0) {
                    best = Some(candidate);
                }
            }
        }
        if best.is_some() {
            return best;
        }
        matcher
            .best_in_field(&doc.body, term, false)
            .map(|found| of(BODY, found))
    }

    /// Score and kind of a document whose driver term scored `first`, if every other term
    /// matches too.
    fn score_doc(
        &self,
        doc: &Indexed,
        first: (f32, MatchKind),
        others: &[&[char]],
        joined: Option<&[char]>,
        matcher: &mut Matcher,
    ) -> Option<(f32, MatchKind)> {
        let (mut sum, mut kind) = first;
        for term in others {
            let (score, k) = self.score_term(doc, term, matcher)?;
            sum += score;
            if k != kind {
                kind = MatchKind::Mixed;
            }
        }
        let mut best = (sum / (1 + others.len()) as f32, kind);
        if let Some(found) =
            joined.and_then(|joined| matcher.best_in_field(&doc.title, joined, true))
        {
            let joined_score = score_of(TITLE, found);
            if joined_score.0.total_cmp(&best.0) == Ordering::Greater {
                best = joined_score;
            }
        }
        Some((best.0 + doc.brevity, best.1))
    }
}

/// Score of a term's match in a field whose base score is `base`.
fn score_of(base: f32, (position, kind): (Position, MatchKind)) -> (f32, MatchKind) {
    (base + position_score(position) + kind_score(kind), kind)
}

impl Indexed {
    /// Field number `f` (0 title, then aliases, then body), its base score, and whether the
    /// position of a match in it counts.
    fn field(&self, f: usize) -> Option<(&Field, f32, bool)> {
        if f == 0 {
            Some((&self.title, TITLE, true))
        } else if f <= self.aliases.len() {
            Some((&self.aliases[f - 1], ALIAS, true))
        } else if f == self.aliases.len() + 1 {
            Some((&self.body, BODY, false))
        } else {
            None
        }
    }
}
