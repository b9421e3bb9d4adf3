CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL, plan text NOT NULL, balance integer NOT NULL DEFAULT 0, closed_at timestamptz);

CREATE VIEW open_accounts AS SELECT id, email, balance FROM accounts WHERE closed_at IS NULL;
CREATE VIEW open_accounts_in_debt AS SELECT id, email FROM open_accounts WHERE balance < 0;
