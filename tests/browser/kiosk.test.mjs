// tests/browser/kiosk.test.mjs — the kiosk page (/kiosk/) in Chromium with a
// fake camera, against the real stack: pairing and unpairing; a registered
// person clocking in and then out with descriptors computed in the page; a
// long session's clock-out with escalating warnings (the README's
// screenshot); an unregistered face refused; the unrostered prompt with
// "Clock in anyway" and "Force log" with a reason; the long-session
// acknowledgement; a scan, and an unrostered confirmation, whose answer
// was lost sent again with its Idempotency-Key and done once; the
// server-down and camera-down states; a plain-language message for every
// error code. Every wait is on page state
// (body[data-state], texts), never a sleep.
import test, { before } from 'node:test';
import assert from 'node:assert/strict';
import { Hotel, ok, request } from './api.mjs';
import { launch, descriptorOf, screenshot } from './browser.mjs';
import { ADMIN_KEY } from './env.mjs';

const SCAN_MS = 150000;          // face-api on a busy two-core machine: a scan can take many seconds
const T = { timeout: 420000 };
const ALICE = 'Alice Able';
const BETH = 'Beth Brown';

let aliceDescriptor;

before(async () => {
  // computed in Chromium by static/js/face.js from the alice camera
  aliceDescriptor = await descriptorOf('alice');
});

// --------------------------------------------------------------- helpers

const state = (page) => page.evaluate(() => document.body.dataset.state);

async function waitState(page, states, timeout = SCAN_MS) {
  const want = [].concat(states);
  await page.waitForFunction((w) => w.includes(document.body.dataset.state), want, { timeout, polling: 100 });
  return state(page);
}

async function text(page, id) {
  return (await page.locator(`#${id}`).innerText()).trim();
}

/** A hotel with alice registered by the manager with consent (beth has no face data), duplicate scans allowed. */
async function hotelWithAlice(settings = {}) {
  // the name the README's screenshots show
  const h = await new Hotel({ tag: 'kiosk', names: [ALICE, BETH], name: 'Grand Hotel Dublin' }).create();
  // the same face may clock in and straight out again (the kiosk's own hold still applies)
  await h.settings({ duplicate_scan_seconds: 0, ...settings });
  await h.register(h.people[0], aliceDescriptor);
  return h;
}

async function pair(page, key) {
  await page.goto('/kiosk/');
  await waitState(page, 'pairing', 30000);
  await page.getByLabel('Kiosk key').fill(key);
  await page.getByRole('button', { name: 'Pair kiosk' }).click();
}

const hoursAgo = (h) => new Date(Date.now() - h * 3600 * 1000).toISOString().replace(/\.\d+Z$/, 'Z');

// ----------------------------------------------------------------- tests

