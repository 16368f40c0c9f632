CREATE SEQUENCE "public"."document_serial_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE TABLE "document_keys" (
	"id" text PRIMARY KEY NOT NULL,
	"public_key" jsonb NOT NULL,
	"private_key" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"retired_at" timestamp with time zone,
	"compromised_at" timestamp with time zone,
	CONSTRAINT "document_keys_retire_check" CHECK ("document_keys"."compromised_at" is null or "document_keys"."retired_at" is not null)
);
--> statement-breakpoint
CREATE TABLE "documents" (
	"serial" bigint PRIMARY KEY NOT NULL,
	"application_id" uuid NOT NULL,
	"key_id" text NOT NULL,
	"check_iin" text NOT NULL,
	"issued_at" timestamp with time zone NOT NULL,
	CONSTRAINT "documents_application_id_unique" UNIQUE("application_id")
);
--> statement-breakpoint
ALTER TABLE "applications" ADD COLUMN "document" text;--> statement-breakpoint
ALTER TABLE "documents" ADD CONSTRAINT "documents_application_id_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."applications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "documents" ADD CONSTRAINT "documents_key_id_document_keys_id_fk" FOREIGN KEY ("key_id") REFERENCES "public"."document_keys"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "applications_registrations_idx" ON "applications" USING btree ("service_id",("answers" ->> 'iin'));