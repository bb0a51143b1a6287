-- Stored error texts are bounded (documented): error_message at 65536
-- characters, error_type at 1024, error_details at 1048576, each cut marked
-- with the whole length; shorter texts are stored as sent.
BEGIN;
SELECT plan(5);
SELECT pgflow.define_flow('{"slug": "f", "max_attempts": 3, "base_delay": 0, "steps": [{"slug": "a"}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
SELECT pgflow.claim_tasks(worker_id => 'w1');
SELECT pgflow.fail_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a',
                        error_message => repeat('m', 100000), error_type => repeat('t', 5000),
                        error_details => repeat('d', 3000000));
SELECT is((SELECT left(error_message, 65536) FROM pgflow.task_attempts), repeat('m', 65536), 'the message keeps its first 65536 characters');
SELECT is((SELECT substr(error_message, 65537) FROM pgflow.task_attempts), '... [cut: 100000 characters in all]',
  'then says it was cut and how long it was');
SELECT is((SELECT length(error_type) < 1100 AND error_type LIKE '%[cut: 5000 characters in all]' FROM pgflow.task_attempts), true,
  'error_type is cut at 1024');
SELECT is((SELECT substr(error_details, 1048577) FROM pgflow.task_attempts), '... [cut: 3000000 characters in all]',
  'error_details is cut at 1048576');
SELECT pgflow.claim_tasks(worker_id => 'w1');
SELECT pgflow.fail_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a', error_message => repeat('m', 65536));
SELECT is((SELECT error_message FROM pgflow.task_attempts WHERE attempt = 2), repeat('m', 65536), 'a message at the limit is stored whole');
SELECT * FROM finish();
ROLLBACK;
