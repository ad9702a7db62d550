// static/kiosk/api.js — the kiosk's calls to this server (and nowhere else:
// every URL is a same-origin path), with its key in X-API-Key. Each call
// resolves to {ok, status, body, code}; a network failure or a 502/503/504
// (nginx's "the app is not there") resolves with down: true instead of
// throwing, so the page can show its "server unavailable" state.

export const DOWN_STATUSES = [502, 503, 504];

async function call(method, path, key, json, extra = {}) {
  const headers = { Accept: 'application/json', 'X-API-Key': key, ...extra };
  if (json !== undefined) headers['Content-Type'] = 'application/json';
  let r;
  try {
    r = await fetch(path, {
      method, headers, body: json === undefined ? undefined : JSON.stringify(json),
      credentials: 'omit', cache: 'no-store', referrerPolicy: 'no-referrer',
      signal: AbortSignal.timeout(15000),
    });
  } catch {
    return { ok: false, down: true, status: 0, body: null, code: 'UNAVAILABLE' };
  }
  let body = null;
  try { body = await r.json(); } catch { body = null; }
  const down = DOWN_STATUSES.includes(r.status);
  const code = r.ok ? (body && body.code) || null : (body && body.code) || (down ? 'UNAVAILABLE' : 'INTERNAL');
  return { ok: r.ok, down, status: r.status, body, code };
}

const base = (slug) => `/api/staff/hotel/${encodeURIComponent(slug)}/attendance/clock-logs/`;

/** GET /api/auth/me with a kiosk key: {kind, kiosk_id, name, hotel, hotel_name}. */
export const whoAmI = (key) => call('GET', '/api/auth/me', key);

/** A fresh Idempotency-Key (a random UUID): one per scan attempt. Plain
 * HTTP on a LAN address is no secure context, so no crypto.randomUUID()
 * there: the same UUID from crypto.getRandomValues(). */
export function newScanKey() {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** A scan with its Idempotency-Key (newScanKey): sent again with the same
 * key and descriptor after a lost answer, the server answers what it
 * answered the first time instead of scanning twice (docs/api.md). */
export const scan = (slug, key, descriptor, scanKey) =>
  call('POST', `${base(slug)}face-clock-in/`, key, { descriptor }, { 'Idempotency-Key': scanKey });

/** The unrostered confirmation and the forced log take an Idempotency-Key
 * the same way: a retry after a lost answer gets that answer, not the spent
 * token's refusal. */
export const confirmUnrostered = (slug, key, token, reqKey) =>
  call('POST', `${base(slug)}unrostered-confirm/`, key, { confirmation_token: token }, { 'Idempotency-Key': reqKey });

export const forceLog = (slug, key, token, reason, reqKey) =>
  call('POST', `${base(slug)}force-log/`, key, { confirmation_token: token, reason }, { 'Idempotency-Key': reqKey });

export const longSessionAck = (slug, key, logId, mode) =>
  call('POST', `${base(slug)}${encodeURIComponent(logId)}/long-session-ack/`, key, { mode });

/** True when the server and its database answer (GET /healthz). */
export async function healthy() {
  try {
    const r = await fetch('/healthz', { cache: 'no-store', credentials: 'omit', signal: AbortSignal.timeout(5000) });
    return r.ok;
  } catch {
    return false;
  }
}
