CREATE TABLE bookings (id bigint PRIMARY KEY, starts_at integer, ends_at integer, CHECK (starts_at < ends_at));
