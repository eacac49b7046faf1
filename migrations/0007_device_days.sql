CREATE TABLE `device_days` (
	`device_id` text NOT NULL,
	`day` text NOT NULL,
	`reports` integer NOT NULL,
	`last_collected_at` integer NOT NULL,
	`last_reachable_at` integer,
	`last_presentation_at` integer,
	`down_samples` text NOT NULL,
	PRIMARY KEY(`device_id`, `day`),
	FOREIGN KEY (`device_id`) REFERENCES `devices`(`id`) ON UPDATE no action ON DELETE no action
);
