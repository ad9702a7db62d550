-- 015_recognition_daily.sql — face scans per hotel, local day and outcome
-- (recognised, not_recognised, low_confidence, ambiguous), with the sum of
-- their confidences: the Insights page's recognition success rate and
-- average confidence. A refused scan writes nothing else, so the count
-- cannot be derived from other rows; one upsert per scan
-- (clock_recognition_count, handlers/attendance/clock_store.c) keeps it,
-- at most four rows per hotel and day.

CREATE TABLE recognition_daily (
    hotel_id        bigint NOT NULL REFERENCES hotels (id),
    day             date NOT NULL,
    outcome         text NOT NULL CHECK (outcome IN ('recognised', 'not_recognised', 'low_confidence', 'ambiguous')),
    attempts        bigint NOT NULL CHECK (attempts >= 0),
    confidence_sum  double precision NOT NULL DEFAULT 0,
    PRIMARY KEY (hotel_id, day, outcome)
);

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'faceclock_app') THEN
        GRANT SELECT, INSERT, UPDATE, DELETE ON recognition_daily TO faceclock_app;
    END IF;
END $$;
