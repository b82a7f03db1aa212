use super::*;
use crate::matcher::Matcher;
use crate::normalize::query_terms;
use pinyin::ToPinyin;
use proptest::prelude::*;

fn doc(key: &str, kind: &str, title: &str, aliases: &[&str], body: &str) -> Document {
    Document {
        key: key.to_owned(),
        kind: kind.to_owned(),
        title: title.to_owned(),
        aliases: aliases.iter().map(|a| (*a).to_owned()).collect(),
        body: body.to_owned(),
    }
}

fn catalog() -> SearchIndex {
    SearchIndex::build([
        doc(
            "yanglao",
            "item",
            "城乡居民养老保险参保登记",
            &["养老保险登记"],
            "人力资源和社会保障局 社保",
        ),
        doc(
            "xinshenger",
            "bundle",
            "新生儿出生一件事",
            &[],
            "卫生健康委员会 出生医学证明 户口登记 医保",
        ),
        doc(
            "canyin",
            "bundle",
            "开办餐饮店一件事",
            &["开饭店"],
            "市场监督管理局 食品经营许可 消防",
        ),
        doc(
            "laonian",
            "item",
            "老年人优待证办理",
            &["老年证", "老年优待证"],
            "民政局 老年人 高龄",
        ),
        doc("shipin", "item", "食品经营许可", &[], "市场监督管理局"),
        doc(
            "yinhang",
            "item",
            "社会保障卡银行网点激活",
            &[],
            "人力资源和社会保障局",
        ),
        doc("chongqing", "item", "重庆户籍迁入", &[], "公安局 户籍"),
        doc("bchao", "item", "B超检查预约", &[], "卫生健康委员会"),
        doc(
            "gjj",
            "item",
            "430400-JR-001 住房公积金提取",
            &[],
            "住房公积金管理中心",
        ),
        doc("lvse", "item", "绿色通道申请", &[], "退役军人事务局"),
    ])
}

fn all() -> SearchOptions {
    SearchOptions {
        limit: 1000,
        ..SearchOptions::default()
    }
}

fn keys(index: &SearchIndex, query: &str) -> Vec<String> {
    index
        .search(query, &all())
        .hits
        .into_iter()
        .map(|h| h.key)
        .collect()
}

fn first(index: &SearchIndex, query: &str) -> Option<Hit> {
    index.search(query, &all()).hits.into_iter().next()
}

fn assert_top(index: &SearchIndex, query: &str, key: &str, matched: MatchKind) {
    let hit = first(index, query);
    assert!(
        hit.as_ref()
            .is_some_and(|h| h.key == key && h.matched == matched),
        "query {query:?}: expected {key} ({matched:?}), got {hit:?}"
    );
}

#[test]
fn len_and_empty() {
    let index = catalog();
    assert_eq!(index.len(), 10);
    assert!(!index.is_empty());
    let empty = SearchIndex::build(Vec::new());
    assert!(empty.is_empty());
    assert_eq!(empty.search("养老", &all()), SearchResults::default());
    assert_eq!(empty.search("", &all()), SearchResults::default());
}

#[test]
fn chinese() {
    let index = catalog();
    assert_top(&index, "养老保险", "yanglao", MatchKind::Chinese);
    assert_top(&index, "出生", "xinshenger", MatchKind::Chinese);
    // Via an alias.
    assert_top(&index, "老年证", "laonian", MatchKind::Chinese);
    assert_eq!(keys(&index, "老年证"), ["laonian"]);
    // Via the body only.
    assert_eq!(keys(&index, "民政局"), ["laonian"]);
}

#[test]
fn initials() {
    let index = catalog();
    assert_top(&index, "ylbx", "yanglao", MatchKind::Initials);
    assert_top(&index, "xsrcs", "xinshenger", MatchKind::Initials);
    assert_top(&index, "spjyxk", "shipin", MatchKind::Initials);
    assert_top(&index, "lnyd", "laonian", MatchKind::Initials);
}

