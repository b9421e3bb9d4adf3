CREATE DOMAIN base_text AS text;
CREATE DOMAIN short_text AS base_text CHECK (length(VALUE) <= 20) CHECK (VALUE <> '');
