-- 005_fc_ts_stable.sql — fc_ts() is STABLE, as 001 now declares it.
-- Clusters made before that change have it IMMUTABLE, and the planner
-- refuses to inline an IMMUTABLE SQL function whose body (to_char) is only
-- STABLE: every RETURNING fc_ts(...) then ran the function through the SQL
-- function executor, parsing its body on each statement (seen in a profile
-- of face-clock-in as PostgreSQL time in fmgr_sql/raw_parser). Declaring it
-- STABLE lets it inline into a plain to_char() call.
ALTER FUNCTION fc_ts(timestamptz) STABLE;