#[test]
fn full_pinyin() {
    let index = catalog();
    assert_top(&index, "yanglaobaoxian", "yanglao", MatchKind::Pinyin);
    assert_top(&index, "yang lao", "yanglao", MatchKind::Pinyin);
    assert_top(&index, "yang lao bao xian", "yanglao", MatchKind::Pinyin);
    assert_top(&index, "YangLao", "yanglao", MatchKind::Pinyin);
    // Only the alias 老年证 has 老年 directly followed by 证.
    assert_top(&index, "laonianzheng", "laonian", MatchKind::Pinyin);
    assert_top(&index, "xinshenger", "xinshenger", MatchKind::Pinyin);
}

#[test]
fn type_ahead_prefix_of_last_syllable() {
    let index = catalog();
    assert_top(&index, "yanglaob", "yanglao", MatchKind::Pinyin);
    assert_top(&index, "yanglaobaox", "yanglao", MatchKind::Pinyin);
    assert_top(&index, "yanglaobaoxia", "yanglao", MatchKind::Pinyin);
    assert_top(&index, "canyind", "canyin", MatchKind::Pinyin);
}

#[test]
fn mixed() {
    let index = catalog();
    assert_top(&index, "养老bx", "yanglao", MatchKind::Mixed);
    assert_top(&index, "养老baoxian", "yanglao", MatchKind::Mixed);
    assert_top(&index, "ylbaoxian", "yanglao", MatchKind::Mixed);
    // Terms matched in different ways.
    assert_top(&index, "养老 dj", "yanglao", MatchKind::Mixed);
}

#[test]
fn heteronyms() {
    let index = catalog();
    for q in ["yinhang", "yinxing", "yh", "yx", "银行"] {
        assert!(keys(&index, q).contains(&"yinhang".to_owned()), "{q}");
    }
    assert_top(&index, "yinhang", "yinhang", MatchKind::Pinyin);
    assert_top(&index, "yinxing", "yinhang", MatchKind::Pinyin);
    assert_top(&index, "zhongqing", "chongqing", MatchKind::Pinyin);
    assert_top(&index, "chongqing", "chongqing", MatchKind::Pinyin);
    assert_top(&index, "zqhj", "chongqing", MatchKind::Initials);
    assert_top(&index, "cqhj", "chongqing", MatchKind::Initials);
    // ü typed as v or u.
    assert_top(&index, "lvse", "lvse", MatchKind::Pinyin);
    assert_top(&index, "luse", "lvse", MatchKind::Pinyin);
}

#[test]
fn no_match_inside_a_syllable() {
    let index = SearchIndex::build([doc("y", "item", "养老保险", &[], "")]);
    for q in ["ang", "anglao", "aolao", "nglao", "ao", "ianglao"] {
        assert_eq!(index.search(q, &all()).total, 0, "{q}");
    }
    // Nor out of order, or with a wrong syllable.
    for q in ["lybx", "yanglaoxian", "yanglaox", "yangl aox"] {
        assert_eq!(index.search(q, &all()).total, 0, "{q}");
    }
    let index = catalog();
    assert!(!keys(&index, "ang").contains(&"yanglao".to_owned()));
    assert_eq!(index.search("xyz", &all()).total, 0);
    assert_eq!(index.search("qqqq", &all()).total, 0);
    assert_eq!(index.search("龘", &all()).total, 0);
}

#[test]
fn and_semantics() {
    let index = catalog();
    assert_eq!(keys(&index, "养老 登记"), ["yanglao"]);
    assert_eq!(keys(&index, "yanglao dengji"), ["yanglao"]);
    assert!(keys(&index, "养老 餐饮").is_empty());
    assert!(keys(&index, "ylbx xyz").is_empty());
    // Terms may match different fields: title and body.
    assert_eq!(keys(&index, "开办 消防"), ["canyin"]);
    // 一件事 is in two bundles; with 出生 only one is left.
    assert_eq!(keys(&index, "一件事").len(), 2);
    assert_eq!(keys(&index, "一件事 出生"), ["xinshenger"]);
    assert_eq!(keys(&index, "yjs cs"), ["xinshenger"]);
}