test('pairing: a wrong key is refused, a kiosk key pairs and survives a reload, Unpair removes it', T, async () => {
  const h = await new Hotel({ tag: 'kpair' }).create();
  const k = await h.newKiosk('Staff entrance');
  const b = await launch('empty', { viewport: { width: 768, height: 1024 } });
  try {
    const { page } = b;
    await page.goto('/kiosk/');
    await waitState(page, 'pairing', 30000);
    assert.match(await page.title(), /Pair this kiosk/);
    await screenshot(page, 'kiosk-pair');

    // an empty key: said so, nothing sent
    await page.getByRole('button', { name: 'Pair kiosk' }).click();
    assert.match(await text(page, 'pair-error'), /Enter the kiosk key/);
    await page.getByLabel('Kiosk key').fill('kio_1 café');
    await page.getByRole('button', { name: 'Pair kiosk' }).click();
    assert.match(await text(page, 'pair-error'), /not a kiosk key/);
    assert.equal(await page.getByLabel('Kiosk key').getAttribute('aria-invalid'), 'true');
    // a wrong key, and the system administrator's key (not a kiosk key)
    await page.getByLabel('Kiosk key').fill(`kio_${k.id}_${'0'.repeat(40)}`);
    await page.getByRole('button', { name: 'Pair kiosk' }).click();
    await page.waitForFunction(() => /Key not accepted/.test(document.getElementById('pair-error').textContent));
    await page.getByLabel('Kiosk key').fill(ADMIN_KEY);
    await page.getByRole('button', { name: 'Pair kiosk' }).click();
    await page.waitForFunction(() => /Not a kiosk key/.test(document.getElementById('pair-error').textContent));
    assert.equal(await page.evaluate(() => localStorage.length), 0);

    await page.getByLabel('Kiosk key').fill(k.api_key);
    await page.getByRole('button', { name: 'Pair kiosk' }).click();
    await waitState(page, ['starting', 'scanning', 'sending', 'error'], 30000);
    assert.equal(await text(page, 'hotel-name'), h.name);
    assert.equal(await text(page, 'kiosk-name'), 'Staff entrance');
    assert.equal(await page.title(), `Kiosk — ${h.name}`);
    const stored = JSON.parse(await page.evaluate(() => localStorage.getItem('faceclock.kiosk')));
    assert.equal(stored.key, k.api_key);
    assert.equal(stored.hotel, h.slug);

    // the empty camera: scanning, nobody there
    await page.waitForFunction(() => document.getElementById('status').textContent === 'Look at the camera',
      null, { timeout: SCAN_MS });
    await page.reload();
    await waitState(page, ['starting', 'scanning'], 30000);
    assert.equal(await text(page, 'hotel-name'), h.name);
    // responsive: nothing wider than a portrait tablet
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth));

    // Unpair asks first; Cancel keeps the key
    await page.getByRole('button', { name: 'Unpair' }).click();
    await page.locator('#unpair-dialog').getByRole('button', { name: 'Cancel' }).click();
    assert.notEqual(await page.evaluate(() => localStorage.getItem('faceclock.kiosk')), null);
    await page.getByRole('button', { name: 'Unpair' }).click();
    await page.locator('#unpair-dialog').getByRole('button', { name: 'Unpair' }).click();
    await waitState(page, 'pairing', 60000);
    assert.equal(await page.evaluate(() => localStorage.getItem('faceclock.kiosk')), null);
    assert.match(await text(page, 'pair-error'), /unpaired/);
    assert.equal(await page.evaluate(() => document.getElementById('video').srcObject), null);

    // a key revoked while paired: the kiosk forgets it and says why
    await pair(page, k.api_key);
    await waitState(page, ['starting', 'scanning'], 30000);
    await ok(200, 'DELETE', h.path(`kiosks/${k.id}/`), { token: await h.login() });
    await page.reload();
    await waitState(page, 'pairing', 30000);
    assert.match(await text(page, 'pair-error'), /no longer valid/);
    assert.equal(await page.evaluate(() => localStorage.getItem('faceclock.kiosk')), null);
    assert.deepEqual(b.foreign(), [], 'requests left the stack');
  } finally {
    await b.close();
  }
});

