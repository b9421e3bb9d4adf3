CREATE TABLE samples (
    id bigint PRIMARY KEY,
    ratio real,
    score double precision,
    flag bool,
    code char(3),
    payload bytea,
    address inet,
    doc json,
    starts time,
    birthday date,
    span interval
);
