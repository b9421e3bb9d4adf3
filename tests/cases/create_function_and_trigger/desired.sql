CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL, updated_at timestamptz);
CREATE FUNCTION touch_updated_at() RETURNS trigger AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
COMMENT ON FUNCTION touch_updated_at() IS 'Sets updated_at on every write';
CREATE TRIGGER accounts_touch BEFORE INSERT OR UPDATE OF email ON accounts
  FOR EACH ROW WHEN (NEW.email IS NOT NULL) EXECUTE FUNCTION touch_updated_at();
COMMENT ON TRIGGER accounts_touch ON accounts IS 'Keeps updated_at current';
