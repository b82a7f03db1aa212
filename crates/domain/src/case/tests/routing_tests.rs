//! Routing (收件地 / 办理地): the competent department and the 通办范围 check; separate because it
//! needs its own region-tree fixtures.

use super::*;

fn region(code: &str, name: &str, level: RegionLevel, parent: Option<&str>) -> Region {
    Region {
        code: RegionCode::parse(code).unwrap(),
        name: name.into(),
        level,
        parent: parent.map(|p| RegionCode::parse(p).unwrap()),
        valid_from: None,
        valid_to: None,
    }
}

fn tree() -> RegionTree {
    use RegionLevel::*;
    RegionTree::new([
        region("430000", "湖南省", Province, None),
        region("430400", "衡阳市", City, Some("430000")),
        region("430422", "衡南县", County, Some("430400")),
        region("430481", "耒阳市", County, Some("430400")),
        region("430422100", "云集街道", Town, Some("430422")),
        region("430422100001", "某社区", Village, Some("430422100")),
        region("430481001", "蔡子池街道", Town, Some("430481")),
    ])
}

fn dept(region: &str, t: &str, level: DepartmentLevel) -> Department {
    let r = RegionCode::parse(region).unwrap();
    Department {
        code: Department::code_for(&r, t),
        name: format!("{region} {t}"),
        department_type: t.into(),
        level,
        region: r,
    }
}

fn departments() -> Vec<Department> {
    vec![
        dept("430400", "hrss", DepartmentLevel::City),
        dept("430422", "hrss", DepartmentLevel::County),
        dept("430481", "hrss", DepartmentLevel::County),
        dept("430481", "civil_affairs", DepartmentLevel::County),
    ]
}

fn form(pairs: &[(&str, &str)]) -> Map<String, Value> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), Value::String((*v).to_owned())))
        .collect()
}

fn village() -> RegionCode {
    RegionCode::parse("430422100001").unwrap()
}

#[test]
fn leiyang_hukou_at_a_hengnan_village_city_scope() {
    let item = full_item();
    let r = route(
        &item,
        &form(&[("hukou_region", "430481")]),
        &village(),
        &tree(),
        &departments(),
    )
    .unwrap();
    assert_eq!(r.department_code, "430481-hrss");
    assert_eq!(r.handling_region.as_str(), "430481");
    // A hukou given at town level finds the same county department.
    let r = route(
        &item,
        &form(&[("hukou_region", " 430481001 ")]),
        &village(),
        &tree(),
        &departments(),
    )
    .unwrap();
    assert_eq!(r.department_code, "430481-hrss");
}

#[test]
fn county_scope_refuses_and_names_it() {
    let mut item = full_item();
    item.scope = CrossRegionScope::County;
    let e = route(
        &item,
        &form(&[("hukou_region", "430481")]),
        &village(),
        &tree(),
        &departments(),
    )
    .unwrap_err();
    assert_eq!(e.code(), "case.outside_scope");
    assert_eq!(
        e.to_string(),
        "县域通办 (county-wide): this item can be received only within 耒阳市 (430481); the receiving center is in 衡南县 (430422)"
    );
    assert_eq!(
        e.message_zh(),
        "本事项为县域通办，只能在耒阳市（430481）范围内收件，本中心位于衡南县（430422）"
    );
    // City scope from outside the city.
    item.scope = CrossRegionScope::City;
    let changsha = RegionCode::parse("430102").unwrap();
    let e = route(
        &item,
        &form(&[("hukou_region", "430481")]),
        &changsha,
        &tree(),
        &departments(),
    )
    .unwrap_err();
    assert!(e.to_string().starts_with("市域通办 (city-wide)"));
    assert!(e.to_string().contains("衡阳市 (430400)"));
    assert!(e.message_zh().starts_with("本事项为市域通办"));
}

#[test]
fn city_level_and_receiving_center_jurisdiction() {
    let mut item = full_item();
    item.department_level = DepartmentLevel::City;
    let r = route(
        &item,
        &form(&[("hukou_region", "430481")]),
        &village(),
        &tree(),
        &departments(),
    )
    .unwrap();
    assert_eq!(r.department_code, "430400-hrss");
    item.department_level = DepartmentLevel::County;
    item.jurisdiction = JurisdictionRule::ReceivingCenter;
    let r = route(&item, &Map::new(), &village(), &tree(), &departments()).unwrap();
    assert_eq!(r.department_code, "430422-hrss");
    assert_eq!(r.handling_region.as_str(), "430422");
}

#[test]
fn routing_errors() {
    let item = full_item();
    let e = route(&item, &Map::new(), &village(), &tree(), &departments()).unwrap_err();
    assert_eq!(
        e,
        CaseError::JurisdictionFieldMissing {
            field: "hukou_region".into()
        }
    );
    assert_eq!(e.code(), "case.jurisdiction_field_missing");
    let mut f = Map::new();
    f.insert("hukou_region".into(), json!(430481));
    assert_eq!(
        route(&item, &f, &village(), &tree(), &departments())
            .unwrap_err()
            .code(),
        "case.jurisdiction_field_missing"
    );
    let e = route(
        &item,
        &form(&[("hukou_region", "99")]),
        &village(),
        &tree(),
        &departments(),
    )
    .unwrap_err();
    assert_eq!(e.code(), "case.jurisdiction_region_unknown");
    // Outside the scope, the scope is the reason given (checked before the department) …
    let e = route(
        &item,
        &form(&[("hukou_region", "430102")]),
        &village(),
        &tree(),
        &departments(),
    )
    .unwrap_err();
    assert_eq!(e.code(), "case.outside_scope");
    // … inside it, a place with no such department on this platform is named.
    let e = route(
        &item,
        &form(&[("hukou_region", "430482")]),
        &village(),
        &tree(),
        &departments(),
    )
    .unwrap_err();
    assert_eq!(
        e,
        CaseError::NoCompetentDepartment {
            department_type: "hrss".into(),
            level: DepartmentLevel::County,
            region: "430482".into()
        }
    );
    assert_eq!(e.code(), "case.no_competent_department");
    assert_eq!(e.message_zh(), "430482 没有类型为 hrss 的县级主管部门");
}
