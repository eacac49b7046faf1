-- Raw reports partitioned by local day of collected_at (decision 192, issue 14 item 3): retention folds a past day
-- and drops its partition instead of deleting rows. The daily partitions are made by server/db/report-partitions.ts
-- (when a store opens and by the retention job); rows of a day with no partition yet wait in reports_default.
-- A unique index on a partitioned table must hold the partition key, so the primary key becomes
-- (device_id, id, collected_at) under drizzle's old name. collected_at is the same on every send of a report unless
-- it was clamped to the receive time; those are kept once across partitions by clamped_reports and the trigger below.
ALTER TABLE "reports" RENAME TO "reports_unpartitioned";--> statement-breakpoint
ALTER TABLE "reports_unpartitioned" DROP CONSTRAINT "reports_device_id_id_pk";--> statement-breakpoint
DROP INDEX "reports_device_collected";--> statement-breakpoint
DROP INDEX "reports_collected";--> statement-breakpoint
DROP INDEX "reports_device_throughput";--> statement-breakpoint
CREATE TABLE "reports" (
	"id" bytea NOT NULL,
	"device_id" text NOT NULL,
	"collected_at" bigint NOT NULL,
	"received_at" bigint NOT NULL,
	"collected_at_clamped" integer NOT NULL,
	"schema_version" integer NOT NULL,
	"agent_version" text NOT NULL,
	"internet_reachable" integer NOT NULL,
	"latency_ms" double precision,
	"down_mbps" double precision,
	"up_mbps" double precision,
	"presentation_display" integer NOT NULL,
	"presentation_kind" text,
	"body" bytea NOT NULL,
	"down_flag" text,
	CONSTRAINT "reports_device_id_id_pk" PRIMARY KEY("device_id","id","collected_at")
) PARTITION BY RANGE ("collected_at");--> statement-breakpoint
ALTER TABLE "reports" ADD CONSTRAINT "reports_device_id_devices_id_fk" FOREIGN KEY ("device_id") REFERENCES "public"."devices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "reports_device_collected" ON "reports" USING btree ("device_id","collected_at");--> statement-breakpoint
CREATE INDEX "reports_collected" ON "reports" USING btree ("collected_at");--> statement-breakpoint
CREATE INDEX "reports_device_throughput" ON "reports" USING btree ("device_id","collected_at","down_mbps","up_mbps","down_flag") WHERE down_mbps IS NOT NULL;--> statement-breakpoint
CREATE TABLE "reports_default" PARTITION OF "reports" DEFAULT;--> statement-breakpoint
-- The reports stored with a clamped collected_at, by (device_id, id): the one place a later send of one is found
-- whatever its collected_at then. Pruned with the reports they name, by retention.
CREATE TABLE "clamped_reports" (
	"device_id" text NOT NULL,
	"id" bytea NOT NULL,
	"collected_at" bigint NOT NULL,
	CONSTRAINT "clamped_reports_device_id_id_pk" PRIMARY KEY("device_id","id")
);--> statement-breakpoint
INSERT INTO "reports" ("id", "device_id", "collected_at", "received_at", "collected_at_clamped", "schema_version",
	"agent_version", "internet_reachable", "latency_ms", "down_mbps", "up_mbps", "presentation_display",
	"presentation_kind", "body", "down_flag")
SELECT "id", "device_id", "collected_at", "received_at", "collected_at_clamped", "schema_version",
	"agent_version", "internet_reachable", "latency_ms", "down_mbps", "up_mbps", "presentation_display",
	"presentation_kind", "body", "down_flag"
FROM "reports_unpartitioned";--> statement-breakpoint
INSERT INTO "clamped_reports" ("device_id", "id", "collected_at")
SELECT "device_id", "id", "collected_at" FROM "reports_unpartitioned" WHERE "collected_at_clamped" = 1;--> statement-breakpoint
DROP TABLE "reports_unpartitioned";--> statement-breakpoint
-- Exactly once across partitions (decision 192). A report whose collected_at was clamped has the receive time there,
-- which differs on every send: it is stored only if no partition holds its (device_id, id), and is recorded in
-- clamped_reports. Any other report has its own collected_at, the same on every send, so the primary key finds a
-- resend in the same partition; the one thing left is a resend of a report first stored clamped, which
-- clamped_reports answers with one primary-key lookup. A refused row makes the insert change nothing, as
-- `on conflict do nothing` does: ingest counts it as a duplicate.
CREATE FUNCTION "reports_once_across_partitions"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.collected_at_clamped = 1 THEN
		IF EXISTS (SELECT 1 FROM reports WHERE device_id = NEW.device_id AND id = NEW.id) THEN
			RETURN NULL;
		END IF;
		INSERT INTO clamped_reports (device_id, id, collected_at) VALUES (NEW.device_id, NEW.id, NEW.collected_at)
			ON CONFLICT DO NOTHING;
		IF NOT FOUND THEN
			RETURN NULL;
		END IF;
	ELSIF EXISTS (SELECT 1 FROM clamped_reports WHERE device_id = NEW.device_id AND id = NEW.id) THEN
		RETURN NULL;
	END IF;
	RETURN NEW;
END
$$;--> statement-breakpoint
CREATE TRIGGER "reports_once_across_partitions" BEFORE INSERT ON "reports"
	FOR EACH ROW EXECUTE FUNCTION "reports_once_across_partitions"();
