// tests/browser/selfservice.test.mjs — a staff member's own page
// (/dashboard/me) in Chromium with the fake camera ("beth"): they sign in
// (the dashboard sends staff here), see their own clock logs and no one
// else's, register their own face with consent (REGISTERED, audited with
// their consent), then withdraw consent with a reason: the face data is
// gone, the audit log says REVOKED with that reason, and an edge device
// holding the profile gets it as a removal. A hotel that does not allow
// self-registration says so instead of showing the camera. Each test makes
// its own hotel.
import test from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { Hotel, ok } from './api.mjs';
import { launch } from './browser.mjs';

const FACE_TIMEOUT = 120000;

/** A hotel with a staff member who logs in (Sam Staff, department 1, a
 * last name of markup) and their logs, plus a colleague's log. */
async function staffHotel(settings = {}) {
  const h = await new Hotel({ tag: 'me', names: ['Carol Cole'] }).create(settings);
  const sid = h.base + 150;
  const user = { username: `${h.slug}-sam`, password: `pw-sam-${crypto.randomBytes(4).toString('hex')}`, staff_id: sid };
  await ok(200, 'PUT', h.path('pms-sync/'), { admin: true, json: { staff: [{
    id: sid, employee_code: `E${sid}`, first_name: 'Sam', last_name: '<b onmouseover=window.__xss=1>Staff</b>',
    department_id: h.dept[0], role: 'staff', username: user.username, password: user.password, is_active: true }] } });
  await h.importLog(sid, '2025-12-01T07:00:00Z', '2025-12-01T15:30:00Z');
  await h.importLog(sid, '2025-12-03T07:05:00Z', '2025-12-03T11:05:00Z');
  await h.importLog(h.people[0], '2025-12-02T06:00:00Z', '2025-12-02T14:00:00Z');
  return { h, sid, user };
}

/** Takes a picture and waits for the page to say how it went. */
async function takePicture(page, name = 'Take picture') {
  await page.getByRole('button', { name }).click();
  await page.waitForFunction(() => !/^Looking/.test(document.getElementById('face-progress').textContent),
    null, { timeout: FACE_TIMEOUT });
  assert.match(await page.locator('#face-progress').innerText(), /^Picture taken/);
}

async function signIn(b, user) {
  const { page } = b;
  await page.goto('/dashboard/');
  await page.waitForURL(/\/dashboard\/login\?next=/);
  await page.getByLabel('User name').fill(user.username);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => u.pathname === '/dashboard/me');
}

