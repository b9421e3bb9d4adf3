CREATE TABLE organization_membership_invitations_history (
    id bigint,
    accepted_by_organization_member_identifier bigint UNIQUE
);
CREATE INDEX ON organization_membership_invitations_history (accepted_by_organization_member_identifier, id);
