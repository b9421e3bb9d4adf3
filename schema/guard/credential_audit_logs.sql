-- Who touched which cloud credential, and when. Append-only; kept after the credential is gone
-- so that security reviews can still read the trail.

CREATE TABLE guard.credential_audit_logs (
    id bigint GENERATED ALWAYS AS IDENTITY,
    credential_id uuid,
    organization_id uuid NOT NULL,
    actor_user_id uuid,
    action varchar(32) NOT NULL,
    ip_address inet,
    user_agent text,
    details jsonb NOT NULL DEFAULT '{}',
    occurred_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT credential_audit_logs_pkey PRIMARY KEY (id),
    CONSTRAINT credential_audit_logs_action_check
        CHECK (action IN ('created', 'read', 'updated', 'rotated', 'deleted'))
);

ALTER TABLE guard.credential_audit_logs
    ADD CONSTRAINT credential_audit_logs_credential_id_fkey FOREIGN KEY (credential_id)
    REFERENCES guard.cloud_credentials (id) ON DELETE SET NULL;

ALTER TABLE guard.credential_audit_logs
    ADD CONSTRAINT credential_audit_logs_organization_id_fkey FOREIGN KEY (organization_id)
    REFERENCES core.organizations (id) ON DELETE CASCADE;

ALTER TABLE guard.credential_audit_logs
    ADD CONSTRAINT credential_audit_logs_actor_user_id_fkey FOREIGN KEY (actor_user_id)
    REFERENCES guard.users (id) ON DELETE SET NULL;

CREATE INDEX credential_audit_logs_credential_id_occurred_at_idx
    ON guard.credential_audit_logs (credential_id, occurred_at DESC);

CREATE INDEX credential_audit_logs_organization_id_occurred_at_idx
    ON guard.credential_audit_logs (organization_id, occurred_at DESC);

COMMENT ON TABLE guard.credential_audit_logs IS 'Append-only trail of every access to a cloud credential';
COMMENT ON COLUMN guard.credential_audit_logs.credential_id IS 'NULL once the credential itself has been purged';
COMMENT ON COLUMN guard.credential_audit_logs.details IS 'Action-specific data, never the secret itself';
