CREATE TABLE employees (id bigint PRIMARY KEY, manager_id bigint REFERENCES employees (id) ON DELETE SET NULL, name text NOT NULL);
