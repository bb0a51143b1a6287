BEGIN;
SELECT plan(3);
SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a"}]}');
SELECT pgflow.schedule(flow_slug => 'f', cron => '0 3 * * *');
-- Something transient refuses the run (here: a trigger the test adds raising a deadlock).
CREATE FUNCTION pg_temp.refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'simulated deadlock' USING ERRCODE = '40P01';
END $$;
CREATE TRIGGER test_refuse BEFORE INSERT ON pgflow.runs FOR EACH ROW EXECUTE FUNCTION pg_temp.refuse();
SELECT throws_ok($$SELECT * FROM pgflow.tick(at => now() + interval '1 day')$$, '40P01', 'simulated deadlock',
  'the tick fails as a whole');
DROP TRIGGER test_refuse ON pgflow.runs;
SELECT is((SELECT last_slot FROM pgflow.schedules), NULL, 'the slot is not consumed');
SELECT is((SELECT count(*)::int FROM pgflow.tick(at => now() + interval '1 day')), 1, 'the next tick starts it');
SELECT * FROM finish();
ROLLBACK;
