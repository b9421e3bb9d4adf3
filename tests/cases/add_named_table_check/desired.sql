CREATE TABLE bookings (
    id bigint PRIMARY KEY,
    starts_at timestamptz NOT NULL,
    ends_at timestamptz NOT NULL,
    CONSTRAINT bookings_period_valid CHECK (starts_at < ends_at)
);
