-- Report ids become their 16 bytes, and bodies stored before keep their JSON text as UTF-8 bytes (which start with "{");
-- new ones are deflated with a dictionary (server/db/report-body.ts, decision 181). drizzle-kit wrote casts it cannot express.
ALTER TABLE "reports" ALTER COLUMN "id" SET DATA TYPE bytea USING decode(replace("id", '-', ''), 'hex');--> statement-breakpoint
ALTER TABLE "reports" ALTER COLUMN "body" SET DATA TYPE bytea USING convert_to("body"::text, 'UTF8');
