import { defineConfig } from 'drizzle-kit';

// The PostgreSQL twin's migrations live beside SQLite's, in their own folder with their own journal
// (decision 120): drizzle's sqlite migrator reads migrations/meta/_journal.json only.
export default defineConfig({
  dialect: 'postgresql',
  schema: './server/db/schema-pg.ts',
  out: './migrations/pg',
});
