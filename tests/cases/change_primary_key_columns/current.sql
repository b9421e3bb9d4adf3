CREATE TABLE memberships (user_id bigint NOT NULL, org_id bigint NOT NULL, PRIMARY KEY (user_id));
