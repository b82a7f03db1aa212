//! Slot templates (号源模板) and the slots of one day.

use std::collections::BTreeSet;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Weekday};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::error::AppointmentError;
use crate::calendar::{Calendar, DayReason};
use crate::region::CenterLevel;

/// Minutes in a day; `24:00` is allowed as the end of a period.
const DAY_MINUTES: u16 = 24 * 60;

/// An opening period of one day, e.g. `08:30`–`12:00`. Written as `"HH:MM"` strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Period {
    #[serde(serialize_with = "ser_hhmm", deserialize_with = "de_hhmm")]
    pub start: u16,
    #[serde(serialize_with = "ser_hhmm", deserialize_with = "de_hhmm")]
    pub end: u16,
}

impl Period {
    /// A period from `HH:MM` to `HH:MM` given as minutes after midnight.
    pub const fn new(start: u16, end: u16) -> Self {
        Period { start, end }
    }
}

/// `"08:30"` for 510.
pub fn hhmm(minutes: u16) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// Minutes after midnight of `"HH:MM"` (`"24:00"` allowed).
pub fn parse_hhmm(s: &str) -> Option<u16> {
    let (h, m) = s.trim().split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    let total = h * 60 + m;
    (m < 60 && total <= DAY_MINUTES).then_some(total)
}

fn ser_hhmm<S: Serializer>(m: &u16, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&hhmm(*m))
}

fn de_hhmm<'de, D: Deserializer<'de>>(d: D) -> Result<u16, D::Error> {
    let s = String::deserialize(d)?;
    parse_hhmm(&s).ok_or_else(|| {
        serde::de::Error::custom(format!(
            "{s:?} is not a time of day (HH:MM, 00:00 to 24:00)"
        ))
    })
}

/// A kind of window (窗口类型) with its own queue: `general` 综合窗口 (ticket prefix A),
/// `social_security` 社保医保窗口 (B), `enterprise` 企业开办窗口 (C) …
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowType {
    /// Lower-case key, e.g. `general`.
    pub key: String,
    /// Shown on the display, e.g. 综合窗口.
    pub name: String,
    /// One upper-case letter that starts its ticket numbers.
    pub prefix: String,
    /// Bookings per slot for this window type.
    pub capacity: u32,
    /// Items of these department types (catalog keys, e.g. `hrss`) are served here; the first
    /// window type also takes everything no other one claims, and every bundle (一窗受理).
    #[serde(default)]
    pub department_types: Vec<String>,
}

/// A center's slot template (号源模板).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlotTemplate {
    /// Length of one slot in minutes.
    pub slot_minutes: u16,
    /// Hours on a working day (make-up working days included); the gaps are breaks (午休).
    pub workday: Vec<Period>,
    /// 延时服务: extra hours on working days.
    #[serde(default)]
    pub evening: Vec<Period>,
    /// Hours on an ordinary Saturday (not a holiday).
    #[serde(default)]
    pub saturday: Vec<Period>,
    /// Hours on an ordinary Sunday (not a holiday).
    #[serde(default)]
    pub sunday: Vec<Period>,
    /// Hours on a day the center marked as an extended-service day; empty means the working-day
    /// hours.
    #[serde(default)]
    pub extended_day: Vec<Period>,
    /// The window types; the first is the default.
    pub window_types: Vec<WindowType>,
    /// Open (future, not cancelled) appointments one person may hold when booking here.
    pub max_open_bookings: u32,
    /// How many days ahead one may book.
    pub horizon_days: u32,
}

/// Why a day is open or closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DayState {
    /// A working day (工作日).
    Workday,
    /// A make-up working day (调休上班日).
    MakeupWorkday,
    /// An ordinary weekend with the template's weekend hours (周末服务).
    Weekend,
    /// A rest day the center opens anyway (延时/节假日服务).
    ExtendedService,
    /// Closed.
    Closed,
}

/// One bookable slot for one window type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Slot {
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
    pub window_type: String,
    pub capacity: u32,
}

impl Slot {
    pub fn time(&self) -> String {
        self.start.format("%H:%M").to_string()
    }
}

/// The slots of one day, or why there are none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DayPlan {
    pub date: NaiveDate,
    pub state: DayState,
    /// What the day is (国庆节, 周末, 调休上班 …), English and Chinese.
    pub reason: String,
    pub reason_zh: String,
    pub slots: Vec<Slot>,
}

impl DayPlan {
    /// The slot of this window type starting at `HH:MM`, or why there is none.
    pub fn slot(&self, time: &str, window_type: &str) -> Result<&Slot, AppointmentError> {
        if self.state == DayState::Closed {
            return Err(AppointmentError::DayClosed {
                date: self.date,
                reason: self.reason.clone(),
                reason_zh: self.reason_zh.clone(),
            });
        }
        self.slots
            .iter()
            .find(|s| s.window_type == window_type && s.time() == time)
            .ok_or_else(|| AppointmentError::NoSuchSlot {
                date: self.date,
                time: time.to_owned(),
                window_type: window_type.to_owned(),
            })
    }
}

