CREATE TABLE "files" (
	"owner_id" text NOT NULL,
	"sha256" text NOT NULL,
	"size" integer NOT NULL,
	"type" text NOT NULL,
	"device_id" text NOT NULL,
	"storage_key" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "files_owner_id_sha256_pk" PRIMARY KEY("owner_id","sha256"),
	CONSTRAINT "files_sha256_check" CHECK ("files"."sha256" ~ '^[0-9a-f]{64}$'),
	CONSTRAINT "files_size_check" CHECK ("files"."size" >= 0)
);
