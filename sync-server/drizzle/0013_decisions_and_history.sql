CREATE TABLE "application_history" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "application_history_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"application_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"from_status" text,
	"to_status" text NOT NULL,
	"actor" uuid,
	"device" text,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "application_history_kind_check" CHECK ("application_history"."kind" in ('received', 'amended', 'decided', 'answered', 'claimed'))
);
--> statement-breakpoint
ALTER TABLE "applications" DROP CONSTRAINT "applications_status_check";--> statement-breakpoint
ALTER TABLE "applications" ADD COLUMN "reason_code" text;--> statement-breakpoint
ALTER TABLE "applications" ADD COLUMN "requested_fields" jsonb;--> statement-breakpoint
ALTER TABLE "applications" ADD COLUMN "request_message" text;--> statement-breakpoint
CREATE INDEX "application_history_application_idx" ON "application_history" USING btree ("application_id","id");--> statement-breakpoint
ALTER TABLE "applications" ADD CONSTRAINT "applications_request_check" CHECK (("applications"."status" = 'more_information') = ("applications"."requested_fields" is not null and "applications"."request_message" is not null));--> statement-breakpoint
ALTER TABLE "applications" ADD CONSTRAINT "applications_status_check" CHECK ("applications"."status" in ('received', 'in_review', 'more_information', 'approved', 'rejected'));