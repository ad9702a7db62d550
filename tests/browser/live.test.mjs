// tests/browser/live.test.mjs — the pages live (issue 13): a scan at a
// kiosk (its API, with the kiosk's key) shows on an open board without a
// reload, through the hotel's live events (nchan, EventSource); the board
// catches up after the browser went offline and came back, with the scans
// made meanwhile; and by the event path after its stream is cut: nchan
// drops the hotel's channel (its buffer gone, as an nginx reload may) and
// the stream comes back empty, so the scans' own events come from the
// outbox's catch-up route and are applied (window.faceclockLive.applied),
// no reload; the approvals page shows a new unrostered log by itself, and
// its time out once it is closed (clock.out: a scan, or the scheduler's
// auto-close that puts it in the queue).
// Prints the scan→board latency, p50 and p99 (no assertion on it: speed is
// for the bench).
import test from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import { Hotel, ok } from './api.mjs';
import { launch } from './browser.mjs';
import { FC_VAR } from './env.mjs';

const NAMES = Array.from({ length: 14 }, (_, i) => `Live${String.fromCharCode(65 + i)} Person`);

function descriptor() {
  return Array.from({ length: 128 }, () => (crypto.randomInt(2000) - 1000) / 4000);
}

async function signIn(b, h, path) {
  const { page } = b;
  await page.goto(path);
  await page.waitForURL(/\/dashboard\/login\?next=/);
  await page.getByLabel('User name').fill(h.manager.username);
  await page.getByLabel('Password').fill(h.manager.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => u.pathname === path);
}

/** Each person registered (their own face) and on a shift now. */
async function rostered(h, sids) {
  const faces = {};
  for (const sid of sids) {
    faces[sid] = descriptor();
    await h.register(sid, faces[sid]);
    await h.shiftNow(sid);
  }
  return faces;
}

async function scan(h, kiosk, desc, status = 201) {
  return ok(status, 'POST', h.att('clock-logs/face-clock-in/'), { apiKey: kiosk.api_key, json: { descriptor: desc } });
}

/** Resolves once the page's live events stream is answered 200 (nchan has
 * authorised it and holds the subscription). */
function streamOpen(page) {
  return page.waitForResponse((r) => r.url().includes('/api/events/hotel/') && r.status() === 200,
    { timeout: 30000 });
}

/** nchan deletes the hotel's channel (its publisher endpoint, the unix
 * socket the publisher service posts to): its subscribers' streams end
 * and its message buffer is gone. */
