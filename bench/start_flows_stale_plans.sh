#!/bin/bash
# start_flows of N inputs (default 10,000) on a 4-step diamond, in the three
# situations where cached plans are stale (issue 10, item 9); prints the times.
#   fresh:   a new database, never analyzed, a new session;
#   small:   statistics taken while the tables held 5 runs (as autovacuum leaves a
#            new database), a new session;
#   session: the same, in a session that started 10 runs one by one first.
# Uses a scratch database pgflow_bench_sf on the server of the environment (PG*).
set -euo pipefail
n=${1:-10000}
db=pgflow_bench_sf
define="SELECT pgflow.define_flow('{\"slug\": \"d\", \"steps\": [{\"slug\": \"a\"}, {\"slug\": \"b\", \"deps\": [\"a\"]}, {\"slug\": \"c\", \"deps\": [\"a\"]}, {\"slug\": \"e\", \"deps\": [\"b\", \"c\"]}]}')"
bulk="SELECT count(*) FROM pgflow.start_flows('d', (SELECT jsonb_agg(jsonb_build_object('i', i)) FROM generate_series(1, $n) AS i))"
fresh_db() {
  psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" 2>/dev/null
  psql -X -q -d $db -c "CREATE EXTENSION pgflow" -c "$define" >/dev/null
}
small_stats() {
  psql -X -q -d $db -c "SELECT count(pgflow.start_flow('d')) FROM generate_series(1, 5)" \
    -c "ANALYZE pgflow.runs" -c "ANALYZE pgflow.step_states" -c "ANALYZE pgflow.step_tasks" >/dev/null
}
fresh_db
echo "fresh:   $(psql -X -q -d $db -c '\timing on' -c "$bulk" | grep Time)"
fresh_db; small_stats
echo "small:   $(psql -X -q -d $db -c '\timing on' -c "$bulk" | grep Time)"
fresh_db; small_stats
echo "session: $(psql -X -q -d $db -c "SELECT count(pgflow.start_flow('d')) FROM generate_series(1, 10)" -c '\timing on' -c "$bulk" | grep Time)"
psql -X -q -d postgres -c "DROP DATABASE $db"
