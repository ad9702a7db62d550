// tests/browser/enroll.test.mjs — the enrollment page (/enroll/) and the
// manager's face registration page (/dashboard/staff/{id}/register) in
// Chromium with the fake camera (camera.mjs, "alice"):
//   - seed 000's flow through to the edge devices: the manager signs in at
//     /enroll/, picks the employee, gives consent, captures the five poses
//     (the same photo for each: the consistency check passes), submits,
//     sees the thumbnail, then "Deploy to Edge Devices" as the seed draws
//     it — two online cameras selected, an offline one and one still
//     provisioning not selectable, "Select All Online Devices (2)" —,
//     deploys and sees the result per device; the devices' sync then holds
//     the profile (var/screenshots/enroll-deploy.png);
//   - a manager registers a staff member's face (REGISTERED, then
//     RE_REGISTERED), consent required by the browser, and a department the
//     hotel's rules exclude refused with the API's plain message.
// A PMS name made of markup must never run. Each test makes its own hotel.
import test from 'node:test';
import assert from 'node:assert/strict';
import { Hotel, ok, request } from './api.mjs';
import { launch, screenshot } from './browser.mjs';

const XSS_NAME = '<img/src=x/onerror=window.__xss=1> Xavier';
const FACE_TIMEOUT = 120000;     // face-api on a CPU: loading and each scan take seconds

async function signIn(b, user, path) {
  const { page } = b;
  await page.goto(path);
  await page.waitForURL(/\/dashboard\/login\?next=/);
  await page.getByLabel('User name').fill(user.username);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => u.pathname === path.split('?')[0]);
}

async function noScriptRan(b) {
  assert.equal(await b.page.evaluate(() => window.__xss), undefined, 'markup from the PMS ran');
  assert.deepEqual(b.errors, []);
  assert.deepEqual(b.foreign(), []);
}

/** An edge device of the hotel, by the system administrator: 'provisioning'
 * (registered only), 'offline' (provisioned, never seen) or 'online'
 * (provisioned, heartbeat now). Returns {device_id, key}. */
async function device(h, deviceId, displayName, location, state) {
  const created = await ok(201, 'POST', `/api/iot/devices?hotel=${h.slug}`, { admin: true, json: {
    device_id: deviceId, display_name: displayName, device_category: 'camera',
    capability: 'face_recognition', location_label: location, location_geo: null } });
  if (state === 'provisioning') return { device_id: deviceId };
  const { api_key: key } = await ok(200, 'POST', '/api/iot/devices/provision',
    { json: { device_id: deviceId, provisioning_token: created.provisioning_token } });
  if (state === 'online') await ok(200, 'POST', `/api/iot/devices/${deviceId}/heartbeat`, { apiKey: key, json: {} });
  return { device_id: deviceId, key };
}

