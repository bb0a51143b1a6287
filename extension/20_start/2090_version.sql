-- The version of pgflow's SQL in this database, also where it was installed as
-- plain objects (no pg_extension row): the build writes it from pgflow.control.
CREATE OR REPLACE FUNCTION pgflow.version()
RETURNS text
LANGUAGE sql IMMUTABLE AS $$ SELECT '@EXTVERSION@'::text $$;
