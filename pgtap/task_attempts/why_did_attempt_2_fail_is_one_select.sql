-- Commits between steps so that claim and failure times are real, distinct instants.
SELECT pgflow.define_flow('{"slug": "f", "max_attempts": 3, "base_delay": 0, "steps": [{"slug": "a"}]}');
SELECT pgflow.start_flow(flow_slug => 'f', run_id => '00000000-0000-0000-0000-000000000001');
CREATE TABLE marks (mark text PRIMARY KEY, at timestamptz NOT NULL);
INSERT INTO marks VALUES ('before claim 1', clock_timestamp());
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'host-1:100');
SELECT pg_sleep(0.2);
INSERT INTO marks VALUES ('before fail 1', clock_timestamp());
SELECT pgflow.fail_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a',
  error_message => 'invalid literal for int()', error_type => 'ValueError',
  error_details => E'Traceback (most recent call last):\n  File "h.py", line 3\nValueError: invalid literal for int()');
SELECT pg_sleep(0.2);
INSERT INTO marks VALUES ('before claim 2', clock_timestamp());
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'host-2:200');
SELECT pg_sleep(0.2);
INSERT INTO marks VALUES ('before fail 2', clock_timestamp());
SELECT pgflow.fail_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a',
  error_message => '''customer_id''', error_type => 'KeyError',
  error_details => E'Traceback (most recent call last):\n  File "h.py", line 7\nKeyError: ''customer_id''');
INSERT INTO marks VALUES ('after fail 2', clock_timestamp());
SELECT count(*) FROM pgflow.claim_tasks(worker_id => 'host-1:100');
SELECT pgflow.complete_task(run_id => '00000000-0000-0000-0000-000000000001', step_slug => 'a', output => '1');

BEGIN;
SELECT plan(5);
SELECT results_eq(
  $$SELECT worker_id, error_type, error_message, error_details
      FROM pgflow.task_attempts
     WHERE run_id = '00000000-0000-0000-0000-000000000001' AND step_slug = 'a' AND task_index = 0 AND attempt = 2$$,
  $$VALUES ('host-2:200', 'KeyError', '''customer_id''',
            E'Traceback (most recent call last):\n  File "h.py", line 7\nKeyError: ''customer_id''')$$,
  'why did attempt 2 fail: one SELECT gives the worker, the error type, message and traceback');
SELECT results_eq(
  $$SELECT attempt, worker_id, error_type, error_message FROM pgflow.task_attempts ORDER BY attempt$$,
  $$VALUES (1, 'host-1:100', 'ValueError', 'invalid literal for int()'), (2, 'host-2:200', 'KeyError', '''customer_id''')$$,
  'two rows, attempts 1 and 2; the completed attempt 3 is not among the failures');
SELECT ok((SELECT started_at > (SELECT at FROM marks WHERE mark = 'before claim 1')
              AND started_at < (SELECT at FROM marks WHERE mark = 'before fail 1')
              AND failed_at > (SELECT at FROM marks WHERE mark = 'before fail 1')
              AND failed_at < (SELECT at FROM marks WHERE mark = 'before claim 2')
             FROM pgflow.task_attempts WHERE attempt = 1),
  'attempt 1 started when it was claimed and failed when fail_task was called');
SELECT ok((SELECT started_at > (SELECT at FROM marks WHERE mark = 'before claim 2')
              AND started_at < (SELECT at FROM marks WHERE mark = 'before fail 2')
              AND failed_at > (SELECT at FROM marks WHERE mark = 'before fail 2')
              AND failed_at < (SELECT at FROM marks WHERE mark = 'after fail 2')
             FROM pgflow.task_attempts WHERE attempt = 2),
  'attempt 2 likewise');
SELECT ok((SELECT failed_at - started_at >= interval '0.2 seconds' FROM pgflow.task_attempts WHERE attempt = 2),
  'so its duration is failed_at - started_at');
SELECT * FROM finish();
ROLLBACK;
