CREATE TABLE "device_sightings" (
	"device_id" text PRIMARY KEY NOT NULL,
	"seen_at" timestamp with time zone NOT NULL
);
