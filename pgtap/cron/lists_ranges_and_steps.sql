BEGIN;
SELECT plan(8);
SELECT is((SELECT minutes FROM pgflow._cron_parse('*/15 * * * *')), '{0,15,30,45}'::int[], '*/15: every 15 minutes');
SELECT is((SELECT hours FROM pgflow._cron_parse('0 1-10/2 * * *')), '{1,3,5,7,9}'::int[], '1-10/2: a range with a step');
SELECT is((SELECT minutes FROM pgflow._cron_parse('5,10,1-3 * * * *')), '{1,2,3,5,10}'::int[], 'a list of numbers and ranges, sorted');
SELECT is((SELECT minutes FROM pgflow._cron_parse('50/5 * * * *')), '{50,55}'::int[], 'n/step runs from n to the end of the field');
SELECT is((SELECT days FROM pgflow._cron_parse('0 0 * * *')), ARRAY(SELECT generate_series(1, 31)), '* is every value of the field');
SELECT is((SELECT months FROM pgflow._cron_parse('0 0 1 jan,jul-sep *')), '{1,7,8,9}'::int[], 'month names');
SELECT is((SELECT weekdays FROM pgflow._cron_parse('0 9 * * mon-fri')), '{1,2,3,4,5}'::int[], 'day-of-week names');
SELECT results_eq($$SELECT latest_slot, next_slot FROM pgflow.cron_slots('*/15 9-17 * * *', '2026-06-10 12:07Z')$$,
  $$VALUES ('2026-06-10 12:00Z'::timestamptz, '2026-06-10 12:15Z'::timestamptz)$$, 'slots follow the fields');
SELECT * FROM finish();
ROLLBACK;
