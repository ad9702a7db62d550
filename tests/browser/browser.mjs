// tests/browser/browser.mjs — Debian's Chromium driven by playwright-core for
// the browser tests: headless, no sandbox (tests run as root), no background
// networking, component updates, sync or QUIC, and a fake camera that plays
// one of camera.mjs's .mjpeg files. Each launch gets a fresh profile (a
// user-data-dir Playwright makes and deletes). Every request a page makes
// is recorded, so a test can check that nothing but the stack was asked.
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { BASE_URL, FC_VAR, SCREENSHOTS } from './env.mjs';
import { cameraFile } from './camera.mjs';

export const CHROMIUM = process.env.FC_CHROMIUM || '/usr/bin/chromium';

// fakeUi: grant the camera without asking (off: the browser refuses it,
// as when a person answers "Block").
export function chromiumArgs(videoFile, fakeUi = true) {
  return [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--disable-default-apps', '--disable-domain-reliability', '--no-pings',
    ...(fakeUi ? ['--use-fake-ui-for-media-stream'] : []), '--use-fake-device-for-media-stream',
    ...(videoFile ? [`--use-file-for-fake-video-capture=${videoFile}`] : []),
  ];
}

/**
 * A browser whose camera shows camera `name` (see camera.mjs; null: no
 * camera file, Chromium's own test pattern). Returns {browser, page,
 * context, requests, errors, close()}. opts.camera=false denies the camera
 * permission (getUserMedia fails), opts.viewport sizes the page.
 */
export async function launch(name, opts = {}) {
  const video = name ? cameraFile(name, path.join(FC_VAR, 'camera')) : null;
  const browser = await chromium.launch({
    executablePath: CHROMIUM, headless: true, chromiumSandbox: false,
    args: chromiumArgs(video, opts.camera !== false),
  });
  const context = await browser.newContext({
    baseURL: BASE_URL,
    permissions: opts.camera === false ? [] : ['camera'],
    viewport: opts.viewport || { width: 1024, height: 768 },
  });
  // Clicks and waits get two minutes, not Playwright's 30 s: face-api's
  // inference holds the page's main thread for seconds at a time, and on a
  // two-core virtual machine whose host takes most of the CPU (steal) a
  // click waits behind it.
  context.setDefaultTimeout(120000);
  const requests = [];
  const errors = [];
  context.on('request', (r) => requests.push(r.url()));
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  return {
    browser, context, page, requests, errors,
    /** URLs requested from anywhere but the stack. */
    foreign() { return requests.filter((u) => !u.startsWith(`${BASE_URL}/`) && !u.startsWith('data:') && !u.startsWith('blob:')); },
    async close() { await browser.close(); },
  };
}

/** Saves a screenshot of the whole page as var/screenshots/<name>.png. */
export async function screenshot(page, name) {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true, animations: 'disabled' });
  return file;
}

/**
 * In a page of the stack, with static/js/face.js and the page's camera:
 * capture() → {descriptor, snapshot, box, score, backend} or {error: code}.
 * opts go to capture(); opts.backend to load() (the first load decides).
 */
export async function captureIn(page, opts = {}) {
  return page.evaluate(async (o) => {
    const face = await import('/static/js/face.js');
    const video = document.createElement('video');
    try {
      await face.load(o.backend ? { backend: o.backend } : {});
      await face.openCamera(video);
      const shot = await face.capture(video, o);
      return { ...shot, backend: face.backend() };
    } catch (e) {
      return { error: e.code || String(e), message: e.message };
    } finally {
      face.closeCamera(video);
    }
  }, opts);
}

/** The face-api descriptor of camera `name`'s face, computed in Chromium. */
export async function descriptorOf(name) {
  const b = await launch(name);
  try {
    await b.page.goto('/kiosk/');
    const shot = await captureIn(b.page);
    if (!shot.descriptor) throw new Error(`camera ${name}: ${shot.error} ${shot.message}`);
    return shot.descriptor;
  } finally {
    await b.close();
  }
}