test('a registered person clocks in, then out, with descriptors computed in the page', T, async () => {
  const h = await hotelWithAlice();
  const shift = await h.shiftNow(h.people[0], { location: 'Front Desk' });
  const k = await h.newKiosk();
  const b = await launch('alice');
  try {
    const { page } = b;
    const scans = [];
    page.on('request', (r) => { if (r.url().includes('/face-clock-in/')) scans.push(r); });
    await pair(page, k.api_key);
    await waitState(page, 'result');
    assert.equal(await text(page, 'result-name'), ALICE);
    assert.equal(await text(page, 'result-action'), 'Clocked in');
    const facts = await text(page, 'result-facts');
    assert.match(facts, new RegExp(`${shift.start_time.slice(0, 5)}–${shift.end_time.slice(0, 5)}`));
    assert.match(facts, /Front Desk, Reception/);
    assert.equal(await page.locator('#result-warnings li').count(), 0);
    assert.match(await text(page, 'announce'), /Clocked in: Alice Able/);
    await screenshot(page, 'kiosk-clock-in');

    // what was sent: the key in X-API-Key and a real 128-number descriptor, nothing else
    const sent = scans[0];
    assert.equal(sent.headers()['x-api-key'], k.api_key);
    const body = sent.postDataJSON();
    assert.deepEqual(Object.keys(body), ['descriptor']);
    assert.equal(body.descriptor.length, 128);
    assert.match(sent.headers()['idempotency-key'], /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

    let logs = await h.logs(h.people[0]);
    assert.equal(logs.length, 1);
    assert.equal(logs[0].time_out, null);
    assert.equal(logs[0].roster_shift_id, shift.id);
    assert.equal(logs[0].source, 'face');

    // still in front of the camera: the kiosk does not send the same face again
    await waitState(page, 'scanning', 30000);
    await page.waitForFunction(() => /Next person/.test(document.getElementById('status').textContent),
      null, { timeout: SCAN_MS });
    assert.equal(scans.length, 1);

    // back later (a fresh page): clocks out
    await page.reload();
    await waitState(page, 'result');
    assert.equal(await text(page, 'result-action'), 'Clocked out');
    assert.equal(await text(page, 'result-name'), ALICE);
    assert.match(await text(page, 'result-facts'), /Worked\s+0\.\d\d hours/);
    logs = await h.logs(h.people[0]);
    assert.equal(logs.length, 1);
    assert.notEqual(logs[0].time_out, null);
    assert.deepEqual(b.foreign(), [], 'requests left the stack');
    // the strict CSP holds: face-api and the page run without a violation or an error
    assert.deepEqual(b.errors, []);
  } finally {
    await b.close();
  }
});

/** The first request to pattern reaches the server, and its answer is lost
 * on the way back (the connection reset: an app host died); later ones
 * pass. What each sent (its Idempotency-Key, its body) and was answered. */
async function loseFirstAnswer(page, pattern) {
  const lost = { sent: [], answers: [] };
  await page.route(pattern, async (route) => {
    const req = route.request();
    lost.sent.push({ key: req.headers()['idempotency-key'], body: req.postData() });
    const resp = await route.fetch();
    lost.answers.push({ status: resp.status(), replayed: resp.headers()['idempotent-replayed'] || null });
    if (lost.sent.length === 1) await route.abort('connectionreset');
    else await route.fulfill({ response: resp });
  });
  return lost;
}

/** Sent twice with one key and body: done the first time, replayed the second. */
function assertSentAgainOnce({ sent, answers }) {
  assert.equal(sent.length, 2);
  assert.ok(sent[0].key);
  assert.equal(sent[1].key, sent[0].key);
  assert.equal(sent[1].body, sent[0].body);
  assert.deepEqual(answers, [{ status: 201, replayed: null }, { status: 201, replayed: 'true' }]);
}

test('a scan whose answer was lost is sent again with its Idempotency-Key: one clock-in', T, async () => {
  const h = await hotelWithAlice();
  await h.shiftNow(h.people[0]);
  const k = await h.newKiosk();
  const b = await launch('alice');
  try {
    const { page } = b;
    // the first scan reaches the server, which clocks alice in; its answer
    // is lost on the way back (the connection reset): the app host died
    const lost = await loseFirstAnswer(page, '**/face-clock-in/');
    await pair(page, k.api_key);
    await waitState(page, 'result');
    assert.equal(await text(page, 'result-action'), 'Clocked in');
    assert.equal(await text(page, 'result-name'), ALICE);
    assertSentAgainOnce(lost);
    const logs = await h.logs(h.people[0]);
    assert.equal(logs.length, 1);
    assert.equal(logs[0].time_out, null);
  } finally {
    await b.close();
  }
});

test('a long session clocks out with escalating warnings (break, overtime, hard stop)', T, async () => {
  const h = await hotelWithAlice();
  await h.importLog(h.people[0], hoursAgo(12.5));
  const k = await h.newKiosk('Staff entrance');
  const b = await launch('alice', { viewport: { width: 1280, height: 800 } });
  try {
    const { page } = b;
    await pair(page, k.api_key);
    await waitState(page, 'result');
    assert.equal(await text(page, 'result-action'), 'Clocked out');
    const levels = await page.locator('#result-warnings li').evaluateAll((els) => els.map((e) => e.className));
    assert.deepEqual(levels, ['level-3', 'level-2', 'level-1']);
    assert.match(await page.locator('#result').getAttribute('class'), /urgency-3/);
    assert.match(await text(page, 'result-warnings'), /STOP NOW/i);
    assert.match(await text(page, 'result-warnings'), /12\.5 hours/);
    assert.match(await text(page, 'announce'), /past the safe limit/);
    // a hard stop waits for "OK" (focused), not a timer of a few seconds
    const okButton = page.getByRole('button', { name: 'OK, I understand' });
    assert.ok(await okButton.isVisible());
    assert.ok(await okButton.evaluate((el) => el === document.activeElement));
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth));
    await screenshot(page, 'kiosk-result');
    await okButton.click();
    await waitState(page, ['scanning', 'sending'], 60000);
    const logs = await h.logs(h.people[0]);
    assert.notEqual(logs[0].time_out, null);
  } finally {
    await b.close();
  }
});