test('a staff member registers their own face, sees their logs and withdraws consent', async () => {
  const { h, sid, user } = await staffHotel();
  // an online camera, to see the withdrawal reach it
  const dev = await ok(201, 'POST', `/api/iot/devices?hotel=${h.slug}`, { admin: true, json: {
    device_id: 'cam-me', display_name: 'Staff door', device_category: 'camera', capability: 'face_recognition',
    location_label: 'Staff entrance', location_geo: null } });
  const { api_key: key } = await ok(200, 'POST', '/api/iot/devices/provision',
    { json: { device_id: 'cam-me', provisioning_token: dev.provisioning_token } });
  await ok(200, 'POST', '/api/iot/devices/cam-me/heartbeat', { apiKey: key, json: {} });

  const b = await launch('beth', { viewport: { width: 1024, height: 1200 } });
  try {
    await signIn(b, user);
    const { page } = b;
    assert.match(await page.title(), /^My face data and clock logs — /);
    assert.equal(await page.locator('h1 .sub').innerText(), 'Sam <b onmouseover=window.__xss=1>Staff</b>');
    assert.equal(await page.locator('#face-status').innerText(), 'None');
    assert.deepEqual(await page.locator('nav.nav a').evaluateAll((as) => as.map((a) => a.getAttribute('href'))),
      ['/dashboard/me']);

    // own logs only, newest first, in the hotel's time
    const rows = page.locator('#my-logs tbody tr');
    assert.equal(await rows.count(), 2);
    assert.match(await rows.nth(0).innerText(), /2025-12-03 07:05\s+2025-12-03 11:05\s+4 h 00 min/);
    assert.match(await rows.nth(1).innerText(), /2025-12-01 07:00\s+2025-12-01 15:30\s+8 h 30 min/);
    assert.doesNotMatch(await page.locator('#my-logs').innerText(), /2025-12-02/);
    // the date filter
    await page.getByLabel('From').fill('2025-12-02');
    await Promise.all([page.waitForURL(/from=2025-12-02/), page.getByRole('button', { name: 'Filter' }).click()]);
    assert.equal(await rows.count(), 1);
    assert.match(await rows.nth(0).innerText(), /2025-12-03 07:05/);

    // register: consent first, then one picture
    const progress = page.locator('#face-progress');
    await progress.filter({ hasText: 'Ready' }).waitFor({ timeout: FACE_TIMEOUT });
    await takePicture(page);
    assert.equal(await page.getByRole('img', { name: 'The picture taken' }).isVisible(), true);
    await page.getByRole('button', { name: 'Register this face' }).click();
    const consent = page.getByLabel(/I agree to my face data being stored/);
    assert.equal(await consent.evaluate((e) => e.validity.valueMissing), true);
    await consent.check();
    await page.getByRole('button', { name: 'Register this face' }).click();
    await page.locator('#face-result-code', { hasText: 'REGISTERED' }).waitFor({ timeout: 30000 });
    assert.match(await page.locator('#face-result-text').innerText(), /can now clock in by face/);
    assert.equal(await page.locator('#face-status').innerText(), 'Registered just now');
    const withdraw = page.locator('#withdraw');
    assert.equal(await withdraw.isVisible(), true);
    const reg = await ok(200, 'GET', h.att(`clock-logs/face-audit-logs/?staff_id=${sid}`), { token: await h.login() });
    assert.deepEqual(reg.map((a) => [a.action, a.performed_by, a.consent_given]), [['REGISTERED', sid, true]]);

    // the manager deploys the profile to the camera
    await ok(200, 'POST', '/api/iot/enrollments/push', { token: await h.login(),
      json: { employee_id: `E${sid}`, target_devices: ['cam-me'], push_mode: 'selected' } });
    const before = await ok(200, 'GET', '/api/iot/enrollments/sync?device_id=cam-me&since_version=0', { apiKey: key });
    assert.deepEqual(before.additions.map((a) => a.user_id), [`E${sid}`]);

    // withdraw: a reason is required, then the page says it is done
    const reason = withdraw.getByLabel('Reason');
    await reason.fill('');
    await withdraw.getByRole('button', { name: /Withdraw consent/ }).click();
    assert.equal(await reason.evaluate((e) => e.validity.valueMissing), true);
    await reason.fill('I changed my mind');
    await Promise.all([
      page.waitForURL(/\/dashboard\/me\?done=withdrawn$/),
      withdraw.getByRole('button', { name: /Withdraw consent/ }).click(),
    ]);
    await page.locator('#me-notice', { hasText: 'Your consent is withdrawn' }).waitFor();
    assert.equal(await page.locator('#face-status').innerText(), 'None');
    assert.equal(await page.locator('#withdraw').isVisible(), false);
    const revoked = await ok(200, 'GET', h.att(`clock-logs/face-audit-logs/?staff_id=${sid}&action=REVOKED`),
      { token: await h.login() });
    assert.equal(revoked.length, 1);
    assert.equal(revoked[0].reason, 'I changed my mind');
    assert.equal(revoked[0].performed_by, sid);
    const after = await ok(200, 'GET', `/api/iot/enrollments/sync?device_id=cam-me&since_version=${before.sync_version}`,
      { apiKey: key });
    assert.deepEqual(after.removals, [`E${sid}`]);

    assert.equal(await page.evaluate(() => window.__xss), undefined);
    assert.deepEqual(b.errors, []);
    assert.deepEqual(b.foreign(), []);
  } finally {
    await b.close();
  }
});

test('a hotel without self-registration says so instead of showing the camera', async () => {
  const { user } = await staffHotel({ allow_face_self_registration: false });
  const b = await launch(null, { viewport: { width: 768, height: 1024 } });   // a tablet
  try {
    await signIn(b, user);
    const { page } = b;
    assert.equal(await page.locator('#self-refusal').innerText(),
      'This hotel does not allow staff to register their own face. Ask your manager to register your face for you.');
    assert.equal(await page.locator('#face-form').count(), 0);
    assert.equal(await page.locator('video').count(), 0);
    assert.equal(await page.locator('#my-logs tbody tr').count(), 2);
    assert.deepEqual(b.errors, []);
    assert.deepEqual(b.foreign(), []);
  } finally {
    await b.close();
  }
});
