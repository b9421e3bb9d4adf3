CREATE DOMAIN status_code AS integer DEFAULT 404 CHECK (VALUE > 0) CHECK (VALUE < 600);
COMMENT ON DOMAIN status_code IS 'An HTTP status';
CREATE TABLE responses (code status_code);
