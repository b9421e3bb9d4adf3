CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL, plan text NOT NULL, balance integer NOT NULL DEFAULT 0, closed_at timestamptz);
CREATE INDEX accounts_plan_idx ON accounts (plan);
CREATE VIEW open_accounts AS SELECT id FROM accounts WHERE closed_at IS NULL;
