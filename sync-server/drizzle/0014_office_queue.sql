ALTER TABLE "applications" ADD COLUMN "assigned_to" uuid;--> statement-breakpoint
CREATE INDEX "applications_queue_idx" ON "applications" USING btree ("region","status","created_at","id");