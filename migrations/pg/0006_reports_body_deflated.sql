-- Bodies stored before this migration keep their JSON text (as UTF-8 bytes, which start with "{"); new ones are deflated
-- with a dictionary (server/db/report-body.ts, decision 181). drizzle-kit wrote a cast it cannot express.
ALTER TABLE "reports" ALTER COLUMN "body" SET DATA TYPE bytea USING convert_to("body"::text, 'UTF8');