test('an unregistered face is refused; a switched-off hotel says so', T, async () => {
  const h = await hotelWithAlice();
  await h.shiftNow(h.people[1]);
  const k = await h.newKiosk();
  const b = await launch('beth');
  try {
    const { page } = b;
    await pair(page, k.api_key);
    await waitState(page, 'error');
    assert.equal(await page.locator('#error').getAttribute('data-code'), 'FACE_NOT_RECOGNIZED');
    assert.equal(await text(page, 'error-title'), 'Face not recognised');
    assert.match(await text(page, 'error-text'), /ask a manager/);
    assert.match(await text(page, 'announce'), /Face not recognised/);
    assert.deepEqual(await h.logs(), []);

    await h.settings({ face_attendance_enabled: false });
    await page.reload();
    await page.waitForFunction(() => document.getElementById('error').dataset.code === 'FACE_DISABLED_FOR_HOTEL',
      null, { timeout: SCAN_MS, polling: 100 });
    assert.equal(await text(page, 'error-title'), 'Face clock-in is switched off');
    assert.deepEqual(await h.logs(), []);
  } finally {
    await b.close();
  }
});

test('unrostered: "Clock in anyway", then "Force log" with a reason', T, async () => {
  const h = await hotelWithAlice();
  const k = await h.newKiosk();
  const b = await launch('alice');
  const sid = h.people[0];
  try {
    const { page } = b;
    await pair(page, k.api_key);
    await waitState(page, 'unrostered');
    assert.match(await text(page, 'unrostered-text'), /Alice Able, you have no shift scheduled now/);
    assert.match(await text(page, 'unrostered-timer'), /closes in \d+ s/);
    await screenshot(page, 'kiosk-unrostered');
    await page.getByRole('button', { name: 'Clock in anyway' }).click();
    await waitState(page, 'result', 30000);
    assert.equal(await text(page, 'result-action'), 'Clocked in');
    assert.match(await text(page, 'result-facts'), /Not rostered/);
    let logs = await h.logs(sid);
    assert.equal(logs.length, 1);
    assert.deepEqual([logs[0].is_unrostered, logs[0].is_approved, logs[0].time_out], [true, false, null]);

    // back later: clocks out; again: asked again, and forces a log this time
    await page.reload();
    await waitState(page, 'result');
    assert.equal(await text(page, 'result-action'), 'Clocked out');
    await page.reload();
    await waitState(page, 'unrostered');
    await page.getByRole('button', { name: 'Force log' }).click();
    await waitState(page, 'force', 60000);
    const reasonBox = page.getByLabel('Reason for clocking in without a shift');
    assert.ok(await reasonBox.evaluate((el) => el === document.activeElement));
    // no reason: said at once, nothing sent
    await page.locator('#force-form').getByRole('button', { name: 'Force log' }).click();
    assert.match(await text(page, 'force-error'), /write a reason/);
    assert.equal(await reasonBox.getAttribute('aria-invalid'), 'true');
    await reasonBox.fill('Covering for a sick colleague');
    await page.locator('#force-form').getByRole('button', { name: 'Force log' }).click();
    await waitState(page, 'result', 30000);
    assert.equal(await text(page, 'result-action'), 'Clocked in');

    logs = await h.logs(sid);
    assert.equal(logs.length, 2);
    assert.equal(logs[0].source, 'forced');
    assert.deepEqual([logs[0].is_unrostered, logs[0].is_approved, logs[0].time_out], [true, false, null]);
    const audit = await h.audit(sid, 'FORCED_CLOCK_IN');
    assert.equal(audit.length, 1);
    assert.equal(audit[0].reason, 'Covering for a sick colleague');
    const pending = await ok(200, 'GET', h.att('clock-logs/pending-approval/'), { token: await h.login() });
    assert.ok(pending.some((p) => p.id === logs[0].id && p.force_reason === 'Covering for a sick colleague'),
      JSON.stringify(pending));
    assert.deepEqual(b.foreign(), [], 'requests left the stack');
  } finally {
    await b.close();
  }
});

