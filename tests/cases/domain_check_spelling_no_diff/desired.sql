CREATE DOMAIN base_text AS TEXT;
CREATE DOMAIN short_text base_text
  CONSTRAINT short_text_check CHECK (length(value) <= 20)
  CONSTRAINT short_text_check1 CHECK (value <> '');
