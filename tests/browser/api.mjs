// tests/browser/api.mjs — the API as the browser tests' setup and checks see
// it: one request function over fetch (JSON in and out), and Hotel, a fresh
// hotel made through PMS sync by the system administrator with a manager
// login and staff without logins, like tests/e2e/fc.py's Hotel. Every test
// makes its own hotel, so tests are independent and can run again against
// the same database.
import crypto from 'node:crypto';
import { BASE_URL, ADMIN_KEY } from './env.mjs';

/**
 * One request through nginx. opts: json (serialized body), token (Bearer),
 * apiKey (X-API-Key), admin (the system administrator's key), headers.
 * Returns {status, headers, body (parsed JSON or null), text}.
 */
export async function request(method, path, opts = {}) {
  const headers = { Accept: 'application/json', ...(opts.headers || {}) };
  let body;
  if (opts.json !== undefined) {
    body = JSON.stringify(opts.json);
    headers['Content-Type'] = 'application/json';
  }
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
  if (opts.apiKey) headers['X-API-Key'] = opts.apiKey;
  if (opts.admin) headers['X-API-Key'] = ADMIN_KEY;
  const r = await fetch(BASE_URL + path, { method, headers, body, redirect: 'manual',
    signal: AbortSignal.timeout(opts.timeout || 15000) });
  const text = await r.text();
  let parsed = null;
  try { parsed = text ? JSON.parse(text) : null; } catch { parsed = null; }
  return { status: r.status, headers: r.headers, body: parsed, text };
}

/** The body of a request that must answer `status` (else throws with the answer). */
export async function ok(status, method, path, opts) {
  const r = await request(method, path, opts);
  if (r.status !== status) {
    throw new Error(`${method} ${path}: expected ${status}, got ${r.status} ${r.text.slice(0, 400)}`);
  }
  return r.body;
}

const rand32 = () => crypto.randomBytes(4).toString('hex');

/** Local date and time in an IANA zone: {date: 'YYYY-MM-DD', time: 'HH:MM:SS'}. */
export function localParts(when, timeZone) {
  const f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit',
    day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  const p = Object.fromEntries(f.formatToParts(when).map((x) => [x.type, x.value]));
  return { date: `${p.year}-${p.month}-${p.day}`, time: `${p.hour}:${p.minute}:${p.second}` };
}

/**
 * A fresh hotel: two departments, a manager who logs in, and staff without
 * logins, one per entry of `names` ("First Last"; ids this.people[i]).
 * Time zone UTC and name "Hotel <slug>" unless told.
 */
export class Hotel {
  constructor({ tag = 'br', timezone = 'UTC', names = ['Alice Able', 'Bob Baker', 'Carol Cole'], name } = {}) {
    this.slug = `${tag}-${rand32()}`;
    this.base = (1000 + crypto.randomInt(2_000_000 - 1000)) * 1000;
    this.name = name || `Hotel ${this.slug}`;
    this.timezone = timezone;
    this.dept = [this.base + 1, this.base + 2];
    this.manager = { username: `${this.slug}-manager`, password: `pw-manager-${rand32()}`,
      staff_id: this.base + 100 };
    this.people = names.map((_, i) => this.base + 300 + i);
    this.names = Object.fromEntries(names.map((n, i) => [this.base + 300 + i, n]));
    this._shift = 600;
    this._token = null;
  }

  path(rest = '') { return `/api/staff/hotel/${this.slug}/${rest}`; }
  att(rest = '') { return this.path(`attendance/${rest}`); }

  staffRows() {
    const rows = [{ id: this.manager.staff_id, employee_code: `E${this.manager.staff_id}`,
      first_name: 'Mia', last_name: 'Manager', department_id: this.dept[0], role: 'manager',
      username: this.manager.username, password: this.manager.password, is_active: true }];
    for (const sid of this.people) {
      const [first, ...last] = this.names[sid].split(' ');
      rows.push({ id: sid, employee_code: `E${sid}`, first_name: first, last_name: last.join(' '),
        department_id: this.dept[0], role: 'staff', is_active: true });
    }
    return rows;
  }

  async create(settings = {}) {
    const body = await ok(200, 'PUT', this.path('pms-sync/'), { admin: true, json: {
      hotel: { name: this.name, timezone: this.timezone },
      settings,
      departments: [{ id: this.dept[0], name: 'Reception' }, { id: this.dept[1], name: 'Housekeeping' }],
      staff: this.staffRows(),
    } });
    if (body.hotel_created !== true) throw new Error(`PMS sync did not create ${this.slug}`);
    return this;
  }

  async login() {
    if (!this._token) {
      const b = await ok(200, 'POST', '/api/auth/login',
        { json: { username: this.manager.username, password: this.manager.password } });
      this._token = b.token;
    }
    return this._token;
  }

  async asManager(method, rest, json) {
    return request(method, this.path(rest), { token: await this.login(), json });
  }

  /** A new kiosk key ({id, name, api_key}), made by the manager. */
  async newKiosk(name = 'Lobby kiosk') {
    return ok(201, 'POST', this.path('kiosks/'), { token: await this.login(), json: { name } });
  }

  async settings(patch) {
    return ok(200, 'PATCH', this.att('settings/'), { token: await this.login(), json: patch });
  }

  /** Registers a descriptor for staff sid, as the manager, with consent. */
  async register(sid, descriptor) {
    return ok(201, 'POST', this.att('clock-logs/register-face/'), { token: await this.login(),
      json: { descriptor, consent_given: true, staff_id: sid } });
  }

  /** A roster shift of sid from now − beforeS to now + afterS (hotel-local). */
  async shiftNow(sid, { beforeS = 3600, afterS = 7 * 3600, location = 'Front Desk' } = {}) {
    const now = Date.now();
    const start = localParts(new Date(now - beforeS * 1000), this.timezone);
    const end = localParts(new Date(now + afterS * 1000), this.timezone);
    this._shift += 1;
    const row = { id: this.base + this._shift, staff_id: sid, date: start.date,
      start_time: start.time, end_time: end.time, location, department_id: this.dept[0] };
    await ok(200, 'PUT', this.path('pms-sync/'), { admin: true, json: { roster: [row] } });
    return row;
  }

  /** Imports a clock log (an open session when timeOut is null). */
  async importLog(sid, timeIn, timeOut = null, shiftId = null) {
    await ok(200, 'PUT', this.path('pms-sync/'), { admin: true, json: {
      clock_logs: [{ staff_id: sid, time_in: timeIn, time_out: timeOut, roster_shift_id: shiftId }] } });
  }

  /** The hotel's clock logs begun yesterday or today (hotel-local), newest first, as the manager sees them. */
  async logs(sid) {
    const from = localParts(new Date(Date.now() - 86400 * 1000), this.timezone).date;
    const to = localParts(new Date(), this.timezone).date;
    const q = `clock-logs/?from=${from}&to=${to}${sid ? `&staff_id=${sid}` : ''}`;
    return ok(200, 'GET', this.att(q), { token: await this.login() });
  }

  async audit(sid, action) {
    return ok(200, 'GET', this.att(`clock-logs/face-audit-logs/?staff_id=${sid}&action=${action}`),
      { token: await this.login() });
  }
}