// The server answers a scan of an open session by clocking it out (contract
// 5.5), so no answer of today's server leaves a long session open: the
// scan's answer is replaced here by one that does (the contract's shape,
// around a real open session), and the acknowledgement goes to the real
// long-session-ack/.
test('a confirmation whose answer was lost is sent again with its Idempotency-Key: one clock-in', T, async () => {
  const h = await hotelWithAlice();
  const k = await h.newKiosk();
  const b = await launch('alice');
  try {
    const { page } = b;
    // the confirmation clocks alice in; its answer is lost on the way back
    const lost = await loseFirstAnswer(page, '**/unrostered-confirm/');
    await pair(page, k.api_key);
    await waitState(page, 'unrostered');
    await page.getByRole('button', { name: 'Clock in anyway' }).click();
    await waitState(page, 'result', 30000);
    assert.equal(await text(page, 'result-action'), 'Clocked in');
    assertSentAgainOnce(lost);
    const logs = await h.logs(h.people[0]);
    assert.equal(logs.length, 1);
    assert.deepEqual([logs[0].is_unrostered, logs[0].time_out], [true, null]);
  } finally {
    await b.close();
  }
});

test('long-session acknowledgement: stay clocked in, or clock out past the hard limit', T, async () => {
  const h = await hotelWithAlice();
  const [alice, beth] = h.people;
  await h.importLog(alice, hoursAgo(10.5));
  await h.importLog(beth, hoursAgo(12.5));
  const open = await ok(200, 'GET', h.att('clock-logs/currently-clocked-in/'), { token: await h.login() });
  const row = (sid) => open.find((r) => r.staff_id === sid);
  const answer = (sid, name) => {
    const r = row(sid);
    return { message: `Clock-in successful for ${name}`, staff_id: sid, staff_name: name, action: 'CLOCK_IN',
      is_rostered: false, shift_info: null, session_duration_hours: r.session_duration_hours,
      needs_break_warning: r.needs_break_warning, needs_long_session_warning: r.needs_long_session_warning,
      needs_hard_stop_warning: r.needs_hard_stop_warning, overtime_threshold_reached: r.needs_long_session_warning,
      should_clock_out: r.should_clock_out, confidence: 0.99,
      log: { id: r.log_id, staff_id: sid, time_in: r.time_in, time_out: null, roster_shift_id: null,
        verified_by_face: true, is_unrostered: false, is_approved: true, long_session_ack_mode: null, source: 'face' } };
  };
  const k = await h.newKiosk();
  const b = await launch('alice');
  try {
    const { page } = b;
    let next = answer(alice, ALICE);
    await page.route('**/face-clock-in/', (route) => route.fulfill({ status: 200, contentType: 'application/json',
      body: JSON.stringify(next) }));
    await pair(page, k.api_key);
    await waitState(page, 'ack');
    assert.match(await text(page, 'ack-text'), /Alice Able, you have been clocked in for 10\.5 hours/);
    assert.ok(await page.getByRole('button', { name: 'Stay clocked in' }).isVisible());
    await page.getByRole('button', { name: 'Stay clocked in' }).click();
    await waitState(page, 'result', 30000);
    assert.equal(await text(page, 'result-action'), 'Still clocked in');
    let now = await ok(200, 'GET', h.att('clock-logs/currently-clocked-in/'), { token: await h.login() });
    assert.ok(now.some((r) => r.staff_id === alice));
    let logs = await h.logs(alice);
    assert.equal(logs[0].long_session_ack_mode, 'stay_clocked_in');

    // past the hard limit with limits enforced: only "Clock out now"
    next = answer(beth, BETH);
    await page.reload();
    await waitState(page, 'ack');
    assert.ok(!(await page.getByRole('button', { name: 'Stay clocked in' }).isVisible()));
    assert.match(await text(page, 'ack-warnings'), /STOP NOW/i);
    await page.getByRole('button', { name: 'Clock out now' }).click();
    await waitState(page, 'result', 30000);
    assert.equal(await text(page, 'result-action'), 'Clocked out');
    now = await ok(200, 'GET', h.att('clock-logs/currently-clocked-in/'), { token: await h.login() });
    assert.ok(!now.some((r) => r.staff_id === beth));
    logs = await h.logs(beth);
    assert.equal(logs[0].long_session_ack_mode, 'clocked_out');

    // "stay" refused by the server (SESSION_TOO_LONG): the kiosk leaves only "Clock out now"
    await h.importLog(beth, hoursAgo(12.5));
    const again = await ok(200, 'GET', h.att('clock-logs/currently-clocked-in/'), { token: await h.login() });
    open.splice(0, open.length, ...again);
    next = { ...answer(beth, BETH), should_clock_out: false };
    await page.reload();
    await waitState(page, 'ack');
    await page.getByRole('button', { name: 'Stay clocked in' }).click();
    await page.waitForFunction(() => /longest shift allowed/.test(document.getElementById('ack-error').textContent),
      null, { timeout: 30000 });
    assert.ok(!(await page.getByRole('button', { name: 'Stay clocked in' }).isVisible()));
    assert.equal(await state(page), 'ack');
  } finally {
    await b.close();
  }
});

