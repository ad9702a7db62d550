// static/js/api.js — the JSON API as the camera pages (enroll.js,
// register.js) call it: the session cookie, the page's CSRF token
// (<meta name="csrf-token">, as forms.js sends it) on every write, and the
// answer as {ok, status, body}. A lost session goes to the login page and
// back. The ordinary forms use forms.js instead.

function csrfToken() {
  const m = document.querySelector('meta[name="csrf-token"]');
  return m ? m.getAttribute('content') : null;
}

/** The login page, coming back here afterwards. */
export function toLogin() {
  window.location.assign(`/dashboard/login?next=${encodeURIComponent(location.pathname + location.search)}`);
}

/**
 * One API call: method, path, JSON body (or undefined). Resolves to
 * {ok, status, body} (body: the parsed JSON or null); a network failure
 * resolves to status 0 with a message in body, like an API error.
 */
export async function api(method, path, json) {
  const headers = { Accept: 'application/json' };
  if (json !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD') {
    const token = csrfToken();
    if (token) headers['X-CSRF-Token'] = token;
  }
  let r;
  try {
    r = await fetch(path, {
      method, headers, credentials: 'same-origin',
      body: json === undefined ? undefined : JSON.stringify(json),
    });
  } catch {
    return { ok: false, status: 0, body: { code: 'NETWORK', message: 'The server could not be reached. Try again.' } };
  }
  let body = null;
  try { body = await r.json(); } catch { body = null; }
  if (r.status === 401) toLogin();
  if (!r.ok && !(body && body.message)) {
    body = { code: 'HTTP_' + r.status, message: `The server answered ${r.status}. Try again.` };
  }
  return { ok: r.ok, status: r.status, body };
}

/** A date-time from the API as text in the hotel's zone (<body data-timezone>). */
export function localTime(iso) {
  const d = new Date(iso);
  if (!iso || Number.isNaN(d.getTime())) return iso || '';
  const zone = document.body.getAttribute('data-timezone') || undefined;
  try {
    const p = {};
    new Intl.DateTimeFormat('en-GB', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(d).forEach((x) => { p[x.type] = x.value; });
    return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
  } catch {
    return iso;
  }
}
