-- Coverage reads no longer key their cache on a version row that every writer updated: under SERIALIZABLE,
-- concurrent writers collided on that one row and were re-run (decision 199). The same triggers now notify the
-- servers listening (server/db/read-model-notices.ts), which PostgreSQL does after commit, once per transaction,
-- and mark the transaction itself with a new value of a local setting, so reads inside it and the server that
-- commits it see the change at once. The function keeps its name: every trigger of migrations 0002 and 0008 calls it.
CREATE OR REPLACE FUNCTION "bump_read_model_version"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM set_config('santong.read_model_moved', gen_random_uuid()::text, true);
  PERFORM pg_notify('santong_read_model', '');
  RETURN NULL;
END;
$$;
--> statement-breakpoint
DROP TABLE "read_model_version" CASCADE;
