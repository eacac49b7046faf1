CREATE TABLE `agent_releases` (
	`version` text PRIMARY KEY NOT NULL,
	`bundle` blob NOT NULL,
	`sha256` text NOT NULL,
	`signature` text NOT NULL,
	`published_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `signing_keys` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`public_key` text NOT NULL,
	`private_key` text NOT NULL,
	`created_at` integer NOT NULL
);
