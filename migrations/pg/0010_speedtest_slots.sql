CREATE TABLE "speedtest_grants" (
	"device_id" text NOT NULL,
	"day" text NOT NULL,
	"grants" integer NOT NULL,
	CONSTRAINT "speedtest_grants_device_id_day_pk" PRIMARY KEY("device_id","day")
);
--> statement-breakpoint
CREATE TABLE "speedtest_slots" (
	"school_code" text PRIMARY KEY NOT NULL,
	"device_id" text NOT NULL,
	"expires_at" bigint NOT NULL,
	"download_taken" integer NOT NULL,
	"upload_taken" integer NOT NULL,
	"download_started_at" double precision,
	"download_sent" bigint,
	"download_done" integer
);
--> statement-breakpoint
ALTER TABLE "speedtest_grants" ADD CONSTRAINT "speedtest_grants_device_id_devices_id_fk" FOREIGN KEY ("device_id") REFERENCES "public"."devices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "speedtest_slots" ADD CONSTRAINT "speedtest_slots_school_code_schools_code_fk" FOREIGN KEY ("school_code") REFERENCES "public"."schools"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "speedtest_slots" ADD CONSTRAINT "speedtest_slots_device_id_devices_id_fk" FOREIGN KEY ("device_id") REFERENCES "public"."devices"("id") ON DELETE no action ON UPDATE no action;