test('a manager enrolls five poses and deploys the profile to the online cameras', async () => {
  const h = await new Hotel({ tag: 'enr', names: ['Alice Able', 'Bob Baker', XSS_NAME] }).create();
  const [alice] = h.people;
  const code = `E${alice}`;
  const lobby = await device(h, 'cam-001', 'Lobby Entrance Camera', 'Main entrance outside', 'online');
  const breakRoom = await device(h, 'cam-002', 'Break Room Camera', 'Building A - Floor 2', 'online');
  await device(h, 'cam-003', 'Parking Garage Entry', 'Parking Structure B', 'offline');
  await device(h, 'dev-001', 'New Kiosk', 'Reception Desk', 'provisioning');

  const b = await launch('alice', { viewport: { width: 1280, height: 1500 } });
  try {
    await signIn(b, h.manager, '/enroll/');
    const { page } = b;
    assert.match(await page.title(), /^Face enrollment — /);
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Face enrollment');

    // 1. employee and consent
    await page.getByLabel('Employee', { exact: true }).selectOption(code);
    await page.getByText('Alice Able is not enrolled.').waitFor();
    const start = page.getByRole('button', { name: 'Start capture' });
    await start.click();     // consent is required by this hotel: the browser keeps the form
    const consent = page.getByLabel(/gives consent/);
    assert.equal(await consent.evaluate((e) => e.validity.valueMissing), true);
    assert.equal(await page.locator('#step-capture').isVisible(), false);
    await consent.check();
    await start.click();

    // 2. five poses, guided
    const hint = page.locator('#pose-hint');
    await page.waitForFunction(() => /^Pose 1 of 5/.test(document.getElementById('pose-hint').textContent),
      null, { timeout: FACE_TIMEOUT });
    assert.match(await hint.innerText(), /Front: Look straight at the camera\./);
    for (const [i, pose] of ['front', 'left', 'right', 'up', 'down'].entries()) {
      const item = page.locator(`#poses li[data-pose="${pose}"]`);
      assert.equal(await item.getAttribute('aria-current'), 'step');
      await page.locator('#capture-pose').click();
      await item.locator('.pose-state', { hasText: 'captured' }).waitFor({ timeout: FACE_TIMEOUT });
      assert.match(await item.locator('img.pose-shot').getAttribute('src'), /^data:image\/jpeg;base64,/);
      if (i < 4) assert.match(await hint.innerText(), new RegExp(`^Pose ${i + 2} of 5`));
    }
    assert.match(await hint.innerText(), /All five poses are captured/);
    // a retake of one pose, then on
    await page.locator('#poses li[data-pose="up"]').getByRole('button', { name: /Retake/ }).click();
    assert.equal(await page.locator('#submit-capture').isDisabled(), true);
    assert.match(await hint.innerText(), /^Pose 4 of 5 — Up/);
    await page.locator('#capture-pose').click();
    await page.locator('#poses li[data-pose="up"] .pose-state', { hasText: 'captured' }).waitFor({ timeout: FACE_TIMEOUT });

    // 3. submit: the thumbnail
    const [capture] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/enrollment/capture')),
      page.getByRole('button', { name: 'Submit enrollment' }).click(),
    ]);
    assert.equal(capture.status(), 201);
    const thumb = page.locator('#thumbnail');
    await thumb.waitFor({ state: 'visible' });
    assert.match(await thumb.getAttribute('src'), /^data:image\/jpeg;base64,/);
    assert.equal(await thumb.evaluate((i) => [i.naturalWidth, i.naturalHeight].join('x')), '128x128');
    assert.equal(await thumb.getAttribute('alt'), 'Enrollment picture of Alice Able');
    assert.match(await page.locator('#result-summary').innerText(), /Enrollment complete: Alice Able/);
    assert.match(await page.locator('#result-status').innerText(), /not deployed/);
    assert.equal(await page.locator('video#camera').evaluate((v) => v.srcObject), null);   // camera off

    // 4. Deploy to Edge Devices, as the seed draws it
    const deploy = page.locator('#step-deploy');
    await deploy.getByRole('heading', { name: 'Deploy to Edge Devices' }).waitFor();
    await page.locator('#devices-status', { hasText: '4 devices' }).waitFor();
    assert.equal(await deploy.locator('legend').innerText(), 'Select devices to receive this facial profile:');
    const box = (id) => deploy.locator(`#device-list input[value="${id}"]`);
    const row = (id) => deploy.locator('#device-list li', { has: page.locator(`input[value="${id}"]`) });
    for (const id of ['cam-001', 'cam-002']) {
      assert.equal(await box(id).isChecked(), true, id);
      assert.equal(await box(id).isEnabled(), true, id);
    }
    for (const id of ['cam-003', 'dev-001']) {
      assert.equal(await box(id).isChecked(), false, id);
      assert.equal(await box(id).isDisabled(), true, id);
    }
    const flat = async (l) => (await l.innerText()).replace(/\s+/g, ' ').trim();
    assert.equal(await flat(row('cam-001')), 'Lobby Entrance Camera [cam-001] Location: Main entrance outside');
    assert.equal(await flat(row('cam-003')), 'Parking Garage Entry (Offline) [cam-003] Location: Parking Structure B');
    assert.equal(await flat(row('dev-001')), 'New Kiosk (Provisioning) [dev-001] Location: Reception Desk');
    assert.equal(await row('cam-003').locator('.dot-offline').count(), 1);
    assert.equal(await row('dev-001').locator('.dot-provisioning').count(), 1);
    assert.equal(await row('cam-001').locator('.dot-online').count(), 1);
    // the accessible name of a row's box says which device
    assert.equal(await deploy.getByRole('checkbox', { name: /Break Room Camera/ }).count(), 1);
    const all = deploy.getByLabel('Select All Online Devices (2)');
    const submit = deploy.getByRole('button', { name: /^Deploy to Selected/ });
    assert.equal(await all.isChecked(), true);
    assert.equal(await submit.innerText(), 'Deploy to Selected (2)');
    await all.uncheck();
    assert.equal(await submit.innerText(), 'Deploy to Selected (0)');
    assert.equal(await submit.isDisabled(), true);
    await box('cam-002').check();
    assert.equal(await all.evaluate((e) => e.indeterminate), true);
    await all.check();
    assert.equal(await submit.innerText(), 'Deploy to Selected (2)');
    assert.match(await page.locator('#device-legend').innerText(), /online.*offline.*provisioning/);

    const [push] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/iot/enrollments/push')),
      submit.click(),
    ]);
    assert.equal(push.status(), 200);
    assert.deepEqual(JSON.parse(push.request().postData()),
      { employee_id: code, target_devices: ['cam-001', 'cam-002'], push_mode: 'selected' });
    const results = page.locator('#deploy-results');
    await results.waitFor({ state: 'visible' });
    assert.match(await page.locator('#deploy-message').innerText(),
      /^Profile pushed to 2 devices\. 2 of 2 updated, 0 failed\. Alice Able is now enrolled and deployed/);
    const items = results.locator('#result-list li');
    assert.equal(await items.count(), 2);
    for (const id of ['cam-001', 'cam-002']) {
      const item = results.locator(`#result-list li[data-device="${id}"]`);
      assert.match(await item.innerText(), new RegExp(`\\[${id}\\][\\s\\S]*Deployed \\(sync version \\d+\\)`));
      assert.equal(await item.getAttribute('class'), 'result result-ok');
    }
    assert.match(await page.locator('#result-status').innerText(), /enrolled and deployed/);
    await noScriptRan(b);
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, 'enroll-deploy');

    // the devices' sync now holds the profile; the enrollment says where
    for (const d of [lobby, breakRoom]) {
      const sync = await ok(200, 'GET', `/api/iot/enrollments/sync?device_id=${d.device_id}&since_version=0`,
        { apiKey: d.key });
      const added = sync.additions.find((a) => a.user_id === code);
      assert.ok(added, `${d.device_id}: ${JSON.stringify(sync)}`);
      assert.equal(added.display_name, 'Alice Able');
      assert.equal(added.dim, 128);
    }
    const status = await ok(200, 'GET', `/api/enrollment/${code}?hotel=${h.slug}`, { admin: true });
    assert.equal(status.enrollment_status, 'enrolled');
    assert.deepEqual(status.devices.map((d) => d.device_id).sort(), ['cam-001', 'cam-002']);

    // the next visit knows Alice: re-enrollment must be confirmed, or the
    // existing profile deployed as it is
    await page.goto(`/enroll/?employee=${code}`);
    await page.getByText(/Alice Able is enrolled and deployed to edge devices/).waitFor();
    assert.equal(await page.locator('#current-thumbnail').isVisible(), true);
    assert.equal(await page.getByLabel(/Replace this employee/).isVisible(), true);
    assert.equal(await page.getByRole('button', { name: 'Deploy the existing profile' }).isVisible(), true);
    await noScriptRan(b);
  } finally {
    await b.close();
  }
});