#[test]
fn ascii_literals() {
    let index = catalog();
    assert_top(&index, "B超", "bchao", MatchKind::Chinese);
    assert_top(&index, "b超", "bchao", MatchKind::Chinese);
    assert_top(&index, "bchao", "bchao", MatchKind::Mixed);
    assert_top(&index, "430400-JR-001", "gjj", MatchKind::Chinese);
    assert_top(&index, "430400jr001", "gjj", MatchKind::Chinese);
    assert_top(&index, "jr-001", "gjj", MatchKind::Chinese);
    assert_top(&index, "430400 jr", "gjj", MatchKind::Chinese);
    assert_top(&index, "430400 gjj", "gjj", MatchKind::Mixed);
}

#[test]
fn full_width_input() {
    let index = catalog();
    assert_top(&index, "ｙｌｂｘ", "yanglao", MatchKind::Initials);
    assert_top(&index, "ＹＬＢＸ", "yanglao", MatchKind::Initials);
    assert_top(
        &index,
        "ｙａｎｇ\u{3000}ｌａｏ",
        "yanglao",
        MatchKind::Pinyin,
    );
    assert_top(&index, "　养老保险。", "yanglao", MatchKind::Chinese);
    assert_top(&index, "４３０４００", "gjj", MatchKind::Chinese);
}

#[test]
fn kind_filter() {
    let index = catalog();
    let bundles = SearchOptions {
        kind: Some("bundle".to_owned()),
        ..all()
    };
    let r = index.search("一件事", &bundles);
    assert_eq!(r.total, 2);
    assert!(r.hits.iter().all(|h| h.kind == "bundle"));
    let items = SearchOptions {
        kind: Some("item".to_owned()),
        ..all()
    };
    assert_eq!(index.search("一件事", &items).total, 0);
    assert_eq!(index.search("", &items).total, 8);
    assert_eq!(index.search("", &bundles).total, 2);
    assert_eq!(index.search("", &all()).total, 10);
}

#[test]
fn paging() {
    let index = catalog();
    for query in ["", "j", "局"] {
        let full = index.search(query, &all());
        assert!(full.total > 2, "{query}");
        assert_eq!(full.total, full.hits.len());
        let mut paged = Vec::new();
        let mut offset = 0;
        loop {
            let page = index.search(
                query,
                &SearchOptions {
                    offset,
                    limit: 2,
                    kind: None,
                },
            );
            assert_eq!(page.total, full.total);
            if page.hits.is_empty() {
                break;
            }
            assert!(page.hits.len() <= 2);
            offset += page.hits.len();
            paged.extend(page.hits);
        }
        assert_eq!(paged, full.hits, "{query}");
    }
    let past = index.search(
        "",
        &SearchOptions {
            offset: 100,
            ..all()
        },
    );
    assert_eq!((past.total, past.hits.len()), (10, 0));
    let none = index.search("", &SearchOptions { limit: 0, ..all() });
    assert_eq!((none.total, none.hits.len()), (10, 0));
}

#[test]
fn empty_query_lists_by_title_pinyin_then_key() {
    let index = SearchIndex::build([
        doc("k5", "item", "养老", &[], ""),
        doc("k4", "item", "北京", &[], ""),
        doc("k3", "item", "安全", &[], ""),
        doc("k2", "bundle", "阿布", &[], ""),
        doc("k1", "item", "北京", &[], ""),
        doc("k0", "item", "Zz", &[], ""),
        doc("k6", "item", "重庆", &[], ""),
    ]);
    let order = keys(&index, "   ");
    // a-bu < an-quan < bei-jing (k1, k4) < yang-lao < z-z < zhong-qing (default reading):
    // syllable by syllable, like a dictionary.
    assert_eq!(order, ["k2", "k3", "k1", "k4", "k5", "k0", "k6"]);
    let r = index.search("", &all());
    assert!(
        r.hits
            .iter()
            .all(|h| h.score == 0.0 && h.matched == MatchKind::Chinese)
    );
    assert_eq!(keys(&index, "\u{3000}，"), order);
}

#[test]
fn duplicate_keys_last_wins() {
    let index = SearchIndex::build([
        doc("a", "item", "养老保险", &[], ""),
        doc("a", "item", "食品经营许可", &[], ""),
    ]);
    assert_eq!(index.len(), 1);
    assert!(keys(&index, "养老").is_empty());
    assert_eq!(keys(&index, "食品"), ["a"]);
}

