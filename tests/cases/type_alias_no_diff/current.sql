CREATE TABLE samples (
    a int4, b int8, c int2, d int, e varchar(20), f bool, g float8, h float4,
    i timestamptz, j timestamp, k decimal(10,2), l char(2), m character varying, n time, o varchar(20)[]
);
