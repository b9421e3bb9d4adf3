CREATE TABLE orders (id bigint PRIMARY KEY, status text);
CREATE FUNCTION audit_order() RETURNS trigger AS $$ BEGIN RETURN NEW; END; $$ LANGUAGE plpgsql;
CREATE TRIGGER orders_audit AFTER INSERT OR UPDATE OR DELETE ON orders FOR EACH ROW EXECUTE FUNCTION audit_order('orders', 1);
