-- Calls from one service to another, derived from trace spans. Per-environment connection:
-- names stay unqualified, the schema is chosen at apply time.

CREATE TABLE service_dependencies (
    service_id uuid NOT NULL,
    depends_on_service_id uuid NOT NULL,
    kind varchar(16) NOT NULL DEFAULT 'http',
    calls_per_minute numeric(12,2),
    error_rate numeric(5,4),
    p95_latency_ms double precision,
    last_observed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (service_id, depends_on_service_id),
    CONSTRAINT service_dependencies_kind_check
        CHECK (kind IN ('http', 'grpc', 'database', 'queue', 'cache')),
    CONSTRAINT service_dependencies_error_rate_check CHECK (error_rate BETWEEN 0 AND 1),
    CONSTRAINT service_dependencies_not_self_check CHECK (service_id <> depends_on_service_id)
);

ALTER TABLE service_dependencies
    ADD CONSTRAINT service_dependencies_service_id_fkey FOREIGN KEY (service_id)
    REFERENCES apm_services (id) ON DELETE CASCADE;

ALTER TABLE service_dependencies
    ADD CONSTRAINT service_dependencies_depends_on_service_id_fkey FOREIGN KEY (depends_on_service_id)
    REFERENCES apm_services (id) ON DELETE CASCADE;

CREATE INDEX service_dependencies_depends_on_service_id_idx
    ON service_dependencies (depends_on_service_id);

COMMENT ON TABLE service_dependencies IS 'Service-to-service calls observed in traces';
COMMENT ON COLUMN service_dependencies.error_rate IS 'Share of failed calls over the last hour, 0 to 1';
