CREATE TABLE bookings (id bigint PRIMARY KEY, starts_at timestamptz NOT NULL, ends_at timestamptz NOT NULL);