#[test]
fn ranking() {
    let index = SearchIndex::build([
        doc("sub", "item", "城乡居民养老保险", &[], ""),
        doc("prefix", "item", "养老保险参保登记", &[], ""),
        doc("exact", "item", "养老保险", &[], ""),
        doc("alias", "item", "其他事项", &["养老保险"], ""),
        doc("body", "item", "其他事项二", &[], "养老保险"),
    ]);
    let order = ["exact", "prefix", "sub", "alias", "body"];
    assert_eq!(keys(&index, "养老保险"), order);
    assert_eq!(keys(&index, "yanglaobaoxian"), order);
    assert_eq!(keys(&index, "ylbx"), order);
    assert_eq!(keys(&index, "yang lao bao xian"), order);

    // Title beats an exact alias.
    let index = SearchIndex::build([
        doc("alias", "item", "老年人优待证办理", &["老年证"], ""),
        doc("title", "item", "老年证补办", &[], ""),
    ]);
    assert_eq!(keys(&index, "老年证"), ["title", "alias"]);

    // Chinese (literal) above pinyin above initials, other things equal.
    let index = SearchIndex::build([
        doc("initials", "item", "保险", &[], ""),
        doc("literal", "item", "BX", &[], ""),
    ]);
    assert_eq!(keys(&index, "bx"), ["literal", "initials"]);
    let index = SearchIndex::build([
        doc("initials", "item", "西安", &[], ""),
        doc("pinyin", "item", "先", &[], ""),
    ]);
    assert_eq!(keys(&index, "xian"), ["pinyin", "initials"]);

    // Shorter titles first on ties; then key.
    let index = SearchIndex::build([
        doc("long", "item", "养老服务中心登记", &[], ""),
        doc("short", "item", "养老服务", &[], ""),
        doc("b", "item", "养老院", &[], ""),
        doc("a", "item", "养老院", &[], ""),
    ]);
    assert_eq!(keys(&index, "养老"), ["a", "b", "short", "long"]);
}

#[test]
fn deterministic() {
    let index = catalog();
    for q in ["", "j", "局", "sh", "一件事", "y"] {
        let a = index.search(q, &all());
        let b = index.search(q, &all());
        assert_eq!(a, b);
        for w in a.hits.windows(2) {
            assert!(
                w[0].score > w[1].score
                    || (w[0].score == w[1].score && w[0].key < w[1].key)
                    || q.is_empty(),
                "{q}: {w:?}"
            );
        }
    }
}

/// About 50 common characters, none with ü in its default reading.
const CHARS: &[char] = &[
    '养', '老', '保', '险', '参', '登', '记', '新', '生', '儿', '出', '一', '件', '事', '开', '办',
    '餐', '饮', '店', '年', '人', '优', '待', '证', '理', '食', '品', '经', '营', '许', '可', '银',
    '行', '重', '庆', '城', '乡', '居', '民', '社', '会', '医', '疗', '户', '口', '婚', '姻', '房',
    '住', '公', '积', '金',
];

fn default_pinyin(chars: &[char]) -> Vec<String> {
    chars
        .iter()
        .map(|c| {
            c.to_pinyin()
                .map_or_else(|| c.to_string(), |p| p.plain().to_owned())
        })
        .collect()
}

proptest! {
    #[test]
    fn any_title_substring_finds_its_document(
        titles in prop::collection::vec(prop::collection::vec(prop::sample::select(CHARS), 1..10), 1..8),
        pick in any::<prop::sample::Index>(),
        range in (any::<prop::sample::Index>(), any::<prop::sample::Index>()),
    ) {
        let docs: Vec<Document> = titles
            .iter()
            .enumerate()
            .map(|(i, t)| doc(&format!("d{i}"), "item", &t.iter().collect::<String>(), &[], ""))
            .collect();
        let index = SearchIndex::build(docs);
        let which = pick.index(titles.len());
        let title = &titles[which];
        let (a, b) = (range.0.index(title.len()), range.1.index(title.len()));
        let (start, end) = (a.min(b), a.max(b) + 1);
        let part = &title[start..end];
        let syllables = default_pinyin(part);
        let key = format!("d{which}");
        let queries = [
            part.iter().collect::<String>(),
            syllables.concat(),
            syllables.join(" "),
            syllables.iter().filter_map(|s| s.chars().next()).collect::<String>(),
            syllables.concat().to_uppercase(),
        ];
        for q in queries {
            let found = index.search(&q, &all());
            prop_assert!(found.hits.iter().any(|h| h.key == key), "{q:?} did not find {:?}", title);
            prop_assert_eq!(found.total, found.hits.len());
        }
    }
}

