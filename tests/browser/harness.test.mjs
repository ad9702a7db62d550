// tests/browser/harness.test.mjs — the harness itself: the stack answers,
// the camera files are made from the face-api sample photos, and Chromium
// plays them as its camera to a page of the stack.
import test from 'node:test';
import assert from 'node:assert/strict';
import { request } from './api.mjs';
import { launch } from './browser.mjs';

test('the stack is up', async () => {
  const r = await request('GET', '/healthz');
  assert.equal(r.status, 200, r.text);
});

test('the fake camera plays a face photo', async () => {
  const b = await launch('alice');
  try {
    // a page of the stack is a secure context (loopback), so getUserMedia works
    await b.page.goto('/healthz');
    const info = await b.page.evaluate(async () => {
      const s = await navigator.mediaDevices.getUserMedia({ video: true });
      const v = document.createElement('video');
      v.muted = true;
      v.srcObject = s;
      await v.play();
      const out = { w: v.videoWidth, h: v.videoHeight, label: s.getVideoTracks()[0].label };
      s.getTracks().forEach((t) => t.stop());
      return out;
    });
    assert.equal(info.w, 480);
    assert.equal(info.h, 480);
    assert.match(info.label, /alice\.mjpeg$/);
    assert.deepEqual(b.foreign(), []);
  } finally {
    await b.close();
  }
});
