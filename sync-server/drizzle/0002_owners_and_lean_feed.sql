-- Owners, and the change feed and submit records moved onto the application rows.
-- Hand-edited after drizzle-kit generate so that a database in use keeps every
-- application and every answer a device may still ask to be replayed.
CREATE SEQUENCE "public"."application_feed_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE TABLE "link_offers" (
	"code_hash" text PRIMARY KEY NOT NULL,
	"offered_by" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"accepted_by" text
);
--> statement-breakpoint
-- A volatile default is evaluated per row: every existing device becomes an owner of its own.
ALTER TABLE "devices" ADD COLUMN "owner_id" text DEFAULT gen_random_uuid()::text NOT NULL;--> statement-breakpoint
ALTER TABLE "applications" ADD COLUMN "owner_id" text;--> statement-breakpoint
ALTER TABLE "applications" ADD COLUMN "mutation_id" uuid;--> statement-breakpoint
-- Every existing row gets a position after everything ever served: devices' cursors are
-- bound to their device, not an owner, so they are refused and each device pulls again
-- from the start.
ALTER TABLE "applications" ADD COLUMN "txid" "xid8" DEFAULT pg_current_xact_id() NOT NULL;--> statement-breakpoint
ALTER TABLE "applications" ADD COLUMN "feed_seq" bigint DEFAULT nextval('application_feed_seq') NOT NULL;--> statement-breakpoint
-- Applications of devices from before registration (no row in devices) keep the old id as owner.
UPDATE "applications" AS a SET "owner_id" = coalesce(
	(SELECT d."owner_id" FROM "devices" AS d WHERE d."id" = a."device_id"), a."device_id");--> statement-breakpoint
-- The submit that created an application is its owner device's first applied mutation on it.
UPDATE "applications" AS a SET "mutation_id" = m."id"
	FROM (SELECT DISTINCT ON ("device_id", "application_id") "device_id", "application_id", "id"
		FROM "mutations" WHERE "result"->>'status' = 'applied'
		ORDER BY "device_id", "application_id", "seq") AS m
	WHERE m."device_id" = a."device_id" AND m."application_id" = a."id";--> statement-breakpoint
DELETE FROM "mutations" AS m USING "applications" AS a
	WHERE m."device_id" = a."device_id" AND m."id" = a."mutation_id";--> statement-breakpoint
-- None should be left without one; if any is, a fresh id keeps the column honest.
UPDATE "applications" SET "mutation_id" = gen_random_uuid() WHERE "mutation_id" IS NULL;--> statement-breakpoint
ALTER TABLE "applications" ALTER COLUMN "owner_id" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "applications" ALTER COLUMN "mutation_id" SET NOT NULL;--> statement-breakpoint
DROP TABLE "changes" CASCADE;--> statement-breakpoint
DROP INDEX "applications_device_id_idx";--> statement-breakpoint
CREATE UNIQUE INDEX "applications_device_mutation_idx" ON "applications" USING btree ("device_id","mutation_id");--> statement-breakpoint
CREATE INDEX "applications_owner_feed_idx" ON "applications" USING btree ("owner_id","txid","feed_seq");
