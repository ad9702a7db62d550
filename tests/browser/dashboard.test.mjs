// tests/browser/dashboard.test.mjs — the manager's dashboard in Chromium:
// signing in (sent to the login page, back to the board), the board
// refreshing itself and a screenshot of it (var/screenshots/
// dashboard-board.png), approving a forced log, revoking a face with a
// reason, exporting the face audit log as CSV (the downloaded file is
// read), changing a setting with a validation error shown by its field
// then saving it, a kiosk's key shown once, and an alert acknowledged on
// the alerts page. A staff member's name is
// markup that must never run. Each test makes its own hotel.
import test from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { Hotel, ok, request } from './api.mjs';
import { launch, screenshot } from './browser.mjs';

const XSS_NAME = '<img/src=x/onerror=window.__xss=1> Xavier';

function descriptor() {
  return Array.from({ length: 128 }, () => (crypto.randomInt(2000) - 1000) / 4000);
}

const isoAgo = (s) => new Date(Date.now() - s * 1000).toISOString().replace(/\.\d+Z$/, 'Z');

async function hotel() {
  return new Hotel({ tag: 'dash', names: ['Alice Able', 'Bob Baker', XSS_NAME] }).create();
}

/** Signs the manager in through the login page, starting from `path`. */
async function signIn(b, h, path = '/dashboard/') {
  const { page } = b;
  await page.goto(path);
  await page.waitForURL(/\/dashboard\/login\?next=/);
  await page.getByLabel('User name').fill(h.manager.username);
  await page.getByLabel('Password').fill(h.manager.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => u.pathname === path);
}

/** Nothing from the PMS ran, no error on the console (but the answers a
 * test expects, e.g. a 400 for a refused setting), nothing left the stack. */
async function noScriptRan(b, expected = []) {
  assert.equal(await b.page.evaluate(() => window.__xss), undefined, 'markup from the PMS ran');
  const unexpected = b.errors.filter((e) => !expected.some((s) => e.includes(`status of ${s} `)));
  assert.deepEqual(unexpected, []);
  assert.deepEqual(b.foreign(), []);
}

test('a manager signs in and sees the board refresh itself', async () => {
  const h = await hotel();
  const [alice, bob, xavier] = h.people;
  await h.importLog(alice, isoAgo(7 * 3600));                 // past the 6 h break warning
  await h.importLog(xavier, isoAgo(25 * 60));
  await h.importLog(bob, isoAgo(30 * 3600), isoAgo(17 * 3600)); // a long closed session: overtime
  const b = await launch(null, { viewport: { width: 1280, height: 900 } });
  try {
    await b.page.clock.install();
    await signIn(b, h);
    const { page } = b;
    assert.match(await page.title(), /^Board — /);
    const board = page.locator('#board');
    await assert.doesNotReject(board.getByRole('rowheader', { name: 'Alice Able' }).waitFor());
    const aliceRow = board.locator('tr', { has: page.getByRole('rowheader', { name: 'Alice Able' }) });
    assert.match(await aliceRow.innerText(), /Break due \(6 h\)/);
    assert.equal(await board.getByRole('rowheader', { name: XSS_NAME }).count(), 1);
    assert.equal(await page.locator('[data-count="clocked_in"]').innerText(), '2');
    // the chart, drawn by the server
    const chart = page.getByRole('img', { name: /Hours worked this week/ });
    assert.equal(await chart.count(), 1);
    assert.equal(await page.locator('svg.chart g.chart-row').count(), 2);
    await noScriptRan(b);
    await screenshot(page, 'dashboard-board');

    // Bob clocks in somewhere else; within 30 s the board shows him
    await h.importLog(bob, isoAgo(60));
    await page.clock.fastForward(31000);
    await board.getByRole('rowheader', { name: 'Bob Baker' }).waitFor({ timeout: 10000 });
    assert.equal(await page.locator('[data-count="clocked_in"]').innerText(), '3');
    assert.match(await page.locator('#board-updated').innerText(), /^Updated /);
    assert.equal(await board.getByRole('rowheader', { name: XSS_NAME }).count(), 1);
    await noScriptRan(b);
  } finally {
    await b.close();
  }
});

