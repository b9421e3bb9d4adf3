CREATE SCHEMA billing;
CREATE TABLE customers (id bigint PRIMARY KEY);
CREATE TABLE billing.invoices (id bigint PRIMARY KEY, customer_id bigint NOT NULL);
