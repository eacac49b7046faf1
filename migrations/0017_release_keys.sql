CREATE TABLE `release_keys` (
	`public_key` text PRIMARY KEY NOT NULL,
	`added_at` integer NOT NULL,
	`endorsed_by` text,
	`endorsement` text,
	`revoked_at` integer,
	`revocation` text
);
--> statement-breakpoint
ALTER TABLE `agent_releases` ADD `signed_by` text;