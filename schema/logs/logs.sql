-- Application logs, one database per environment.
CREATE TABLE logs (
  host STRING NULL,
  service STRING NULL,
  level STRING NULL INVERTED INDEX,
  message STRING NULL FULLTEXT INDEX,
  trace_id STRING NULL SKIPPING INDEX,
  ts TIMESTAMP(3) NOT NULL TIME INDEX,
  PRIMARY KEY (host, service)
)
WITH (ttl = '14days', append_mode = 'true');
