CREATE SCHEMA billing;
CREATE TYPE billing.plan_tier AS ENUM ('free', 'team');
CREATE TABLE accounts (id bigint PRIMARY KEY, tier billing.plan_tier NOT NULL DEFAULT 'free');
