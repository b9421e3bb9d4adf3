-- Span events and the per-operation APM rollups (SQL, beside spans.yaml: both forms mix).
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