test('a manager registers a staff member\'s face, again, and is told when the rules refuse it', async () => {
  const h = await new Hotel({ tag: 'reg', names: ['Alice Able', XSS_NAME] }).create();
  const [alice, xavier] = h.people;
  const b = await launch('alice', { viewport: { width: 800, height: 1100 } });   // a tablet
  try {
    await signIn(b, h.manager, '/dashboard/staff');
    const { page } = b;
    await Promise.all([
      page.waitForURL(`**/dashboard/staff/${xavier}/register`),
      page.locator(`#staff-${xavier}`).getByRole('link', { name: /Register face/ }).click(),
    ]);
    assert.match(await page.title(), /^Register a face — /);
    assert.equal(await page.locator('h1 .sub').innerText(), XSS_NAME);
    const progress = page.locator('#face-progress');
    await progress.filter({ hasText: 'Ready' }).waitFor({ timeout: FACE_TIMEOUT });
    await page.getByRole('button', { name: 'Take picture' }).click();
    await progress.filter({ hasText: 'Picture taken' }).waitFor({ timeout: FACE_TIMEOUT });
    // consent is required: the browser does not send the form without it
    await page.getByRole('button', { name: 'Register this face' }).click();
    const consent = page.getByLabel(/gives consent/);
    assert.equal(await consent.evaluate((e) => e.validity.valueMissing), true);
    await consent.check();
    await page.getByRole('button', { name: 'Register this face' }).click();
    const result = page.locator('#face-result');
    await result.filter({ hasText: 'REGISTERED' }).waitFor({ timeout: 30000 });
    assert.equal(await page.locator('#face-result-code').innerText(), 'REGISTERED');
    assert.equal(await page.locator('#face-status').innerText(), 'Registered just now');
    // again: the face data is replaced
    await page.getByRole('button', { name: 'Take another picture' }).click();
    await progress.filter({ hasText: 'Picture taken' }).waitFor({ timeout: FACE_TIMEOUT });
    await page.getByRole('button', { name: 'Register this face' }).click();
    await page.locator('#face-result-code', { hasText: 'RE_REGISTERED' }).waitFor({ timeout: 30000 });
    const audit = await ok(200, 'GET', h.att(`clock-logs/face-audit-logs/?staff_id=${xavier}`),
      { token: await h.login() });
    assert.deepEqual(audit.map((a) => a.action), ['RE_REGISTERED', 'REGISTERED']);
    assert.equal(audit[0].performed_by, h.manager.staff_id);
    assert.equal(audit[0].consent_given, true);
    await noScriptRan(b);

    // the hotel now allows face attendance in Housekeeping only: Alice
    // (Reception) is refused, with the API's message, and warned ahead
    await h.settings({ face_attendance_departments: [h.dept[1]] });
    await page.goto(`/dashboard/staff/${alice}/register`);
    assert.match(await page.locator('#refusal-note').innerText(), /not enabled for this staff member's department/);
    await progress.filter({ hasText: 'Ready' }).waitFor({ timeout: FACE_TIMEOUT });
    await page.getByRole('button', { name: 'Take picture' }).click();
    await progress.filter({ hasText: 'Picture taken' }).waitFor({ timeout: FACE_TIMEOUT });
    await page.getByLabel(/gives consent/).check();
    await page.getByRole('button', { name: 'Register this face' }).click();
    await page.locator('#face-result-code', { hasText: 'Refused:' }).waitFor({ timeout: 30000 });
    assert.equal(await page.locator('#face-result-text').innerText(),
      'Face attendance is not enabled for this staff member\'s department.');
    assert.equal(await page.locator('#face-status').innerText(), 'None');
    const r = await request('GET', h.att(`clock-logs/face-audit-logs/?staff_id=${alice}`), { token: await h.login() });
    assert.deepEqual(r.body, []);
    assert.deepEqual(b.foreign(), []);
    assert.equal(await page.evaluate(() => window.__xss), undefined);
    // the refused registration is a 403 the console reports: nothing else
    assert.deepEqual(b.errors.filter((e) => !e.includes('status of 403')), []);
  } finally {
    await b.close();
  }
});
