-- 010_login_lockout.sql — failed logins against a user name are counted
-- per address (handlers/people/sessions_rules.h): a flood of wrong
-- passwords from one address locks the name out of that address only, so
-- a stranger cannot lock a user out. scope 'user' rows carry the address
-- they came from in addr; scope 'ip' rows (per address, any user name)
-- leave it NULL. Rows from before this migration have no addr: no login
-- counts them, and they age out like the rest.
ALTER TABLE auth_failures ADD COLUMN addr text;
CREATE INDEX auth_failures_user_addr_idx ON auth_failures (key, addr, at) WHERE scope = 'user';
