-- 015_recognition_daily.sql — face scans per hotel, local day and outcome
-- (recognised, not_recognised, low_confidence, ambiguous), with the sum of
-- their confidences: the Insights page's recognition success rate and
-- average confidence. A refused scan writes nothing else, so the count
-- cannot be derived from other rows; one upsert per scan
-- (clock_recognition_count, handlers/attendance/clock_store.c) keeps it.
-- Each worker counts on rows of its own (`shard`: its slot), so scans of
-- one hotel on different workers never wait for each other's row lock;
-- readers sum the shards. The upsert commits without waiting for the WAL
-- flush (synchronous_commit off for that one transaction): a crash may
-- lose the last few counts, never a clock log, and a scan pays no fsync
-- for a statistic.

CREATE TABLE recognition_daily (
    hotel_id        bigint NOT NULL REFERENCES hotels (id),
    day             date NOT NULL,
    outcome         text NOT NULL CHECK (outcome IN ('recognised', 'not_recognised', 'low_confidence', 'ambiguous')),
    shard           smallint NOT NULL CHECK (shard >= 0),
    attempts        bigint NOT NULL CHECK (attempts >= 0),
    confidence_sum  double precision NOT NULL DEFAULT 0,
    PRIMARY KEY (hotel_id, day, outcome, shard)
);

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'faceclock_app') THEN
        GRANT SELECT, INSERT, UPDATE, DELETE ON recognition_daily TO faceclock_app;
    END IF;
END $$;