test('server unavailable and camera unavailable are shown, and recovered from', T, async () => {
  const h = await hotelWithAlice();
  const k = await h.newKiosk();
  const b = await launch('empty');
  try {
    const { page } = b;
    await pair(page, k.api_key);
    await waitState(page, ['scanning', 'sending']);
    // the server goes away (connections refused), then a 502 from nginx
    await page.route('**/api/**', (route) => route.abort('connectionrefused'));
    await page.route('**/healthz', (route) => route.abort('connectionrefused'));
    await page.reload();
    await waitState(page, 'server-down', 30000);
    assert.equal(await text(page, 'problem-title'), 'Server unavailable');
    assert.match(await text(page, 'problem-retry-note'), /Trying again every 3 seconds/);
    await page.unroute('**/api/**');
    await page.route('**/api/**', (route) => route.fulfill({ status: 502, contentType: 'application/json',
      body: '{"code":"UNAVAILABLE","message":"The service is not reachable; retry shortly."}' }));
    await page.unroute('**/healthz');
    await page.reload();
    await waitState(page, 'server-down', 30000);
    await page.unroute('**/api/**');
    // back by itself once /healthz answers
    await waitState(page, ['starting', 'scanning', 'sending'], 30000);
  } finally {
    await b.close();
  }

  const c = await launch('alice', { camera: false });
  try {
    const { page } = c;
    await pair(page, k.api_key);
    await waitState(page, 'camera-down', 60000);
    assert.equal(await text(page, 'problem-title'), 'Camera unavailable');
    assert.match(await text(page, 'problem-text'), /camera is blocked/);
    assert.ok(await page.getByRole('button', { name: 'Try again now' }).isVisible());
  } finally {
    await c.close();
  }
});

test('every error code of the kiosk endpoints has a plain-language message', async () => {
  const { errorMessage, KNOWN_CODES } = await import('../../static/kiosk/messages.js');
  // contract section 2 (generic) and 5 (attendance), as these endpoints answer them
  const codes = ['UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'METHOD_NOT_ALLOWED', 'INVALID_JSON',
    'VALIDATION_ERROR', 'PAYLOAD_TOO_LARGE', 'RATE_LIMITED', 'UNAVAILABLE', 'INTERNAL', 'CONFLICT',
    'INVALID_FACE_DATA', 'FACE_DISABLED_FOR_HOTEL', 'FACE_DISABLED_FOR_DEPARTMENT', 'FACE_NOT_RECOGNIZED',
    'FACE_CONFIDENCE_TOO_LOW', 'ALREADY_CLOCKED_IN', 'NOT_ROSTERED', 'SESSION_TOO_LONG'];
  const generic = errorMessage('NO_SUCH_CODE');
  for (const code of codes) {
    assert.ok(KNOWN_CODES.includes(code), code);
    for (const ctx of ['scan', 'pair', 'confirm', 'force', 'ack']) {
      const m = errorMessage(code, ctx);
      assert.ok(m.title && m.text && m.text !== generic.text, `${code}/${ctx}`);
      assert.doesNotMatch(`${m.title} ${m.text}`, /[A-Z]{2,}_[A-Z]/, `${code}/${ctx} shows a code`);
    }
  }
  // the server's codes really are these: a refused scan, as the kiosk sees it
  const h = await hotelWithAlice();
  const k = await h.newKiosk();
  const r = await request('POST', h.att('clock-logs/face-clock-in/'), { apiKey: k.api_key, json: { descriptor: [1] } });
  assert.equal(r.body.code, 'INVALID_FACE_DATA');
});
