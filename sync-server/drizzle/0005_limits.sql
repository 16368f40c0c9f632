CREATE TABLE "rate_limits" (
	"rule" text NOT NULL,
	"key_hash" text NOT NULL,
	"hits" integer NOT NULL,
	"resets_at" timestamp with time zone NOT NULL,
	CONSTRAINT "rate_limits_rule_key_hash_pk" PRIMARY KEY("rule","key_hash")
);
--> statement-breakpoint
CREATE TABLE "unfinished_uploads" (
	"id" text PRIMARY KEY NOT NULL,
	"device_id" text NOT NULL,
	"size" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "unfinished_uploads_device_idx" ON "unfinished_uploads" USING btree ("device_id");