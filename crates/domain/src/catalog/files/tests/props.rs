//! Property tests: rendering any item or bundle and parsing it back gives the same value.

use proptest::prelude::*;

use super::*;

fn text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 _\\-\"'\\\\\n\t#=\\[\\]{}，。《》（）养老保险登记证明]{0,24}"
}

fn opt<T: std::fmt::Debug + Clone>(
    s: impl Strategy<Value = T>,
) -> impl Strategy<Value = Option<T>> {
    proptest::option::of(s)
}

fn any_material() -> impl Strategy<Value = Material> {
    (
        (
            text(),
            text(),
            prop_oneof![
                Just(MaterialForm::Electronic),
                Just(MaterialForm::Copy),
                Just(MaterialForm::Original)
            ],
            0u32..5,
        ),
        (
            prop_oneof![Just(Requirement::Conditional), Just(Requirement::Required)],
            opt(text()),
            opt(0u32..30),
            any::<bool>(),
        ),
        (opt(text()), opt(text())),
    )
        .prop_map(
            |(
                (code, name, form, copies),
                (requirement, condition, tolerable_days, r),
                (e, note),
            )| Material {
                code,
                name,
                form,
                copies,
                requirement,
                condition,
                tolerable_days,
                replaceable_by_commitment: r,
                e_certificate: e,
                note,
            },
        )
}

fn any_field() -> impl Strategy<Value = FormField> {
    let types = prop_oneof![
        Just(FieldType::Text),
        Just(FieldType::Textarea),
        Just(FieldType::Number),
        Just(FieldType::Date),
        Just(FieldType::Bool),
        Just(FieldType::Select),
        Just(FieldType::ResidentId),
        Just(FieldType::CreditCode),
        Just(FieldType::Mobile),
        Just(FieldType::Region),
    ];
    (
        (text(), text(), opt(text()), types, any::<bool>()),
        (opt(0u32..500), opt(-1.0e9f64..1.0e9), opt(-1.0e9f64..1.0e9)),
        (proptest::collection::vec(text(), 0..4), opt(text())),
    )
        .prop_map(
            |(
                (key, label, label_en, field_type, required),
                (max_length, min, max),
                (options, help),
            )| FormField {
                key,
                label,
                label_en,
                field_type,
                required,
                max_length,
                min,
                max,
                options,
                help,
            },
        )
}

fn any_step() -> impl Strategy<Value = ProcessStep> {
    let kinds = prop_oneof![
        Just(StepKind::Accept),
        Just(StepKind::Review),
        Just(StepKind::Decide),
        Just(StepKind::Conclude),
        Just(StepKind::Deliver),
    ];
    let roles = prop_oneof![
        Just(Role::Clerk),
        Just(Role::Approver),
        Just(Role::Applicant)
    ];
    (kinds, text(), roles, 0u32..101).prop_map(|(kind, name, role, share_percent)| ProcessStep {
        kind,
        name,
        role,
        share_percent,
    })
}

fn any_item() -> impl Strategy<Value = Item> {
    let modes = proptest::sample::subsequence(
        vec![
            HandlingMode::Online,
            HandlingMode::Tolerance,
            HandlingMode::Commitment,
            HandlingMode::Appointment,
            HandlingMode::Agent,
        ],
        0..5,
    );
    (
        (
            text(),
            text(),
            proptest::collection::vec(text(), 0..3),
            proptest::collection::vec(text(), 0..3),
        ),
        (
            0u32..100,
            0u32..100,
            text(),
            prop_oneof![Just(0.0f64), 0.0f64..1.0e6],
            opt(text()),
            text(),
        ),
        (
            prop_oneof![
                Just(ResultKind::Certificate),
                Just(ResultKind::Decision),
                Just(ResultKind::Notice)
            ],
            text(),
            opt(text()),
            proptest::collection::vec(text(), 0..4),
        ),
        (
            proptest::collection::vec(any_material(), 0..4),
            proptest::collection::vec(any_field(), 0..4),
            proptest::collection::vec(any_step(), 0..5),
            modes,
        ),
        (
            opt(prop_oneof![
                Just(ToleranceExpiry::Terminate),
                Just(ToleranceExpiry::Suspend)
            ]),
            opt((text(), 0u32..200, 0u32..1000)),
            prop_oneof![
                Just(JurisdictionRule::Hukou),
                Just(JurisdictionRule::ReceivingCenter)
            ],
        ),
    )
        .prop_map(
            |(
                (code, name, aliases, life_events),
                (legal, committed, conditions, fee, fee_basis, place),
                (rk, rname, ctype, basis),
                (materials, fields, steps, modes),
                (tol, com, jurisdiction),
            )| {
                let mut i = item(&code, &name);
                i.aliases = aliases;
                i.life_events = life_events;
                i.legal_limit_days = legal;
                i.committed_limit_days = committed;
                i.standard = ServiceStandard {
                    conditions,
                    fee_yuan: fee,
                    fee_basis,
                    place,
                    result: ResultSpec {
                        kind: rk,
                        name: rname,
                        certificate_type: ctype,
                    },
                    legal_basis: basis,
                };
                i.materials = materials;
                i.fields = fields;
                i.steps = steps;
                i.modes = modes;
                i.jurisdiction = jurisdiction;
                i.tolerance = tol.map(|on_expiry| ToleranceSettings { on_expiry });
                i.commitment =
                    com.map(
                        |(text, verification_percent, bar_days)| CommitmentSettings {
                            text,
                            verification_percent,
                            bar_days,
                        },
                    );
                i
            },
        )
}

proptest! {
    #[test]
    fn any_item_round_trips(item in any_item()) {
        let text = render_item(&item);
        let back = parse_item(&SourceFile::new("items/x/y.toml", text.clone()));
        prop_assert_eq!(back.as_ref().ok(), Some(&item), "{}\n{:?}", text, back);
        prop_assert_eq!(content_fingerprint(back.as_ref().ok().unwrap()), content_fingerprint(&item));
    }

    #[test]
    fn any_bundle_round_trips(
        code in text(), name in text(), desc in text(),
        entries in proptest::collection::vec((text(), proptest::collection::vec(text(), 0..3)), 0..4),
    ) {
        let b = Bundle {
            code, name, aliases: vec![], life_event: "x".into(), audience: Audience::Both, description: desc,
            items: entries.into_iter().map(|(item, needs)| BundleItem { item, needs }).collect(),
        };
        let text = render_bundle(&b);
        prop_assert_eq!(parse_bundle(&SourceFile::new("bundles/x.toml", text.clone())).ok(), Some(b), "{}", text);
    }
}
