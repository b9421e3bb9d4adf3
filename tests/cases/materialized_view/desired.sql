CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL, plan text NOT NULL, balance integer NOT NULL DEFAULT 0, closed_at timestamptz);
CREATE MATERIALIZED VIEW plan_totals AS SELECT plan, count(*) AS accounts, sum(balance) AS balance FROM accounts GROUP BY plan;
