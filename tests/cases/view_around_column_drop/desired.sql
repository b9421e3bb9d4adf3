CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL, balance integer NOT NULL DEFAULT 0);
CREATE VIEW balances AS SELECT id, balance FROM accounts;
