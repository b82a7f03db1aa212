//! Made-up but valid particulars: names, resident ID numbers, credit codes, mobiles, and
//! plausible form values. Separate because they are pure functions of the RNG, shared with
//! `copies`.

use chrono::NaiveDate;
use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use serde_json::{Value, json};
use tongban_domain::catalog::{FieldType, FormField};
use tongban_domain::identity::{CreditCode, ResidentId};

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "周", "吴", "徐", "孙", "胡", "朱", "高", "林",
    "何", "郭", "马", "罗", "谭", "彭", "曾", "邓", "蒋", "廖", "肖", "欧阳",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超",
    "秀英", "建国", "国华", "志强", "海燕", "小红", "春梅", "立新", "文", "斌", "平", "红梅",
];

pub(super) fn person_name(rng: &mut StdRng) -> String {
    format!(
        "{}{}",
        SURNAMES[rng.gen_range(0..SURNAMES.len())],
        GIVEN[rng.gen_range(0..GIVEN.len())]
    )
}

/// A valid resident ID number for someone whose hukou is `county`.
pub(super) fn resident_id(rng: &mut StdRng, county: &str) -> String {
    let birth = NaiveDate::from_ymd_opt(
        rng.gen_range(1945..2004),
        rng.gen_range(1..13),
        rng.gen_range(1..29),
    )
    .unwrap_or_default();
    let first17 = format!(
        "{county}{}{:03}",
        birth.format("%Y%m%d"),
        rng.gen_range(0..999)
    );
    let check = ResidentId::compute_check_char(&first17).unwrap_or('0');
    format!("{first17}{check}")
}

/// A valid unified social credit code registered in `county`.
pub(super) fn credit_code(rng: &mut StdRng, county: &str) -> String {
    const CHARS: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    let org: String = (0..9)
        .map(|_| CHARS[rng.gen_range(0..CHARS.len())] as char)
        .collect();
    let first17 = format!("92{county}{org}");
    let check = CreditCode::compute_check_char(&first17).unwrap_or('0');
    format!("{first17}{check}")
}

fn mobile(rng: &mut StdRng) -> String {
    format!(
        "1{}{:09}",
        [3, 5, 7, 8, 9][rng.gen_range(0..5)],
        rng.gen_range(0..1_000_000_000u32)
    )
}

/// A plausible value for a form field.
pub(super) fn demo_value(
    f: &FormField,
    rng: &mut StdRng,
    name: &str,
    id: &str,
    hukou: &str,
) -> Value {
    match f.key.as_str() {
        "applicant_name" | "company_name" => return json!(name),
        "applicant_id" | "credit_code" => return json!(id),
        _ => {}
    }
    match f.field_type {
        FieldType::Text | FieldType::Textarea => json!(format!("{}（演示）", f.label)),
        FieldType::Number => {
            let lo = f.min.unwrap_or(1.0);
            let hi = f.max.unwrap_or(lo + 100.0).max(lo);
            json!((lo + (hi - lo) * rng.gen_range(0.0..1.0)).round())
        }
        FieldType::Date => json!("2024-05-01"),
        FieldType::Bool => json!(true),
        FieldType::Select => json!(f.options.choose(rng).cloned().unwrap_or_default()),
        FieldType::ResidentId => json!(resident_id(rng, hukou)),
        FieldType::CreditCode => json!(credit_code(rng, hukou)),
        FieldType::Mobile => json!(mobile(rng)),
        FieldType::Region => json!(hukou),
    }
}
