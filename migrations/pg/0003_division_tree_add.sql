CREATE TABLE "deployment" (
	"id" integer PRIMARY KEY NOT NULL,
	"root_code" text NOT NULL,
	"reference_edition" text NOT NULL,
	"chosen_at" bigint NOT NULL,
	"tree_version" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "division_rollups" (
	"division_code" text PRIMARY KEY NOT NULL,
	"schools_registered" integer NOT NULL,
	"schools_connected" integer NOT NULL,
	"schools_meeting_standard" integer NOT NULL,
	"schools_declared_connected" integer DEFAULT 0 NOT NULL,
	"declaration_conflicts" integer DEFAULT 0 NOT NULL,
	"classrooms_registered" integer NOT NULL,
	"classrooms_equipped" integer NOT NULL,
	"classrooms_equipped_projector" integer DEFAULT 0 NOT NULL,
	"classrooms_equipped_interactive_panel" integer DEFAULT 0 NOT NULL,
	"classrooms_equipped_large_display" integer DEFAULT 0 NOT NULL,
	"classrooms_declared_equipped" integer DEFAULT 0 NOT NULL,
	"devices_enrolled" integer NOT NULL,
	"devices_live" integer NOT NULL,
	"devices_at_risk" integer NOT NULL,
	"devices_silent" integer NOT NULL,
	"devices_never" integer NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "api_tokens" ADD COLUMN "division_code" text;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "division_code" text;--> statement-breakpoint
ALTER TABLE "division_rollups" ADD CONSTRAINT "division_rollups_division_code_divisions_code_fk" FOREIGN KEY ("division_code") REFERENCES "public"."divisions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_division_code_divisions_code_fk" FOREIGN KEY ("division_code") REFERENCES "public"."divisions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_division_code_divisions_code_fk" FOREIGN KEY ("division_code") REFERENCES "public"."divisions"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "divisions_parent" ON "divisions" USING btree ("parent_code","code");