CREATE TABLE orgs (id bigint CONSTRAINT orgs_pkey PRIMARY KEY);
CREATE TABLE users (
    id bigint,
    email text NOT NULL,
    org_id bigint,
    age integer,
    CONSTRAINT users_pkey PRIMARY KEY (id),
    CONSTRAINT users_email_key UNIQUE (email),
    CONSTRAINT users_org_id_fkey FOREIGN KEY (org_id) REFERENCES orgs (id),
    CONSTRAINT users_age_check CHECK (age >= 0)
);
CREATE INDEX users_org_id_email_idx ON users (org_id, email);
CREATE INDEX users_lower_idx ON users (lower(email));
