-- 008_csv_cell.sql — fc_csv_cell(text): a text cell of a CSV export made
-- safe to open in a spreadsheet (OWASP, CSV injection): a value starting
-- with '=', '+', '-', '@', a tab or a carriage return would be read as a
-- formula, so it gets a leading single quote; every other value, NULL
-- included, is unchanged. COPY's CSV quoting then does the rest (commas,
-- quotes, line breaks). The COPY statements of the exports
-- (handlers/attendance/audit_store.c, clock_logs_store.c) wrap their text
-- columns in it; numbers, booleans and timestamps are written by the SELECT
-- itself and need none. An inlinable SQL function: the stream stays a
-- plain scan, constant in memory.
CREATE FUNCTION fc_csv_cell(v text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN left(v, 1) IN ('=', '+', '-', '@', E'\t', E'\r') THEN '''' || v ELSE v END
$$;
