-- Every plan change of an organization, append-only, for billing disputes and analytics.

CREATE TABLE core.plan_history (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id uuid NOT NULL,
    from_plan_id uuid,
    to_plan_id uuid NOT NULL,
    changed_by uuid,
    reason text,
    changed_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT plan_history_plan_changed_check CHECK (from_plan_id IS DISTINCT FROM to_plan_id)
);

ALTER TABLE core.plan_history
    ADD CONSTRAINT plan_history_organization_id_fkey FOREIGN KEY (organization_id)
    REFERENCES core.organizations (id) ON DELETE CASCADE;

ALTER TABLE core.plan_history
    ADD CONSTRAINT plan_history_from_plan_id_fkey FOREIGN KEY (from_plan_id)
    REFERENCES core.plans (id) ON DELETE SET NULL;

ALTER TABLE core.plan_history
    ADD CONSTRAINT plan_history_to_plan_id_fkey FOREIGN KEY (to_plan_id)
    REFERENCES core.plans (id) ON DELETE RESTRICT;

CREATE INDEX plan_history_organization_id_changed_at_idx
    ON core.plan_history (organization_id, changed_at DESC);

COMMENT ON TABLE core.plan_history IS 'Append-only log of plan changes per organization';
COMMENT ON COLUMN core.plan_history.from_plan_id IS 'NULL for the first plan an organization gets';
COMMENT ON COLUMN core.plan_history.changed_by IS 'guard.users id of who made the change; NULL for automatic changes';
