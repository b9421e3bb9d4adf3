CREATE TABLE approvals (id bigint PRIMARY KEY, name text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
CREATE VIEW approvals_recent AS
    SELECT t.id, t.name, t.created_at
    FROM approvals t
    WHERE t.created_at > now() - interval '30 days';
