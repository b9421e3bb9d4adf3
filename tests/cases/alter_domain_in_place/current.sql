CREATE DOMAIN status_code AS integer DEFAULT 200 NOT NULL CHECK (VALUE > 0);
CREATE TABLE responses (code status_code);