fn reason_of(info: &DayReason) -> (String, String) {
    match info {
        DayReason::Weekday => ("a working day".into(), "工作日".into()),
        DayReason::Weekend => ("a weekend".into(), "周末".into()),
        DayReason::Holiday(n) => (
            format!("a public holiday ({n})"),
            format!("法定节假日（{n}）"),
        ),
        DayReason::MakeupWorkday(n) => (
            format!("a make-up working day ({n})"),
            format!("调休上班日（{n}）"),
        ),
        DayReason::Override(n) => (
            format!("changed by the administrator ({n})"),
            format!("临时调整（{n}）"),
        ),
    }
}

/// The slots of `date` at a center with this template: working days (make-up days included) have
/// the working-day and evening hours; a rest day the center marked as an extended-service day has
/// the extended-day hours; an ordinary weekend has the template's Saturday or Sunday hours; public
/// holidays and closures are closed.
pub fn day_plan(
    template: &SlotTemplate,
    date: NaiveDate,
    calendar: &Calendar,
    extended_days: &BTreeSet<NaiveDate>,
) -> DayPlan {
    let info = calendar.day_info(date);
    let (mut reason, mut reason_zh) = reason_of(&info.reason);
    let (state, periods): (DayState, Vec<Period>) = if info.is_workday {
        let state = if matches!(info.reason, DayReason::MakeupWorkday(_)) {
            DayState::MakeupWorkday
        } else {
            DayState::Workday
        };
        let mut p = template.workday.clone();
        p.extend(template.evening.iter().copied());
        (state, p)
    } else if extended_days.contains(&date) {
        reason = format!("an extended-service day ({reason})");
        reason_zh = format!("延时服务日（{reason_zh}）");
        let p = if template.extended_day.is_empty() {
            template.workday.clone()
        } else {
            template.extended_day.clone()
        };
        (DayState::ExtendedService, p)
    } else if info.reason == DayReason::Weekend {
        let p = match date.weekday() {
            Weekday::Sat => template.saturday.clone(),
            _ => template.sunday.clone(),
        };
        if p.is_empty() {
            (DayState::Closed, p)
        } else {
            (DayState::Weekend, p)
        }
    } else {
        (DayState::Closed, Vec::new())
    };
    let mut slots = Vec::new();
    let midnight = date.and_time(NaiveTime::MIN);
    let step = template.slot_minutes.max(1);
    let mut periods = periods;
    periods.sort();
    for p in &periods {
        let mut t = p.start;
        while t + step <= p.end {
            for w in &template.window_types {
                slots.push(Slot {
                    start: midnight + Duration::minutes(i64::from(t)),
                    end: midnight + Duration::minutes(i64::from(t + step)),
                    window_type: w.key.clone(),
                    capacity: w.capacity,
                });
            }
            t += step;
        }
    }
    DayPlan {
        date,
        state,
        reason,
        reason_zh,
        slots,
    }
}

fn window(key: &str, name: &str, prefix: &str, capacity: u32, depts: &[&str]) -> WindowType {
    WindowType {
        key: key.into(),
        name: name.into(),
        prefix: prefix.into(),
        capacity,
        department_types: depts.iter().map(|d| (*d).to_owned()).collect(),
    }
}

/// The template a center has until someone replaces it: city and county halls Monday to Friday
/// 08:30–12:00 and 14:30–17:30 in 30-minute slots, Saturday morning 09:00–12:00, with a general,
/// a social-security and an enterprise window; town centers the same weekday hours with one
/// general window type; village stations 09:00–12:00 and 14:30–17:00, one place per slot.
pub fn default_template(level: CenterLevel) -> SlotTemplate {
    let weekday = vec![Period::new(510, 720), Period::new(870, 1050)];
    let base = SlotTemplate {
        slot_minutes: 30,
        workday: weekday,
        evening: Vec::new(),
        saturday: Vec::new(),
        sunday: Vec::new(),
        extended_day: Vec::new(),
        window_types: vec![window("general", "综合窗口", "A", 2, &[])],
        max_open_bookings: 3,
        horizon_days: 60,
    };
    match level {
        CenterLevel::City | CenterLevel::County => SlotTemplate {
            saturday: vec![Period::new(540, 720)],
            window_types: vec![
                window("general", "综合窗口", "A", 4, &[]),
                window(
                    "social_security",
                    "社保医保窗口",
                    "B",
                    2,
                    &["hrss", "medical_security", "housing_fund"],
                ),
                window(
                    "enterprise",
                    "企业服务窗口",
                    "C",
                    2,
                    &["market_regulation", "tax", "approval"],
                ),
            ],
            ..base
        },
        CenterLevel::Town => base,
        CenterLevel::Village => SlotTemplate {
            workday: vec![Period::new(540, 720), Period::new(870, 1020)],
            window_types: vec![window("general", "综合窗口", "A", 1, &[])],
            ..base
        },
    }
}

