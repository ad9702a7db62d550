// tests/browser/face.test.mjs — static/js/face.js in Chromium with the fake
// cameras: one face gives a 128-number descriptor and a JPEG of the frame,
// the same face twice gives the same descriptor, two people are far apart,
// and no face / two faces / a refused camera give their FaceError codes.
import test from 'node:test';
import assert from 'node:assert/strict';
import { launch, captureIn } from './browser.mjs';

const T = { timeout: 180000 };
const dist = (a, b) => Math.sqrt(a.reduce((s, x, i) => s + (x - b[i]) ** 2, 0));

async function shots(camera, n = 1, opts, captureOpts) {
  const b = await launch(camera, opts);
  try {
    await b.page.goto('/kiosk/');
    const out = [];
    for (let i = 0; i < n; i += 1) out.push(await captureIn(b.page, captureOpts));
    assert.deepEqual(b.foreign(), [], 'requests left the stack');
    return out;
  } finally {
    await b.close();
  }
}

test('one face: a descriptor of 128 finite numbers and a JPEG snapshot', T, async () => {
  const [a1, a2] = await shots('alice', 2);
  assert.equal(a1.error, undefined, a1.message);
  assert.equal(a1.descriptor.length, 128);
  assert.ok(a1.descriptor.every(Number.isFinite));
  assert.match(a1.snapshot, /^data:image\/jpeg;base64,/);
  assert.ok(a1.box.width > 150 && a1.box.width < 400, JSON.stringify(a1.box));
  assert.ok(a1.score >= 0.5);
  // no GPU here: face.js picks the CPU backend over software WebGL
  assert.equal(a1.backend, 'cpu');
  // the same still picture twice: the same face, far inside the match radius
  assert.ok(dist(a1.descriptor, a2.descriptor) < 0.05, String(dist(a1.descriptor, a2.descriptor)));
  const [b1] = await shots('beth');
  assert.ok(dist(a1.descriptor, b1.descriptor) > 0.6, `alice-beth ${dist(a1.descriptor, b1.descriptor)}`);
});

test('the WebGL backend (a kiosk with a GPU) runs under the strict CSP and agrees with the CPU one', T, async () => {
  const [cpu] = await shots('alice', 1, {}, { backend: 'cpu' });
  const b = await launch('alice');
  try {
    await b.page.goto('/kiosk/');
    const gl = await captureIn(b.page, { backend: 'webgl' });
    assert.equal(gl.backend, 'webgl', gl.message);
    assert.ok(dist(gl.descriptor, cpu.descriptor) < 0.1, String(dist(gl.descriptor, cpu.descriptor)));
    assert.deepEqual(b.errors.filter((e) => /Content Security Policy|Refused/i.test(e)), []);
  } finally {
    await b.close();
  }
});

test('no face, several faces, no camera', T, async () => {
  const [empty] = await shots('empty');
  assert.equal(empty.error, 'NO_FACE');
  const [group] = await shots('group');
  assert.equal(group.error, 'SEVERAL_FACES');
  const [denied] = await shots('alice', 1, { camera: false });
  assert.equal(denied.error, 'CAMERA_DENIED', denied.message);
});
