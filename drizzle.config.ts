import { defineConfig } from 'drizzle-kit';

// Migrations are generated from the schema and committed; the server runs them on start.
export default defineConfig({
	dialect: 'postgresql',
	schema: './sync-server/db/schema.ts',
	out: './sync-server/drizzle'
});
