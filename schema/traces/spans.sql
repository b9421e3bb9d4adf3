-- OpenTelemetry traces in GreptimeDB: one row per span, tags identify the service and operation.
CREATE TABLE spans (
  service_name STRING NULL COMMENT 'service.name resource attribute',
  span_name STRING NULL,
  span_kind STRING NULL SKIPPING INDEX WITH (granularity = '8192'),
  trace_id STRING NULL SKIPPING INDEX,
  span_id STRING NULL,
  parent_span_id STRING NULL,
  status_code STRING NULL INVERTED INDEX,
  status_message STRING NULL FULLTEXT INDEX WITH (analyzer = 'English', case_sensitive = 'false'),
  duration_nano BIGINT UNSIGNED NULL,
  attributes JSON NULL,
  "timestamp" TIMESTAMP(9) NOT NULL,
  TIME INDEX ("timestamp"),
  PRIMARY KEY (service_name, span_name)
)
PARTITION ON COLUMNS (service_name) (
  service_name < 'm',
  service_name >= 'm'
)
ENGINE = mito
WITH (ttl = '30d', append_mode = 'true');

CREATE TABLE span_events (
  service_name STRING NULL,
  trace_id STRING NULL SKIPPING INDEX,
  span_id STRING NULL,
  event_name STRING NULL,
  event_attributes JSON NULL,
  ts TIMESTAMP(9) NOT NULL TIME INDEX,
  PRIMARY KEY (service_name)
)
WITH (ttl = '7d', append_mode = 'true');

CREATE TABLE apm_metrics (
  service_name STRING NULL,
  span_name STRING NULL,
  request_count BIGINT NULL DEFAULT 0,
  error_count BIGINT NULL DEFAULT 0,
  p99_latency_ms DOUBLE NULL,
  ts TIMESTAMP NOT NULL DEFAULT current_timestamp() TIME INDEX,
  PRIMARY KEY (service_name, span_name)
)
WITH (ttl = '90d', merge_mode = 'last_non_null', 'compaction.twcs.time_window' = '1h');