fn bad(field: &str, message: String, message_zh: String) -> AppointmentError {
    AppointmentError::InvalidTemplate {
        field: field.to_owned(),
        message,
        message_zh,
    }
}

fn check_periods(field: &str, periods: &[Period], slot: u16) -> Result<(), AppointmentError> {
    let mut sorted = periods.to_vec();
    sorted.sort();
    for (i, p) in sorted.iter().enumerate() {
        if p.end < p.start + slot {
            return Err(bad(
                field,
                format!(
                    "{}–{} is shorter than one {slot}-minute slot",
                    hhmm(p.start),
                    hhmm(p.end)
                ),
                format!(
                    "{}–{} 不足一个 {slot} 分钟的时段",
                    hhmm(p.start),
                    hhmm(p.end)
                ),
            ));
        }
        if let Some(next) = sorted.get(i + 1)
            && next.start < p.end
        {
            return Err(bad(
                field,
                format!(
                    "{}–{} overlaps {}–{}",
                    hhmm(p.start),
                    hhmm(p.end),
                    hhmm(next.start),
                    hhmm(next.end)
                ),
                format!(
                    "{}–{} 与 {}–{} 重叠",
                    hhmm(p.start),
                    hhmm(p.end),
                    hhmm(next.start),
                    hhmm(next.end)
                ),
            ));
        }
    }
    Ok(())
}

impl SlotTemplate {
    /// The window type an item of this department type is served at; bundles (`None`) and
    /// unclaimed types go to the first.
    pub fn window_for(&self, department_type: Option<&str>) -> Option<&WindowType> {
        department_type
            .and_then(|d| {
                self.window_types
                    .iter()
                    .find(|w| w.department_types.iter().any(|t| t == d))
            })
            .or_else(|| self.window_types.first())
    }

    pub fn window_type(&self, key: &str) -> Option<&WindowType> {
        self.window_types.iter().find(|w| w.key == key)
    }

    /// Checks the template; the error names the field.
    pub fn validate(&self) -> Result<(), AppointmentError> {
        let slot = self.slot_minutes;
        if !(5..=240).contains(&slot) {
            return Err(bad(
                "slot_minutes",
                format!("a slot must last 5 to 240 minutes, not {slot}"),
                format!("时段长度应为 5 到 240 分钟，实际为 {slot}"),
            ));
        }
        if self.workday.is_empty() {
            return Err(bad(
                "workday",
                "give the working-day hours".into(),
                "请填写工作日办公时间".into(),
            ));
        }
        let mut weekday: Vec<Period> = self.workday.clone();
        weekday.extend(self.evening.iter().copied());
        check_periods("workday", &weekday, slot)?;
        check_periods("saturday", &self.saturday, slot)?;
        check_periods("sunday", &self.sunday, slot)?;
        check_periods("extended_day", &self.extended_day, slot)?;
        if self.window_types.is_empty() || self.window_types.len() > 26 {
            return Err(bad(
                "window_types",
                "give 1 to 26 window types".into(),
                "窗口类型应为 1 到 26 个".into(),
            ));
        }
        let mut keys = BTreeSet::new();
        let mut prefixes = BTreeSet::new();
        for (i, w) in self.window_types.iter().enumerate() {
            let field = format!("window_types[{i}]");
            let key_ok = !w.key.is_empty()
                && w.key.len() <= 32
                && w.key.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
            if !key_ok || !keys.insert(w.key.clone()) {
                return Err(bad(
                    &format!("{field}.key"),
                    format!("{:?} must be a new key of a-z and _ (at most 32)", w.key),
                    format!("{:?} 应为不重复的小写字母或下划线（最多 32 个）", w.key),
                ));
            }
            let p = w.prefix.as_bytes();
            if p.len() != 1 || !p[0].is_ascii_uppercase() || !prefixes.insert(w.prefix.clone()) {
                return Err(bad(
                    &format!("{field}.prefix"),
                    format!(
                        "{:?} must be one upper-case letter no other window type uses",
                        w.prefix
                    ),
                    format!("{:?} 应为其他窗口类型未使用的一个大写字母", w.prefix),
                ));
            }
            if w.name.trim().is_empty() {
                return Err(bad(
                    &format!("{field}.name"),
                    "give the window type a name".into(),
                    "请填写窗口类型名称".into(),
                ));
            }
            if !(1..=500).contains(&w.capacity) {
                return Err(bad(
                    &format!("{field}.capacity"),
                    format!("capacity must be 1 to 500, not {}", w.capacity),
                    format!("每个时段的号源数应为 1 到 500，实际为 {}", w.capacity),
                ));
            }
        }
        if !(1..=20).contains(&self.max_open_bookings) {
            return Err(bad(
                "max_open_bookings",
                "allow 1 to 20 open appointments per person".into(),
                "每人未完成预约上限应为 1 到 20".into(),
            ));
        }
        if !(1..=366).contains(&self.horizon_days) {
            return Err(bad(
                "horizon_days",
                "allow booking 1 to 366 days ahead".into(),
                "可预约天数应为 1 到 366".into(),
            ));
        }
        Ok(())
    }
}
