CREATE TABLE events (id bigint PRIMARY KEY, kind text);
CREATE FUNCTION event_kind() RETURNS trigger AS $$ BEGIN RETURN NEW; END; $$ LANGUAGE plpgsql;
CREATE TRIGGER events_kind AFTER INSERT ON events FOR EACH ROW EXECUTE FUNCTION event_kind();
CREATE FUNCTION label(n integer) RETURNS integer AS $$ BEGIN RETURN n; END; $$ LANGUAGE plpgsql;
