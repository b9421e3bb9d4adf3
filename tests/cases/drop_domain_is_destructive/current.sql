CREATE DOMAIN us_postal_code AS text CHECK (VALUE ~ '^\d{5}$');
