// tests/browser/insights.test.mjs — the Insights page in Chromium: a hotel
// with two of its four active staff registered, a scan recognised and one
// refused at the kiosk, a shift begun and clocked in late, and a closed
// session past its shift; the page draws both server-side SVG charts (the
// rates and the hours per department) with their figures, the period form
// changes the period, and a screenshot (var/screenshots/insights.png).
import test from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { Hotel, localParts, ok } from './api.mjs';
import { launch, screenshot } from './browser.mjs';

function descriptor() {
  return Array.from({ length: 128 }, () => (crypto.randomInt(2000) - 1000) / 4000);
}

test('the Insights page renders its charts', async () => {
  const h = await new Hotel({ tag: 'ins' }).create({ duplicate_scan_seconds: 0 });
  const [alice, bob] = h.people;
  const face = descriptor();
  await h.register(alice, face);
  await h.register(bob, descriptor());
  const kiosk = await h.newKiosk();
  await h.shiftNow(alice);                                   // began an hour ago: the clock-in is late
  const scan = (d) => ({ apiKey: kiosk.api_key, json: { descriptor: d } });
  await ok(201, 'POST', h.att('clock-logs/face-clock-in/'), scan(face));
  await ok(404, 'POST', h.att('clock-logs/face-clock-in/'), scan(descriptor()));
  const today = localParts(new Date(), h.timezone).date;

  const b = await launch(null, { viewport: { width: 1280, height: 1000 } });
  try {
    const { page } = b;
    await page.goto('/dashboard/insights');
    await page.waitForURL(/\/dashboard\/login\?next=/);
    await page.getByLabel('User name').fill(h.manager.username);
    await page.getByLabel('Password').fill(h.manager.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => u.pathname === '/dashboard/insights');
    assert.match(await page.title(), /^Insights — /);
    assert.match(await page.locator('h1').innerText(), new RegExp(`to ${today}`));

    const rates = page.getByRole('img', { name: /^Rates from / });
    const hours = page.getByRole('img', { name: /^Hours worked from .* per department/ });
    assert.equal(await rates.count(), 1);
    assert.equal(await hours.count(), 1);
    assert.equal(await rates.locator('g.chart-row').count(), 5);
    assert.equal(await hours.locator('g.chart-row').count(), 2);        // Housekeeping, Reception
    const desc = await rates.locator('desc').textContent();
    assert.match(desc, /Recognition success: 50\.0 % \(1 of 2\)/);
    assert.match(desc, /Average confidence: 100\.0 %/);
    assert.match(desc, /Registration adoption: 50\.0 % \(2 of 4\)/);
    assert.match(desc, /Unrostered clock-ins: 0\.0 % \(0 of 1\)/);
    assert.match(desc, /On-time attendance: 0\.0 % \(0 of 1\)/);
    // the bars are drawn to scale: success (50 %) is half of confidence (100 %), as long as adoption (50 %)
    const width = async (i) => (await rates.locator('g.chart-row').nth(i).locator('rect').boundingBox()).width;
    const [success, confidence, adoption] = [await width(0), await width(1), await width(2)];
    assert.ok(success > 50 && Math.abs(confidence - 2 * success) < 2 && Math.abs(adoption - success) < 1,
      `bars ${success}, ${confidence}, ${adoption}`);
    assert.equal(await page.locator('[data-count="attempts"]').innerText(), '2');
    assert.equal(await page.locator('[data-count="late"]').innerText(), '1');
    assert.deepEqual(b.errors, []);
    await screenshot(page, 'insights');

    // another period: one day long ago, nothing in it
    await page.getByLabel('From', { exact: true }).fill('2025-01-01');
    await page.getByLabel('To', { exact: true }).fill('2025-01-01');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL(/from=2025-01-01&to=2025-01-01/);
    assert.match(await page.locator('h1').innerText(), /2025-01-01 to 2025-01-01/);
    assert.match(await page.getByRole('img', { name: /^Rates from 2025-01-01/ }).locator('desc').textContent(),
      /Recognition success: no data/);
    assert.deepEqual(b.errors, []);
    assert.deepEqual(b.foreign(), []);
  } finally {
    await b.close();
  }
});
