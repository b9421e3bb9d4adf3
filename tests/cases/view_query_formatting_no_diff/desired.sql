CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL, plan text NOT NULL, balance integer NOT NULL DEFAULT 0, closed_at timestamptz);
create view open_accounts as
  select id,
         email
    from accounts
   where closed_at is null;
