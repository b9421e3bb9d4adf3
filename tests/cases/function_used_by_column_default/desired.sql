CREATE FUNCTION new_item_id() RETURNS text AS $$ BEGIN RETURN 'item_' || md5(random()::text); END; $$ LANGUAGE plpgsql;
CREATE FUNCTION is_positive(n integer) RETURNS boolean AS $$ BEGIN RETURN n > 0; END; $$ LANGUAGE plpgsql IMMUTABLE;
CREATE TABLE items (id text PRIMARY KEY DEFAULT new_item_id(), score integer CHECK (is_positive(score)));
