CREATE TABLE invoices (id bigint PRIMARY KEY, number bigint);
CREATE SEQUENCE invoice_number_seq OWNED BY invoices.number;
