ALTER TABLE "county_rollups" DISABLE ROW LEVEL SECURITY;--> statement-breakpoint
DROP TABLE "county_rollups" CASCADE;--> statement-breakpoint
ALTER TABLE "api_tokens" DROP CONSTRAINT "api_tokens_county_code_divisions_code_fk";
--> statement-breakpoint
ALTER TABLE "users" DROP CONSTRAINT "users_county_code_divisions_code_fk";
--> statement-breakpoint
ALTER TABLE "api_tokens" DROP COLUMN "county_code";--> statement-breakpoint
ALTER TABLE "users" DROP COLUMN "county_code";