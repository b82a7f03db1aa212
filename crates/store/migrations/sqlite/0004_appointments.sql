-- 预约办: slot templates, extended-service days, bookings with a per-slot counter row, and the
-- queue tickets issued at check-in. Kept column-for-column identical to the other backend's 0004_appointments.sql.

CREATE TABLE appointment_templates (
    center_code TEXT PRIMARY KEY REFERENCES service_centers (code),
    document    TEXT NOT NULL,
    updated_at  BIGINT NOT NULL,
    updated_by  BIGINT NOT NULL REFERENCES users (id)
);

CREATE TABLE appointment_extended_days (
    center_code TEXT NOT NULL REFERENCES service_centers (code),
    day         TEXT NOT NULL,
    name        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (center_code, day)
);

-- Named counters: appointment ids, ticket sequences per center/day/window type, and per-person
-- rows taken first in a booking transaction so one person's bookings are serialized.
CREATE TABLE appointment_counters (
    name TEXT PRIMARY KEY,
    n    BIGINT NOT NULL
);

-- One row per slot and window type once booked: `booked` only grows while `booked < capacity`.
CREATE TABLE appointment_slots (
    center_code TEXT NOT NULL REFERENCES service_centers (code),
    day         TEXT NOT NULL,
    start_time  TEXT NOT NULL,
    window_type TEXT NOT NULL,
    capacity    BIGINT NOT NULL,
    booked      BIGINT NOT NULL,
    PRIMARY KEY (center_code, day, start_time, window_type)
);

CREATE TABLE appointments (
    id                BIGINT PRIMARY KEY,
    applicant_user_id BIGINT NOT NULL REFERENCES users (id),
    center_code       TEXT NOT NULL REFERENCES service_centers (code),
    day               TEXT NOT NULL,
    start_time        TEXT NOT NULL,
    end_time          TEXT NOT NULL,
    start_at          BIGINT NOT NULL,
    end_at            BIGINT NOT NULL,
    window_type       TEXT NOT NULL,
    item_code         TEXT,
    bundle_code       TEXT,
    title             TEXT NOT NULL,
    status            TEXT NOT NULL,
    ticket            TEXT,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);
CREATE INDEX appointments_applicant ON appointments (applicant_user_id, status, start_at);
CREATE UNIQUE INDEX appointments_one_per_start ON appointments (applicant_user_id, start_at)
    WHERE status = 'booked';

CREATE TABLE queue_tickets (
    center_code    TEXT NOT NULL REFERENCES service_centers (code),
    day            TEXT NOT NULL,
    number         TEXT NOT NULL,
    window_type    TEXT NOT NULL,
    seq            BIGINT NOT NULL,
    appointment_id BIGINT REFERENCES appointments (id),
    status         TEXT NOT NULL,
    calls          BIGINT NOT NULL,
    counter        BIGINT,
    called_by      BIGINT REFERENCES users (id),
    issued_at      BIGINT NOT NULL,
    called_at      BIGINT,
    updated_at     BIGINT NOT NULL,
    PRIMARY KEY (center_code, day, number)
);
CREATE INDEX queue_tickets_queue ON queue_tickets (center_code, day, window_type, status, seq);