test('a manager approves a forced log', async () => {
  const h = await hotel();
  const [alice] = h.people;
  const forced = await ok(201, 'POST', h.att('clock-logs/force-log/'),
    { token: await h.login(), json: { staff_id: alice, reason: 'Covering a sick colleague' } });
  const b = await launch(null);
  try {
    await signIn(b, h, '/dashboard/approvals');
    const { page } = b;
    const row = page.locator(`#log-${forced.log.id}`);
    assert.match(await row.innerText(), /Covering a sick colleague/);
    await row.getByLabel('Note').fill('Agreed by phone');
    await Promise.all([
      page.waitForEvent('load'),
      row.getByRole('button', { name: 'Approve' }).click(),
    ]);
    await page.getByText('Nothing is waiting for approval.').waitFor();
    const logs = await h.logs(alice);
    const log = logs.find((l) => l.id === forced.log.id);
    assert.equal(log.is_approved, true);
    assert.equal(await page.locator(`#log-${forced.log.id}`).count(), 0);
    await noScriptRan(b);
  } finally {
    await b.close();
  }
});

test('a manager revokes a face with a reason', async () => {
  const h = await hotel();
  const [, bob] = h.people;
  await h.register(bob, descriptor());
  const b = await launch(null);
  try {
    await signIn(b, h, '/dashboard/staff');
    const { page } = b;
    const row = page.locator(`#staff-${bob}`);
    assert.match(await row.innerText(), /Registered/);
    assert.equal(await row.getByRole('link', { name: /Register face/ }).getAttribute('href'),
      `/dashboard/staff/${bob}/register`);
    await row.getByText('Revoke face').click();
    // the reason is required: the browser will not send the form without it
    await row.getByRole('button', { name: 'Revoke' }).click();
    assert.equal(await row.getByLabel('Reason (required)').evaluate((e) => e.validity.valueMissing), true);
    await row.getByLabel('Reason (required)').fill('Left the hotel');
    await Promise.all([
      page.waitForEvent('load'),
      row.getByRole('button', { name: 'Revoke' }).click(),
    ]);
    await page.locator(`#staff-${bob}`).getByText('None').waitFor();
    const audit = await h.audit(bob, 'REVOKED');
    assert.equal(audit.length, 1);
    assert.equal(audit[0].reason, 'Left the hotel');
    assert.equal(audit[0].performed_by, h.manager.staff_id);
    await noScriptRan(b);
  } finally {
    await b.close();
  }
});

test('a manager exports the face audit log as CSV', async () => {
  const h = await hotel();
  const [alice, bob, xavier] = h.people;
  await h.register(alice, descriptor());
  await h.register(xavier, descriptor());
  await h.register(bob, descriptor());
  await ok(200, 'DELETE', h.att(`clock-logs/revoke-face/${bob}/`), { token: await h.login(), json: { reason: 'Asked, "please"' } });
  const b = await launch(null);
  try {
    await signIn(b, h, '/dashboard/audit');
    const { page } = b;
    // filter to the registrations, then export what the filter shows
    await page.getByLabel('Action').selectOption('REGISTERED');
    await Promise.all([page.waitForURL(/action=REGISTERED/), page.getByRole('button', { name: 'Filter' }).click()]);
    assert.equal(await page.locator('table.audit tbody tr').count(), 3);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: /Export CSV/ }).click(),
    ]);
    assert.equal(download.suggestedFilename(), `face-audit-${h.slug}.csv`);
    const csv = fs.readFileSync(await download.path(), 'utf8');
    const lines = csv.trimEnd().split('\r\n');
    assert.equal(lines[0], 'id,hotel,staff,staff_name,action,performed_by,performed_by_name,reason,'
      + 'consent_given,client_ip,user_agent,created_at');
    assert.equal(lines.length, 4, csv);
    for (const l of lines.slice(1)) assert.match(l, /,REGISTERED,/);
    assert.ok(lines.some((l) => l.includes(`,${alice},Alice Able,`)));
    assert.ok(lines.some((l) => l.includes('"<img/src=x/onerror=window.__xss=1> Xavier"')
      || l.includes('<img/src=x/onerror=window.__xss=1> Xavier')));
    // without the filter: the revocation and its quoted reason too
    await page.goto('/dashboard/audit');
    const [all] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: /Export CSV/ }).click(),
    ]);
    const full = fs.readFileSync(await all.path(), 'utf8').trimEnd().split('\r\n');
    assert.equal(full.length, 5);
    assert.ok(full.some((l) => l.includes(',REVOKED,') && l.includes('"Asked, ""please"""')));
    await noScriptRan(b);
  } finally {
    await b.close();
  }
});