/// Brute force: every term scored on every document by scanning its fields.
fn reference(index: &SearchIndex, query: &str) -> Vec<(String, f32, MatchKind)> {
    let terms = query_terms(query);
    let Some((first, others)) = terms.split_first() else {
        return Vec::new();
    };
    let others: Vec<&[char]> = others.iter().map(Vec::as_slice).collect();
    let joined: Option<Vec<char>> = (terms.len() > 1).then(|| terms.concat());
    let mut matcher = Matcher::new(&index.table);
    let mut out: Vec<(String, f32, MatchKind)> = index
        .docs
        .iter()
        .filter_map(|doc| {
            let first = index.score_term(doc, first, &mut matcher)?;
            let (score, kind) =
                index.score_doc(doc, first, &others, joined.as_deref(), &mut matcher)?;
            Some((doc.key.clone(), score, kind))
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// A query built from `chars`: each character typed as itself, a reading, or an initial.
fn typed(chars: &[char], how: &[u8], spaces: &[bool]) -> String {
    let mut q = String::new();
    for (i, c) in chars.iter().enumerate() {
        let readings = readings_for_test(*c);
        let way = how.get(i).copied().unwrap_or(0);
        match (
            way % 3,
            readings.get(usize::from(way / 3) % readings.len().max(1)),
        ) {
            (1, Some(r)) => q.push_str(r),
            (2, Some(r)) => q.extend(r.chars().take(1)),
            _ => q.push(*c),
        }
        if spaces.get(i).copied().unwrap_or(false) {
            q.push(' ');
        }
    }
    q
}

fn readings_for_test(c: char) -> Vec<String> {
    use pinyin::ToPinyinMulti;
    c.to_pinyin_multi()
        .map(|m| m.into_iter().map(|p| p.plain().replace('ü', "v")).collect())
        .unwrap_or_default()
}

proptest! {
    #[test]
    fn postings_agree_with_brute_force(
        titles in prop::collection::vec(prop::collection::vec(prop::sample::select(CHARS), 1..8), 1..12),
        bodies in prop::collection::vec(prop::collection::vec(prop::sample::select(CHARS), 0..12), 12),
        pick in any::<prop::sample::Index>(),
        range in (any::<prop::sample::Index>(), any::<prop::sample::Index>()),
        how in prop::collection::vec(any::<u8>(), 8),
        spaces in prop::collection::vec(prop::bool::weighted(0.2), 8),
        noise in "[a-z]{1,5}( [a-z]{1,3})?",
    ) {
        let docs: Vec<Document> = titles
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let title: String = t.iter().collect();
                let body: String = bodies[i].iter().collect();
                let alias: String = t.iter().rev().take(3).collect();
                doc(&format!("d{i}"), if i % 2 == 0 { "item" } else { "bundle" }, &title, &[&alias], &body)
            })
            .collect();
        let index = SearchIndex::build(docs);
        let title = &titles[pick.index(titles.len())];
        let (a, b) = (range.0.index(title.len()), range.1.index(title.len()));
        let part = &title[a.min(b)..=a.max(b)];
        for query in [typed(part, &how, &spaces), noise.clone()] {
            let mut got: Vec<(String, f32, MatchKind)> = index
                .search(&query, &all())
                .hits
                .into_iter()
                .map(|h| (h.key, h.score, h.matched))
                .collect();
            got.sort_by(|a, b| a.0.cmp(&b.0));
            let want = reference(&index, &query);
            prop_assert_eq!(got.len(), want.len(), "{:?}: {:?} vs {:?}", query, got, want);
            for (g, w) in got.iter().zip(&want) {
                prop_assert_eq!(&g.0, &w.0, "{:?}", query);
                prop_assert!((g.1 - w.1).abs() < 1e-4, "{:?}: {:?} vs {:?}", query, g, w);
                prop_assert_eq!(g.2, w.2, "{:?}", query);
            }
        }
    }
}
