CREATE TABLE orgs (id bigint PRIMARY KEY);
CREATE TABLE users (
    id bigint PRIMARY KEY,
    email text NOT NULL UNIQUE,
    org_id bigint REFERENCES orgs (id),
    age integer CHECK (age >= 0)
);
CREATE INDEX ON users (org_id, email);
CREATE INDEX ON users (lower(email));