test('a manager changes a setting: a validation error is shown by its field, then it saves', async () => {
  const h = await hotel();
  const b = await launch(null, { viewport: { width: 800, height: 1100 } });
  try {
    await signIn(b, h, '/dashboard/settings');
    const { page } = b;
    const field = page.getByLabel('Break warning after (hours)');
    await field.fill('11');                                  // past the 10 h overtime warning
    await page.getByRole('button', { name: 'Save settings' }).click();
    const error = page.locator('#err-break_warning_hours');
    await error.waitFor({ state: 'visible' });
    assert.match(await error.innerText(), /break_warning_hours must be less than overtime_warning_hours/);
    assert.equal(await field.getAttribute('aria-invalid'), 'true');
    assert.equal(await field.evaluate((e) => e === document.activeElement), true);
    assert.equal(await page.locator('#settings-saved').isVisible(), false);
    await screenshot(page, 'dashboard-settings-error');
    let s = await ok(200, 'GET', h.att('settings/'), { token: await h.login() });
    assert.equal(s.break_warning_hours, 6);

    await field.fill('5.5');
    await page.getByLabel('Housekeeping').check();
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.locator('#settings-saved').waitFor({ state: 'visible' });
    assert.equal(await error.isVisible(), false);
    assert.equal(await field.getAttribute('aria-invalid'), null);
    s = await ok(200, 'GET', h.att('settings/'), { token: await h.login() });
    assert.equal(s.break_warning_hours, 5.5);
    assert.deepEqual(s.face_attendance_departments, [h.dept[1]]);
    await noScriptRan(b, [400]);
  } finally {
    await b.close();
  }
});

test('a manager turns on the auto-close of forgotten sessions (a bad number is shown by its field, then it saves) and lets devices sign in with a certificate', async () => {
  const h = await hotel();
  const b = await launch(null, { viewport: { width: 800, height: 1300 } });
  try {
    await signIn(b, h, '/dashboard/settings');
    const { page } = b;
    const mode = page.getByLabel('Close a forgotten session');
    const hours = page.getByLabel('With shift_end: hours after the rostered end');
    assert.equal(await mode.inputValue(), 'off');
    await mode.selectOption('shift_end');
    await hours.fill('25');                                  // past the 24 h bound
    await page.getByRole('button', { name: 'Save settings' }).click();
    const error = page.locator('#err-auto_close_after_hours');
    await error.waitFor({ state: 'visible' });
    assert.match(await error.innerText(), /auto_close_after_hours/);
    assert.equal(await hours.getAttribute('aria-invalid'), 'true');
    let s = await ok(200, 'GET', h.att('settings/'), { token: await h.login() });
    assert.equal(s.auto_close, 'off');

    await hours.fill('1.5');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.locator('#settings-saved').waitFor({ state: 'visible' });
    assert.equal(await error.isVisible(), false);
    s = await ok(200, 'GET', h.att('settings/'), { token: await h.login() });
    assert.equal(s.auto_close, 'shift_end');
    assert.equal(s.auto_close_after_hours, 1.5);
    await page.reload();
    assert.equal(await page.getByLabel('Close a forgotten session').inputValue(), 'shift_end');

    // the devices' credential (docs/iot.md "Which credential a hotel accepts")
    const auth = page.getByLabel('Devices sign in with');
    assert.equal(await auth.inputValue(), 'key');
    await auth.selectOption('key_or_cert');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.locator('#settings-saved').waitFor({ state: 'visible' });
    s = await ok(200, 'GET', h.att('settings/'), { token: await h.login() });
    assert.equal(s.device_auth, 'key_or_cert');
    assert.equal(s.auto_close, 'shift_end');
    await noScriptRan(b, [400]);
  } finally {
    await b.close();
  }
});

