-- 007_pms_password_mark.sql — beside each login's scrypt hash, the mark of
-- the password a PMS sync last hashed into it (handlers/people/pms_rules.c
-- pms_password_mark: HMAC-SHA-256 under a key derived from the server's
-- data key, of the hash and the password). A re-sync sending the same
-- password proves it with one HMAC instead of an scrypt; the mark is bound
-- to the hash, so a hash written by any other path leaves it unproven, and
-- without the server's key it says nothing about the password. NULL: no
-- mark yet (the next sync checks with scrypt once and writes it).
ALTER TABLE users ADD COLUMN pms_password_mark bytea CHECK (length(pms_password_mark) = 32);
