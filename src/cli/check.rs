//! `tongban check <number>`: exit 0 valid, 1 invalid.

use std::process::ExitCode;

use clap::Args;
use tongban_domain::identity::{CheckKind, CheckReport, check};

use super::{Lang, lang};

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// A resident ID number, unified social credit code or mobile number.
    pub number: String,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: CheckArgs) -> ExitCode {
    let report = check(&args.number);
    if args.json {
        match serde_json::to_string_pretty(&report) {
            Ok(s) => println!("{s}"),
            Err(e) => {
                eprintln!("tongban: {e}");
                return ExitCode::from(70);
            }
        }
    } else {
        print_human(&report, lang());
    }
    if report.valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn print_human(r: &CheckReport, lang: Lang) {
    let (kind, kind_zh) = match r.kind {
        CheckKind::ResidentId => ("resident ID", "公民身份号码"),
        CheckKind::CreditCode => ("unified social credit code", "统一社会信用代码"),
        CheckKind::Mobile => ("mobile number", "手机号码"),
        CheckKind::Unknown => ("number (not recognized)", "号码（无法识别）"),
    };
    match (lang, r.valid) {
        (Lang::En, true) => println!("valid {kind}: {}", r.input_masked),
        (Lang::En, false) => println!("invalid {kind}: {}", r.input_masked),
        (Lang::Zh, true) => println!("有效的{kind_zh}：{}", r.input_masked),
        (Lang::Zh, false) => println!("无效的{kind_zh}：{}", r.input_masked),
    }
    for e in &r.errors {
        match lang {
            Lang::En => println!("  error: {} [{}]", e.message, e.code),
            Lang::Zh => println!("  错误：{} [{}]", e.message_zh, e.code),
        }
    }
    for w in &r.warnings {
        match lang {
            Lang::En => println!("  warning: {} [{}]", w.message, w.code),
            Lang::Zh => println!("  提示：{} [{}]", w.message_zh, w.code),
        }
    }
    if let Ok(serde_json::Value::Object(details)) = serde_json::to_value(&r.details) {
        for (k, v) in details {
            if !v.is_null() {
                let v = v
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| v.to_string());
                println!("  {k}: {v}");
            }
        }
    }
}