test('a kiosk key is shown once, and the kiosk can be revoked', async () => {
  const h = await hotel();
  const b = await launch(null, { viewport: { width: 600, height: 900 } });   // a tablet, upright
  try {
    await signIn(b, h, '/dashboard/kiosks');
    const { page } = b;
    await page.getByLabel('Name').fill('Staff entrance');
    await page.getByRole('button', { name: 'Create kiosk' }).click();
    const shown = page.locator('#new-kiosk-key');
    await shown.waitFor({ state: 'visible' });
    const key = await shown.locator('code.key').innerText();
    assert.match(key, /^kio_\d+_[0-9a-f]{64}$/);
    const r = await request('GET', h.att('settings/'), { apiKey: key });
    assert.equal(r.status, 403);                              // a kiosk key, valid, not a reader
    await page.getByRole('link', { name: 'Done' }).click();
    await page.waitForURL('**/dashboard/kiosks');
    assert.equal(await page.locator('code.key').innerText(), '');
    const row = page.locator('tr', { hasText: 'Staff entrance' });
    await Promise.all([page.waitForEvent('load'), row.getByRole('button', { name: /Revoke/ }).click()]);
    await page.locator('tr', { hasText: 'Staff entrance' }).getByText('revoked').waitFor();
    const after = await request('GET', h.att('settings/'), { apiKey: key });
    assert.equal(after.status, 401);
    await noScriptRan(b);
  } finally {
    await b.close();
  }
});

test('an alert appears on the alerts page and is acknowledged there', async () => {
  const h = await hotel();
  const [alice] = h.people;
  await h.register(alice, descriptor());
  // a revocation raises the face_revoked alert in its own transaction
  await ok(200, 'DELETE', h.att(`clock-logs/revoke-face/${alice}/`),
    { token: await h.login(), json: { reason: 'Left the hotel' } });
  const [alert] = await ok(200, 'GET', h.path('alerts/?rule=face_revoked'), { token: await h.login() });
  assert.equal(alert.state, 'open');
  const b = await launch(null);
  try {
    await signIn(b, h, '/dashboard/alerts');
    const { page } = b;
    assert.match(await page.title(), /^Alerts — /);
    const row = page.locator(`#alert-${alert.id}`);
    assert.match(await row.innerText(), new RegExp(`face_revoked[\\s\\S]*staff:${alice}[\\s\\S]*open`));
    assert.match(await row.innerText(), /Left the hotel/);
    await Promise.all([
      page.waitForEvent('load'),
      row.getByRole('button', { name: `Acknowledge alert ${alert.id}` }).click(),
    ]);
    const after = page.locator(`#alert-${alert.id}`);
    assert.equal(await after.locator('[data-state]').innerText(), 'acknowledged');
    assert.match(await after.innerText(), new RegExp(`by user:${h.manager.username}`));
    assert.equal(await after.getByRole('button', { name: /Acknowledge/ }).count(), 0);
    const [again] = await ok(200, 'GET', h.path('alerts/?rule=face_revoked'), { token: await h.login() });
    assert.equal(again.state, 'acknowledged');
    assert.equal(again.acknowledged_by, `user:${h.manager.username}`);
    await noScriptRan(b);
  } finally {
    await b.close();
  }
});