function dropChannel(slug) {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: path.join(FC_VAR, 'nchan.sock'), method: 'DELETE',
      path: `/pub/hotel/${slug}`, headers: { Host: 'localhost' } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode < 300 ? resolve() : reject(new Error(`nchan DELETE: ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};

test('scans show on an open board live, and it catches up after its stream is cut', async () => {
  const h = await new Hotel({ tag: 'live', names: NAMES }).create({ duplicate_scan_seconds: 0 });
  const kiosk = await h.newKiosk('Live kiosk');
  const faces = await rostered(h, h.people);
  const b = await launch(null, { camera: false });
  try {
    const { page } = b;
    const subscribed = streamOpen(page);
    await signIn(b, h, '/dashboard/');
    const board = page.locator('#board');
    await subscribed;

    // no reload, no polling: each scan appears by its event
    const latencies = [];
    const live = h.people.slice(0, 10);
    for (const sid of live) {
      const t0 = performance.now();
      await scan(h, kiosk, faces[sid]);
      await board.getByRole('rowheader', { name: h.names[sid] }).waitFor({ timeout: 10000 });
      latencies.push(performance.now() - t0);
    }
    assert.equal(await page.locator('[data-count="clocked_in"]').innerText(), String(live.length));
    console.log(`scan→board latency over ${latencies.length} scans: p50 ${pct(latencies, 50).toFixed(0)} ms, `
      + `p99 ${pct(latencies, 99).toFixed(0)} ms`);

    // the stream cut: scans meanwhile; restored: they show without a reload
    await b.context.setOffline(true);
    const missed = h.people.slice(10, 13);
    for (const sid of missed) await scan(h, kiosk, faces[sid]);
    await scan(h, kiosk, faces[live[0]], 200);                   // live[0] clocks out
    await new Promise((r) => setTimeout(r, 1000));
    for (const sid of missed) {
      assert.equal(await board.getByRole('rowheader', { name: h.names[sid] }).count(), 0, 'shown while offline');
    }
    await b.context.setOffline(false);
    for (const sid of missed) {
      await board.getByRole('rowheader', { name: h.names[sid] }).waitFor({ timeout: 20000 });
    }
    await board.getByRole('rowheader', { name: h.names[live[0]] }).waitFor({ state: 'detached', timeout: 20000 });
    assert.equal(await page.locator('[data-count="clocked_in"]').innerText(), String(live.length + missed.length - 1));
    assert.equal(b.errors.filter((e) => !/ERR_INTERNET_DISCONNECTED|net::ERR/.test(e)).length, 0, b.errors.join('\n'));
  } finally {
    await b.close();
  }
});

test('the board catches up after its event stream is cut and restored', async () => {
  const h = await new Hotel({ tag: 'live-cut', names: ['Cato First', 'Cleo Second', 'Cyra Third', 'Cole Fourth'] })
    .create({ duplicate_scan_seconds: 0 });
  const kiosk = await h.newKiosk('Cut kiosk');
  const faces = await rostered(h, h.people);
  const [first, ...missed] = h.people;
  const b = await launch(null, { camera: false });
  try {
    const { page, context } = b;
    const subscribed = streamOpen(page);
    await signIn(b, h, '/dashboard/');
    const board = page.locator('#board');
    await subscribed;
    const applied = () => page.evaluate(() => window.faceclockLive.applied.slice());

    // a live scan comes by the stream
    const one = await scan(h, kiosk, faces[first]);
    await board.getByRole('rowheader', { name: h.names[first] }).waitFor({ timeout: 10000 });
    const before = await ok(200, 'GET', h.path('events/?after=0'), { token: await h.login() });
    const firstEv = before.events.find((e) => e.type === 'clock.in' && e.data.log_id === one.log.id);
    assert.ok(firstEv, 'the live scan has its clock.in in the outbox');
    assert.deepEqual((await applied()).filter((a) => a.id === firstEv.id).map((a) => a.via), ['stream']);
    const headBefore = before.next;

    // the stream cut: nchan drops the channel (its buffer gone, as an
    // nginx reload may) and the page's reconnections fail; the scans meanwhile
    await page.evaluate(() => { window.notReloaded = true; });
    let up = false;
    let reopened = 0;
    let refused = 0;
    await page.route('**/api/events/hotel/**', (route) => {
      if (!up) {
        refused++;
        return route.abort('connectionfailed');
      }
      reopened++;
      return route.fulfill({ status: 200, headers: { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' },
        body: 'retry: 600000\n: restored, its buffer lost\n\n' });
    });
    await dropChannel(h.slug);
    const deadline = Date.now() + 20000;
    while (refused === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.ok(refused > 0, 'the page did not notice its stream cut');
    const logs = [];
    for (const sid of missed) logs.push((await scan(h, kiosk, faces[sid])).log.id);
    await scan(h, kiosk, faces[first], 200);                          // first clocks out
    await new Promise((r) => setTimeout(r, 500));
    for (const sid of missed) {
      assert.equal(await board.getByRole('rowheader', { name: h.names[sid] }).count(), 0, 'shown while cut');
    }

    // restored, empty: the scans come by the catch-up from the outbox
    const caughtUp = page.waitForResponse((r) => r.url().includes(`/api/staff/hotel/${h.slug}/events/?after=`)
      && r.status() === 200, { timeout: 30000 });
    up = true;
    await caughtUp;
    for (const sid of missed) {
      await board.getByRole('rowheader', { name: h.names[sid] }).waitFor({ timeout: 20000 });
    }
    await board.getByRole('rowheader', { name: h.names[first] }).waitFor({ state: 'detached', timeout: 20000 });
    assert.equal(await page.locator('[data-count="clocked_in"]').innerText(), String(missed.length));

    // the scans' events, by id, were applied from the catch-up, no reload
    const after = await ok(200, 'GET', h.path(`events/?after=${headBefore}`), { token: await h.login() });
    const want = after.events.filter((e) => (e.type === 'clock.in' && logs.includes(e.data.log_id))
      || (e.type === 'clock.out' && e.data.log_id === one.log.id)).map((e) => e.id);
    assert.equal(want.length, missed.length + 1, JSON.stringify(after.events.map((e) => [e.id, e.type])));
    const got = await applied();
    for (const id of want) {
      assert.deepEqual(got.filter((a) => a.id === id).map((a) => a.via), ['catchup'], `event ${id}: ${JSON.stringify(got)}`);
    }
    assert.equal(await page.evaluate(() => window.notReloaded), true, 'the page was reloaded');
    assert.ok(reopened >= 1, 'the stream was not reopened');
    assert.equal(b.errors.filter((e) => !/net::ERR/.test(e)).length, 0, b.errors.join('\n'));
  } finally {
    await b.close();
  }
});

test('the approvals page shows a new unrostered clock-in by itself, and its clock-out', async () => {
  const h = await new Hotel({ tag: 'live-appr', names: ['Una Unrostered'] }).create({ duplicate_scan_seconds: 0 });
  const kiosk = await h.newKiosk('Appr kiosk');
  const [una] = h.people;
  const face = descriptor();
  await h.register(una, face);
  const b = await launch(null, { camera: false });
  try {
    const { page } = b;
    const subscribed = streamOpen(page);
    await signIn(b, h, '/dashboard/approvals');
    await subscribed;
    assert.equal(await page.getByRole('rowheader', { name: 'Una Unrostered' }).count(), 0);
    const detected = await scan(h, kiosk, face, 200);
    assert.equal(detected.action, 'unrostered_detected');
    const confirmed = await ok(201, 'POST', h.att('clock-logs/unrostered-confirm/'), { apiKey: kiosk.api_key,
      json: { confirmation_token: detected.confirmation_token } });
    await page.getByRole('rowheader', { name: 'Una Unrostered' }).waitFor({ timeout: 10000 });
    // closed (a clock-out, as the scheduler's auto-close is): its row shows the time out by itself
    const row = page.locator(`#log-${confirmed.log.id}`);
    assert.match(await row.innerText(), /still in/);
    assert.equal((await scan(h, kiosk, face, 200)).action, 'CLOCK_OUT');
    await row.locator('time').nth(1).waitFor({ timeout: 10000 });
    assert.doesNotMatch(await row.innerText(), /still in/);
  } finally {
    await b.close();
  }
});
