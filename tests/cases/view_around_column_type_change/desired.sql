CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL, plan text NOT NULL, balance bigint NOT NULL DEFAULT 0, closed_at timestamptz);
CREATE VIEW balances AS SELECT id, balance FROM accounts;
