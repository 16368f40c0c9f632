ALTER TABLE "application_history" DROP CONSTRAINT "application_history_kind_check";--> statement-breakpoint
ALTER TABLE "applications" ADD COLUMN "document_revoked_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "applications" ADD COLUMN "document_revocation_reason" text;--> statement-breakpoint
CREATE INDEX "applications_revoked_idx" ON "applications" USING btree ("id") WHERE "applications"."document_revoked_at" is not null;--> statement-breakpoint
ALTER TABLE "application_history" ADD CONSTRAINT "application_history_kind_check" CHECK ("application_history"."kind" in ('received', 'amended', 'decided', 'answered', 'claimed', 'revoked'));--> statement-breakpoint
ALTER TABLE "applications" ADD CONSTRAINT "applications_revocation_check" CHECK (("applications"."document_revoked_at" is null) = ("applications"."document_revocation_reason" is null) and ("applications"."document_revoked_at" is null or "applications"."document" is not null));