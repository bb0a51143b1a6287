BEGIN;
SELECT plan(10);
SELECT pgflow.create_flow(flow_slug => 'existing');
SELECT throws_ok($$SELECT pgflow.create_flow(flow_slug => 'f', max_concurrency => 0)$$, '22023', NULL,
  'create_flow: max_concurrency 0 is rejected with 22023');
SELECT throws_like($$SELECT pgflow.create_flow(flow_slug => 'f', max_concurrency => -1)$$, '%max_concurrency%',
  'create_flow: a negative limit is rejected, naming max_concurrency');
SELECT throws_ok($$SELECT pgflow.add_step(flow_slug => 'existing', step_slug => 'a', max_concurrency => 0)$$, '22023', NULL,
  'add_step: max_concurrency 0 is rejected with 22023');
SELECT throws_ok($$SELECT pgflow.define_flow('{"slug": "f", "max_concurrency": 0, "steps": [{"slug": "a"}]}')$$,
  '22023', NULL, 'define_flow: a flow max_concurrency of 0 is rejected');
SELECT throws_ok($$SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a", "max_concurrency": 0}]}')$$,
  '22023', NULL, 'define_flow: a step max_concurrency of 0 is rejected');
SELECT throws_ok($$SELECT pgflow.define_flow('{"slug": "f", "steps": [{"slug": "a", "max_concurrency": "2"}]}')$$,
  '22023', NULL, 'define_flow: a non-integer max_concurrency is rejected');
SELECT is((SELECT array_agg(flow_slug) FROM pgflow.flows), ARRAY['existing'], 'no flow was written');
SELECT is((SELECT count(*)::int FROM pgflow.steps), 0, 'no step was written');
SELECT lives_ok($$SELECT pgflow.create_flow(flow_slug => 'ok', max_concurrency => 1)$$, 'a limit of 1 is accepted');
SELECT is((SELECT max_concurrency FROM pgflow.flows WHERE flow_slug = 'existing'), NULL::int,
  'left out, the limit is NULL: unlimited');
SELECT * FROM finish();
ROLLBACK;
