CREATE TABLE "UserAccounts" ("Id" bigint PRIMARY KEY, "displayName" text NOT NULL, "order" integer);
CREATE INDEX "UserAccounts_displayName_idx" ON "UserAccounts" ("displayName");
