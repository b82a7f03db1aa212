//! A center's opening hours for appointments: the slot template, the extended-service days, and
//! the day plan they make with the official calendar. Booking resolves its slot against the same
//! plan, so what a day's listing offers is what can be booked.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use tongban_domain::appointment::{self as appt, DayState, SlotTemplate};
use tongban_domain::catalog::Role;

use super::{
    CenterRef, DaySlots, ExtendedDay, ExtendedDayRequest, SlotView, TemplateView, domain_error,
    forbidden, iso,
};
use crate::App;
use crate::accounts::CurrentUser;
use crate::calendar::parse_date;
use crate::error::{AppError, AppResult};

/// Who may change a center's template and extended days: a system administrator or a clerk of it.
fn may_manage(user: &CurrentUser, center: &str) -> AppResult<()> {
    let ok = user.role == Role::SystemAdmin
        || (user.role == Role::Clerk && user.center_code.as_deref() == Some(center));
    if ok {
        Ok(())
    } else {
        Err(forbidden(
            "appointment.manage_forbidden",
            "Only a system administrator or a clerk of this center may change its hours.",
            "只有系统管理员或本中心窗口工作人员可以调整预约时段。",
        ))
    }
}

impl App {
    pub(super) async fn extended_set(
        &self,
        code: &str,
        from: NaiveDate,
    ) -> AppResult<BTreeSet<NaiveDate>> {
        Ok(self
            .store
            .extended_days(code, &iso(from))
            .await?
            .into_iter()
            .filter_map(|(d, _)| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok())
            .collect())
    }

    /// A center's template (stored, or its tier's default) and its coming extended-service days.
    pub async fn slot_template(&self, code: &str) -> AppResult<TemplateView> {
        let (center, template, stored) = self.center_with_template(code).await?;
        let extended_days = self
            .store
            .extended_days(code, &iso(self.clock.today()))
            .await?
            .into_iter()
            .map(|(date, name)| ExtendedDay { date, name })
            .collect();
        Ok(TemplateView {
            center: CenterRef {
                code: center.code,
                name: center.name,
            },
            stored,
            template,
            extended_days,
        })
    }

    /// Replaces a center's template. Existing bookings stay; new bookings follow the new hours.
    pub async fn put_slot_template(
        &self,
        user: &CurrentUser,
        code: &str,
        template: SlotTemplate,
    ) -> AppResult<TemplateView> {
        self.center_with_template(code).await?;
        may_manage(user, code)?;
        template.validate().map_err(domain_error)?;
        let doc = serde_json::to_string(&template).map_err(AppError::internal)?;
        let now = self.clock.now().timestamp_millis();
        self.store
            .put_appointment_template(code, &doc, now, user.id)
            .await?;
        self.slot_template(code).await
    }

    /// Marks a day as an extended-service day: the center opens on it even if it is a rest day.
    pub async fn add_extended_day(
        &self,
        user: &CurrentUser,
        code: &str,
        req: ExtendedDayRequest,
    ) -> AppResult<TemplateView> {
        self.center_with_template(code).await?;
        may_manage(user, code)?;
        let date = parse_date(&req.date, "date")?;
        if date < self.clock.today() {
            return Err(AppError::invalid(
                "appointment.date_past",
                format!("{date} has passed."),
                format!("{date} 已过去。"),
            )
            .with_field("date"));
        }
        if req.name.trim().is_empty() {
            return Err(AppError::invalid(
                "appointment.extended_day_needs_name",
                "Give the extended-service day a name.",
                "请填写延时服务日的名称。",
            )
            .with_field("name"));
        }
        let now = self.clock.now().timestamp_millis();
        self.store
            .put_extended_day(code, &iso(date), req.name.trim(), now)
            .await?;
        self.slot_template(code).await
    }

    /// The slots of one day at a center with what is left of each.
    pub async fn day_slots(&self, code: &str, date: &str) -> AppResult<DaySlots> {
        let date = parse_date(date, "date")?;
        let (center, template, _) = self.center_with_template(code).await?;
        let ext = self.extended_set(code, date).await?;
        let plan = appt::day_plan(&template, date, &self.calendar(), &ext);
        let booked: BTreeMap<(String, String), i64> = self
            .store
            .slot_bookings(code, &iso(date))
            .await?
            .into_iter()
            .map(|(t, w, n)| ((t, w), n))
            .collect();
        let slots = plan
            .slots
            .iter()
            .map(|s| {
                let time = s.time();
                let n = booked
                    .get(&(time.clone(), s.window_type.clone()))
                    .copied()
                    .unwrap_or(0);
                SlotView {
                    end: s.end.format("%H:%M").to_string(),
                    window_name: template
                        .window_type(&s.window_type)
                        .map(|w| w.name.clone())
                        .unwrap_or_default(),
                    window_type: s.window_type.clone(),
                    capacity: s.capacity,
                    booked: n,
                    available: (i64::from(s.capacity) - n).max(0),
                    time,
                }
            })
            .collect();
        Ok(DaySlots {
            center: CenterRef {
                code: center.code,
                name: center.name,
            },
            date,
            open: plan.state != DayState::Closed,
            state: plan.state,
            reason: plan.reason,
            reason_zh: plan.reason_zh,
            slots,
        })
    }
}
