CREATE TABLE projects (id bigint PRIMARY KEY, org_id bigint NOT NULL, slug text NOT NULL, UNIQUE (org_id, slug));
