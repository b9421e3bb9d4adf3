CREATE TABLE warehouses (region text NOT NULL, code text NOT NULL, PRIMARY KEY (region, code));
CREATE TABLE shipments (id bigint PRIMARY KEY, region text NOT NULL, warehouse_code text NOT NULL);
