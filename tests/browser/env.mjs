// tests/browser/env.mjs — the stack the browser tests run against, read from
// $FC_VAR/env (written by scripts/stack.sh start) the way tests/e2e/fc.py
// reads it: bash sources the file, so it means what `. file` means.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(HERE, '..', '..');

function loadEnv() {
  let fcVar = process.env.FC_VAR || path.join(REPO, 'var', 'test');
  if (!path.isAbsolute(fcVar)) fcVar = path.join(REPO, fcVar);
  const file = process.env.FC_ENV_FILE || path.join(fcVar, 'env');
  let vals = {};
  try {
    const out = execFileSync('bash', ['-c', 'set -a; . "$1" >/dev/null 2>&1; env -0', 'fc-env', file],
      { env: { PATH: process.env.PATH || '/usr/bin:/bin' }, timeout: 10000, stdio: ['ignore', 'pipe', 'ignore'] });
    for (const item of out.toString('utf8').split('\0')) {
      const i = item.indexOf('=');
      if (i > 0) vals[item.slice(0, i)] = item.slice(i + 1);
    }
  } catch {
    vals = {};
  }
  const env = {};
  for (const k of ['BASE_URL', 'PORT', 'FACECLOCK_ADMIN_KEY', 'FC_VAR']) {
    env[k] = vals[k] || process.env[k] || '';
  }
  env.FC_VAR = env.FC_VAR || fcVar;
  if (!env.BASE_URL) env.BASE_URL = `http://127.0.0.1:${env.PORT || 8080}`;
  env.ENV_FILE = file;
  return env;
}

export const ENV = loadEnv();
export const BASE_URL = ENV.BASE_URL.replace(/\/$/, '');
export const ADMIN_KEY = ENV.FACECLOCK_ADMIN_KEY;
export const FC_VAR = ENV.FC_VAR;
// Screenshots for the README (var/screenshots/ at the top of the clone).
export const SCREENSHOTS = process.env.FC_SCREENSHOTS || path.join(REPO, 'var', 'screenshots');
