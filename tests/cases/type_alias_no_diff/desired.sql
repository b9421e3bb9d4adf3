CREATE TABLE samples (
    a integer, b bigint, c smallint, d integer, e character varying(20), f boolean, g double precision, h real,
    i timestamp with time zone, j timestamp without time zone, k numeric(10,2), l character(2), m varchar,
    n time without time zone, o character varying(20)[]
);
