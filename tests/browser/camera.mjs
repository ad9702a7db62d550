// tests/browser/camera.mjs — the fake cameras of the browser tests: people
// cut out of the group photos shipped in the @vladmandic/face-api package
// (node_modules/@vladmandic/face-api/demo/sample1..6.jpg; the package has no
// portraits) and written as one-frame .mjpeg files for Chromium's
// --use-file-for-fake-video-capture (an .mjpeg is JPEG frames back to back;
// Chromium loops the file, so one frame is a still camera picture).
//
// The converter is libjpeg-turbo's own tools, already a dependency of the
// e2e tests (scripts/deps.sh: libjpeg-turbo-progs): jpegtran -crop cuts the
// face out, djpeg | cjpeg re-encodes it as a baseline 4:2:0 JPEG that
// Chromium's MJPEG reader decodes. Files are made at test time under
// $FC_VAR/camera/, never committed.
//
// The crops were chosen with face-api itself: each holds exactly one face,
// about 250 px wide, that the tiny face detector at face.js's settings
// finds with a score near 0.99 (frontal, upright faces; the detector misses
// tilted heads), and the two people are about 0.7 apart as face-api
// descriptors (beyond the 0.6 match radius of contract 5.2).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO } from './env.mjs';

export const SAMPLES = path.join(REPO, 'node_modules/@vladmandic/face-api/demo');

// name -> { photo, crop: 'WxH+X+Y' | null (whole photo), scale }
export const CAMERAS = {
  // one person: a woman with long dark hair (sample6.jpg, left)
  alice: { photo: 'sample6.jpg', crop: '480x480+96+416', note: 'one face' },
  // another person: a woman with straight black hair (sample6.jpg, middle)
  beth: { photo: 'sample6.jpg', crop: '480x480+512+272', note: 'one face' },
  // the whole of sample2.jpg at half size: two people side by side
  group: { photo: 'sample2.jpg', crop: null, scale: '1/2', note: 'two faces' },
  // a corner of sample1.jpg with nobody in it
  empty: { photo: 'sample1.jpg', crop: '480x320+1424+960', note: 'no face' },
};

function run(cmd, args, input) {
  return execFileSync(cmd, args, { input, maxBuffer: 64 << 20 });
}

/** The .mjpeg file of camera `name` under dir, made when missing. */
export function cameraFile(name, dir) {
  const cam = CAMERAS[name];
  if (!cam) throw new Error(`no camera ${name}`);
  const out = path.join(dir, `${name}.mjpeg`);
  if (fs.existsSync(out)) return out;
  fs.mkdirSync(dir, { recursive: true });
  let jpeg = fs.readFileSync(path.join(SAMPLES, cam.photo));
  if (cam.crop) jpeg = run('jpegtran', ['-crop', cam.crop], jpeg);
  const ppm = run('djpeg', cam.scale ? ['-scale', cam.scale] : [], jpeg);
  const frame = run('cjpeg', ['-quality', '90', '-sample', '2x2'], ppm);
  const tmp = `${out}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, frame);
  fs.renameSync(tmp, out);   // parallel test files may race: last rename wins, same bytes
  return out;
}
