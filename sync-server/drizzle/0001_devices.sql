CREATE TABLE "devices" (
	"id" text PRIMARY KEY NOT NULL,
	"public_key" jsonb NOT NULL,
	"last_seq" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "applications" ALTER COLUMN "device_id" SET DATA TYPE text;--> statement-breakpoint
ALTER TABLE "changes" ALTER COLUMN "device_id" SET DATA TYPE text;--> statement-breakpoint
ALTER TABLE "mutations" ALTER COLUMN "device_id" SET DATA TYPE text;