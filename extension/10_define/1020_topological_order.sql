-- Orders the steps of one flow version so that every step comes after its
-- dependencies (Kahn's algorithm, O(steps + deps)), or raises naming a cycle.
-- Inputs are parallel arrays: edge k says edge_steps[k] depends on edge_deps[k];
-- every slug in them is in step_slugs (callers check unknown deps first).
-- The cycle is reported in execution order, starting at its smallest slug:
-- "a -> b -> a" means b depends on a and a depends on b.
CREATE OR REPLACE FUNCTION pgflow._topological_order(
  flow_slug text, step_slugs text[], edge_steps text[], edge_deps text[])
RETURNS text[]
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  v_count int := coalesce(cardinality(step_slugs), 0);
  v_position jsonb;          -- slug -> 1-based position in step_slugs
  v_pending int[];           -- per step: dependencies not yet ordered
  v_first int[];             -- per step: offset of its dependents in v_dependents
  v_dependents int[];        -- dependents, grouped by the step they depend on
  v_queue int[] := '{}'::int[];
  v_head int := 1;
  v_ordered text[] := '{}'::text[];
  v_step int;
  v_next int;
  v_path text[];
  v_cursor text;
  v_start int;
BEGIN
  IF v_count = 0 THEN
    RETURN '{}'::text[];
  END IF;
  SELECT jsonb_object_agg(s.slug, s.pos) INTO v_position
    FROM unnest(step_slugs) WITH ORDINALITY AS s(slug, pos);

  SELECT array_agg(coalesce(c.deps, 0) ORDER BY s.pos),
         array_agg(coalesce(c.first, 0) ORDER BY s.pos)
    INTO v_pending, v_first
    FROM generate_series(1, v_count) AS s(pos)
    LEFT JOIN (
      SELECT e.pos, sum(e.deps)::int AS deps, sum(e.dependents)::int AS first
        FROM (SELECT (v_position ->> x.step)::int AS pos, 1 AS deps, 0 AS dependents
                FROM unnest(edge_steps) AS x(step)
              UNION ALL
              SELECT (v_position ->> x.dep)::int, 0, 1
                FROM unnest(edge_deps) AS x(dep)) AS e
       GROUP BY e.pos) AS c ON c.pos = s.pos;
  -- v_first holds dependent counts; turn them into offsets (exclusive prefix sums).
  v_next := 0;
  FOR v_step IN 1 .. v_count LOOP
    v_start := v_first[v_step];
    v_first[v_step] := v_next;
    v_next := v_next + v_start;
  END LOOP;
  v_first[v_count + 1] := v_next;
  SELECT coalesce(array_agg((v_position ->> x.step)::int ORDER BY (v_position ->> x.dep)::int), '{}')
    INTO v_dependents
    FROM unnest(edge_steps, edge_deps) AS x(step, dep);

  FOR v_step IN 1 .. v_count LOOP
    IF v_pending[v_step] = 0 THEN
      v_queue := v_queue || v_step;
    END IF;
  END LOOP;
  WHILE v_head <= cardinality(v_queue) LOOP
    v_step := v_queue[v_head];
    v_head := v_head + 1;
    v_ordered := v_ordered || step_slugs[v_step];
    FOR v_next IN v_first[v_step] + 1 .. v_first[v_step + 1] LOOP
      v_pending[v_dependents[v_next]] := v_pending[v_dependents[v_next]] - 1;
      IF v_pending[v_dependents[v_next]] = 0 THEN
        v_queue := v_queue || v_dependents[v_next];
      END IF;
    END LOOP;
  END LOOP;
  IF cardinality(v_ordered) = v_count THEN
    RETURN v_ordered;
  END IF;

  -- Every unordered step has an unordered dependency: walk those until a step repeats.
  SELECT min(s.slug) INTO v_cursor
    FROM unnest(step_slugs) WITH ORDINALITY AS s(slug, pos)
   WHERE v_pending[s.pos] > 0;
  v_path := ARRAY[v_cursor];
  LOOP
    SELECT min(x.dep) INTO v_cursor
      FROM unnest(edge_steps, edge_deps) AS x(step, dep)
     WHERE x.step = v_cursor AND v_pending[(v_position ->> x.dep)::int] > 0;
    EXIT WHEN v_cursor = ANY (v_path);
    v_path := v_path || v_cursor;
  END LOOP;
  -- v_path runs dependent -> dependency; keep the cycle, reverse it, start at its smallest slug.
  v_path := v_path[array_position(v_path, v_cursor):];
  SELECT array_agg(p.slug ORDER BY p.pos DESC) INTO v_path FROM unnest(v_path) WITH ORDINALITY AS p(slug, pos);
  v_start := array_position(v_path, (SELECT min(p) FROM unnest(v_path) AS p));
  v_path := v_path[v_start:] || v_path[:v_start - 1];
  RAISE EXCEPTION 'flow "%" has a cycle: %', flow_slug, array_to_string(v_path || v_path[1], ' -> ')
    USING ERRCODE = '42P17',
          DETAIL = format('Steps in the cycle: %s. Each waits for the one before it.', array_to_string(v_path, ', ')),
          HINT = 'Remove one of these dependencies; a flow must be a DAG.';
END;
$$;
