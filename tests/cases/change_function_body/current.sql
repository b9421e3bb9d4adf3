CREATE FUNCTION add_tax(amount numeric, rate numeric DEFAULT 0.2) RETURNS numeric AS $$ SELECT amount * (1 + rate) $$ LANGUAGE sql IMMUTABLE;
