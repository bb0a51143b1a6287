-- add_step(..., signal => true, signal_timeout => N) stores a signal step; the
-- keys are in flow_definition, and define_flow(flow_definition(x)) changes nothing.
BEGIN;
SELECT plan(4);
SELECT pgflow.create_flow('doc');
SELECT pgflow.add_step('doc', 'draft');
SELECT results_eq(
  $$SELECT signal, signal_timeout FROM pgflow.add_step(flow_slug => 'doc', step_slug => 'approval', deps => '{draft}',
                                                        signal => true, signal_timeout => 86400)$$,
  $$VALUES (true, 86400)$$, 'add_step stores signal and signal_timeout');
SELECT results_eq($$SELECT signal, signal_timeout FROM pgflow.steps WHERE step_slug = 'draft'$$,
  $$VALUES (false, NULL::int)$$, 'a step is not a signal step by default');
SELECT is(pgflow.flow_definition('doc') #> '{steps,1}' -> 'signal', 'true'::jsonb, 'flow_definition says "signal"');
SELECT is((pgflow.define_flow(pgflow.flow_definition('doc'))).version, 1, 'and define_flow of it changes nothing');
SELECT * FROM finish();
ROLLBACK;
