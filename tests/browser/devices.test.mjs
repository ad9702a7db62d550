// tests/browser/devices.test.mjs — the devices page for an admin (issue 14,
// docs/iot.md "Lifecycle"): register a device into the inventory, allocate
// it, issue a provisioning token (shown once in its box, gone after a
// reload), see it ACTIVE once it has provisioned itself and sent a
// heartbeat (the table follows its device.status events), turn it into a
// display with its ACL tier form (docs/iot.md "ACL tiers": its next sync is
// refused) and back, then disable it: each time only the buttons its state
// allows, and the tier form on every device in service.
import test from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { Hotel, ok } from './api.mjs';
import { launch, screenshot } from './browser.mjs';

/** The hotel with an admin who signs in ({username, password}). */
async function withAdmin(h) {
  const admin = { username: `${h.slug}-admin`, password: `pw-admin-${crypto.randomBytes(4).toString('hex')}` };
  await ok(200, 'PUT', h.path('pms-sync/'), { admin: true, json: { staff: [...h.staffRows(), {
    id: h.base + 101, employee_code: `E${h.base + 101}`, first_name: 'Ada', last_name: 'Admin',
    department_id: h.dept[0], role: 'admin', username: admin.username, password: admin.password,
    is_active: true }] } });
  return admin;
}

/** The row's lifecycle and its buttons' names, once the row shows `lifecycle`. */
async function rowIn(page, deviceId, lifecycle) {
  const row = page.locator(`tr[id="device-${deviceId}"][data-lifecycle="${lifecycle}"]`);
  try {
    await row.waitFor({ timeout: 30000 });
  } catch (e) {
    const shown = (await page.locator('[data-form-error], .field-error').allInnerTexts()).filter((t) => t);
    throw new Error(`${deviceId} not ${lifecycle}; the page says: ${JSON.stringify(shown)}`);
  }
  // each button's visible words (its hidden rest names the device)
  const buttons = await row.locator('button').allTextContents();
  return buttons.map((t) => t.replace(/\s+/g, ' ').replace(` ${deviceId}`, '').replace(/ (for|of)$/, '').trim());
}

test('an admin registers, allocates and provisions a device from the page', async () => {
  const h = await new Hotel({ tag: 'devpg', names: ['Dee Device'] }).create();
  const admin = await withAdmin(h);
  const id = 'cam-br-1';
  const b = await launch(null, { camera: false });
  try {
    const { page } = b;
    await page.goto('/dashboard/devices');
    await page.waitForURL(/\/dashboard\/login\?next=/);
    await page.getByLabel('User name').fill(admin.username);
    await page.getByLabel('Password').fill(admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => u.pathname === '/dashboard/devices');

    await page.getByLabel('Device id').fill(id);
    await page.getByLabel('Name', { exact: true }).fill('Bar camera');
    await page.getByLabel('Serial number').fill('SN-BR-1');
    await page.getByRole('button', { name: 'Register device' }).click();
    assert.deepEqual(await rowIn(page, id, 'UNALLOCATED'), ['Allocate', 'Decommission', 'Set tier']);

    await page.getByLabel(`Location of ${id}`).fill('Bar');
    await page.getByRole('button', { name: 'Allocate' }).click();
    assert.deepEqual(await rowIn(page, id, 'ALLOCATED'), ['Allocate', 'Issue token', 'Disable', 'Decommission', 'Set tier']);

    await page.getByRole('button', { name: `Issue token for ${id}` }).click();
    const box = page.locator('#device-token');
    await box.waitFor({ state: 'visible', timeout: 15000 });
    const token = await box.locator('[data-field="provisioning_token"]').innerText();
    assert.match(token, /^[0-9a-f]{64}$/);
    assert.equal(await box.locator('[data-field="device_id"]').innerText(), id);
    await screenshot(page, 'devices-token');

    // the device provisions itself and says it is alive: the table follows
    const { api_key: key } = await ok(200, 'POST', '/api/iot/devices/provision',
      { json: { device_id: id, provisioning_token: token } });
    await ok(200, 'POST', `/api/iot/devices/${id}/heartbeat`, { apiKey: key, json: {} });
    await page.reload();
    assert.deepEqual(await rowIn(page, id, 'ACTIVE'), ['Issue token', 'Disable', 'Decommission', 'Set tier']);
    assert.equal(await page.locator('#device-token').isVisible(), false);
    assert.equal((await page.content()).includes(token), false, 'the token is in the page');

    // its ACL tier: a camera, made a display from the page, refused its sync at once
    const tierCell = page.locator(`tr[id="device-${id}"] td.tier`);
    assert.match(await tierCell.innerText(), /^camera\b/);
    await page.getByLabel(`Tier of ${id}`, { exact: true }).selectOption('display');
    await page.getByRole('button', { name: `Set tier of ${id}` }).click();
    await page.locator(`tr[id="device-${id}"] td.tier`, { hasText: /^display/ }).waitFor({ timeout: 15000 });
    const sync = await fetch(`${new URL(page.url()).origin}/api/iot/enrollments/sync?device_id=${id}`,
      { headers: { 'X-API-Key': key, Accept: 'application/json' } });
    assert.equal(sync.status, 403);
    assert.equal((await sync.json()).code, 'DEVICE_TIER_FORBIDDEN');
    await screenshot(page, 'devices-tier');
    await page.getByLabel(`Tier of ${id}`, { exact: true }).selectOption('camera');
    await page.getByRole('button', { name: `Set tier of ${id}` }).click();
    await page.locator(`tr[id="device-${id}"] td.tier`, { hasText: /^camera/ }).waitFor({ timeout: 15000 });

    await page.getByRole('button', { name: `Disable ${id}` }).click();
    assert.deepEqual(await rowIn(page, id, 'DISABLED'), ['Re-enable', 'Decommission', 'Set tier']);
    const r = await fetch(`${new URL(page.url()).origin}/api/iot/devices/${id}/heartbeat`, { method: 'POST',
      headers: { 'X-API-Key': key, 'Content-Type': 'application/json', Accept: 'application/json' }, body: '{}' });
    assert.equal(r.status, 401);
    assert.deepEqual(b.errors, []);
  } finally {
    await b.close();
  }
});
