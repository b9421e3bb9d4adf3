CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL, plan text NOT NULL, balance integer NOT NULL DEFAULT 0, closed_at timestamptz);
CREATE VIEW open_accounts AS SELECT id, email FROM accounts WHERE closed_at IS NULL;
