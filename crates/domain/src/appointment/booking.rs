//! One person's bookings: no overlap, a maximum open at once; a slot's capacity.

use super::error::AppointmentError;

/// An appointment already held, as instants (epoch milliseconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BookedSpan {
    pub id: i64,
    pub start: i64,
    pub end: i64,
}

/// Whether one more booking may be added to `held` (the person's open appointments, the one being
/// moved left out): it must not overlap any of them, and the person must hold fewer than `max_open`.
pub fn check_booking(
    held: &[BookedSpan],
    start: i64,
    end: i64,
    max_open: u32,
) -> Result<(), AppointmentError> {
    if held.iter().any(|h| h.start < end && start < h.end) {
        return Err(AppointmentError::DoubleBooked);
    }
    let open = u32::try_from(held.len()).unwrap_or(u32::MAX);
    if open >= max_open {
        return Err(AppointmentError::TooManyOpen { open });
    }
    Ok(())
}

/// Whether a slot with `booked` of `capacity` places taken has room for one more.
pub fn has_room(booked: i64, capacity: i64) -> bool {
    booked < capacity
}
