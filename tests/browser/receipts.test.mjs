// tests/browser/receipts.test.mjs — the devices page's revocations (issue
// 14, docs/iot.md "Receipts"): a face pushed to two cameras is revoked; the
// manager's devices page shows it pending on both; each camera reports the
// removal applied in its heartbeat, and the row follows by itself (the
// device.applied live events re-read the section, no reload): pending on
// one, then ✓ removed from all.
import test from 'node:test';
import assert from 'node:assert/strict';
import { Hotel, ok } from './api.mjs';
import { launch, screenshot } from './browser.mjs';

/** A provisioned camera of the hotel that has said it is alive: its key. */
async function camera(h, id) {
  const made = await ok(201, 'POST', `/api/iot/devices?hotel=${h.slug}`, { admin: true,
    json: { device_id: id, display_name: `Cam ${id}` } });
  const { api_key: key } = await ok(200, 'POST', '/api/iot/devices/provision',
    { json: { device_id: id, provisioning_token: made.provisioning_token } });
  await ok(200, 'POST', `/api/iot/devices/${id}/heartbeat`, { apiKey: key, json: {} });
  return key;
}

test('a revocation pending on two cameras turns complete as their receipts arrive', async () => {
  const h = await new Hotel({ tag: 'rcptpg', names: ['Rae Revoked'] }).create();
  const sid = h.people[0];
  const keys = { 'cam-r1': await camera(h, 'cam-r1'), 'cam-r2': await camera(h, 'cam-r2') };
  await h.register(sid, Array.from({ length: 128 }, (_, i) => Math.sin(i + 1) / 4));
  await ok(200, 'POST', '/api/iot/enrollments/push', { token: await h.login(),
    json: { employee_id: `E${sid}`, push_mode: 'selected', target_devices: Object.keys(keys) } });
  await ok(200, 'DELETE', h.att(`clock-logs/revoke-face/${sid}/`), { token: await h.login(),
    json: { reason: 'left' } });
  const { sync_version: version } = await ok(200, 'GET',
    '/api/iot/enrollments/sync?device_id=cam-r1&since_version=0', { apiKey: keys['cam-r1'] });

  const b = await launch(null, { camera: false });
  try {
    const { page } = b;
    await page.goto('/dashboard/devices');
    await page.waitForURL(/\/dashboard\/login\?next=/);
    await page.getByLabel('User name').fill(h.manager.username);
    await page.getByLabel('Password').fill(h.manager.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => u.pathname === '/dashboard/devices');

    const row = page.locator(`tr[id^="revocation-${sid}-"]`);
    await row.waitFor({ timeout: 15000 });
    assert.equal(await row.getAttribute('data-complete'), 'false');
    assert.match(await row.innerText(), /2 of 2 pending/);
    assert.equal(await row.locator('th').innerText(), `E${sid}`);   // the code, not the name
    assert.equal((await page.locator('#revocations').innerText()).includes('Rae'), false);

    await ok(200, 'POST', '/api/iot/devices/cam-r1/heartbeat', { apiKey: keys['cam-r1'],
      json: { applied_version: version } });
    await page.locator(`tr[id^="revocation-${sid}-"]:has-text("1 of 2 pending")`).waitFor({ timeout: 40000 });
    assert.deepEqual(await row.locator('.pending-device').allInnerTexts().then((t) => t.map((x) => x.split(' ')[0])),
      ['cam-r2']);

    await ok(200, 'POST', '/api/iot/devices/cam-r2/heartbeat', { apiKey: keys['cam-r2'],
      json: { applied_version: version } });
    await page.locator(`tr[id^="revocation-${sid}-"][data-complete="true"]`).waitFor({ timeout: 40000 });
    assert.match(await row.innerText(), /✓ from all 2/);
    await screenshot(page, 'devices-revocations');
    assert.deepEqual(b.errors, []);
  } finally {
    await b.close();
  }
});
