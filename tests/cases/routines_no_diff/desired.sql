CREATE TABLE t (id integer, name varchar(20));
CREATE FUNCTION f(a integer, b character varying DEFAULT 'x'::character varying, OUT c integer) AS $$ BEGIN c := a; END; $$ LANGUAGE plpgsql;
CREATE PROCEDURE p(INOUT a integer, IN b text) AS $$ BEGIN END $$ LANGUAGE plpgsql;
CREATE FUNCTION tf() RETURNS trigger AS $$ BEGIN RETURN NEW; END $$ LANGUAGE plpgsql;
CREATE TRIGGER tr BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION tf();
