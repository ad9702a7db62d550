// static/js/face.js — the pages' one way to see a face: loads face-api and
// its models from /static/vendor/face-api/ (nothing from the internet),
// opens the camera, and turns one camera frame holding exactly one face
// into the 128-number descriptor the API matches (contract 5.2) plus a JPEG
// of that frame. Used by the kiosk, enrollment and self-service pages.
//
//   import * as face from '/static/js/face.js';
//   await face.load();                         // once; models + tfjs backend
//   const stream = await face.openCamera(videoElement);
//   const shot = await face.capture(videoElement);
//     // -> {descriptor: number[128], snapshot: 'data:image/jpeg;base64,…',
//     //     box: {x, y, width, height} (in snapshot pixels), score}
//   face.closeCamera(videoElement);
//
// Failures throw face.FaceError with .code (and a plain-language .message):
//   MODELS_FAILED  face-api or a model could not be loaded
//   NO_CAMERA      no camera, or none this browser may use (insecure page)
//   CAMERA_DENIED  the user or the browser's policy refused the camera
//   CAMERA_FAILED  the camera exists but would not start (in use, broken)
//   NO_FACE        nobody in the frame (or the face is too small / unclear)
//   SEVERAL_FACES  more than one face in the frame
// Nothing here sends anything anywhere: callers post the descriptor.

const VENDOR = '/static/vendor/face-api';

export class FaceError extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'FaceError';
    this.code = code;
  }
}

let faceapi = null;
let loading = null;

// On a machine whose WebGL is a software renderer (no GPU: SwiftShader,
// llvmpipe), tfjs's CPU backend starts several times faster and scans as
// fast; with a GPU, WebGL is much faster.
function softwareWebGL() {
  try {
    const gl = document.createElement('canvas').getContext('webgl');
    if (!gl) return true;
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER);
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return /swiftshader|llvmpipe|software|mesa offscreen/i.test(String(renderer));
  } catch {
    return true;
  }
}

/**
 * Loads face-api, picks the tfjs backend and loads the three models (tiny
 * face detector, 68 landmarks, recognition). Safe to call many times; the
 * first call does the work. opts.backend forces 'webgl' or 'cpu'.
 */
export function load(opts = {}) {
  if (!loading) {
    loading = (async () => {
      try {
        const mod = await import(`${VENDOR}/face-api.esm.js`);
        const backend = opts.backend || (softwareWebGL() ? 'cpu' : 'webgl');
        await mod.tf.setBackend(backend).catch(() => false);
        await mod.tf.ready();
        const url = `${VENDOR}/model`;
        await Promise.all([
          mod.nets.tinyFaceDetector.loadFromUri(url),
          mod.nets.faceLandmark68Net.loadFromUri(url),
          mod.nets.faceRecognitionNet.loadFromUri(url),
        ]);
        faceapi = mod;
        return mod.tf.getBackend();
      } catch (e) {
        loading = null;
        throw new FaceError('MODELS_FAILED', `The face recognition files could not be loaded (${e.message || e}).`);
      }
    })();
  }
  return loading;
}

/** The tfjs backend in use ('webgl', 'cpu'), or null before load(). */
export function backend() {
  return faceapi ? faceapi.tf.getBackend() : null;
}

/**
 * Opens the camera (the front one on a tablet) into the <video> element
 * and waits until it plays. Returns the MediaStream. A camera that stops
 * later (unplugged) ends its track: listen to
 * stream.getVideoTracks()[0].addEventListener('ended', ...).
 */
export async function openCamera(video, opts = {}) {
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    throw new FaceError('NO_CAMERA', 'This browser cannot use a camera here (the page must be opened over HTTPS or on this computer).');
  }
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({
      audio: false,
      video: { facingMode: opts.facingMode || 'user', width: { ideal: opts.width || 640 },
        height: { ideal: opts.height || 480 } },
    });
  } catch (e) {
    const name = e && e.name;
    if (name === 'NotAllowedError' || name === 'SecurityError') {
      throw new FaceError('CAMERA_DENIED', 'The camera is blocked. Allow this page to use the camera in the browser settings.');
    }
    if (name === 'NotFoundError' || name === 'OverconstrainedError') {
      throw new FaceError('NO_CAMERA', 'No camera was found. Connect a camera and try again.');
    }
    throw new FaceError('CAMERA_FAILED', 'The camera could not be started. It may be in use by another program.');
  }
  video.muted = true;
  video.playsInline = true;
  video.srcObject = stream;
  try {
    await video.play();
    if (!video.videoWidth) {
      await new Promise((resolve) => video.addEventListener('loadedmetadata', resolve, { once: true }));
    }
  } catch {
    stream.getTracks().forEach((t) => t.stop());
    video.srcObject = null;
    throw new FaceError('CAMERA_FAILED', 'The camera could not be started. It may be in use by another program.');
  }
  return stream;
}

/** Stops the camera opened into this <video> element. */
export function closeCamera(video) {
  const s = video && video.srcObject;
  if (s) s.getTracks().forEach((t) => t.stop());
  if (video) video.srcObject = null;
}

/** Whether the camera in this <video> element is still delivering. */
export function cameraLive(video) {
  const s = video && video.srcObject;
  return !!s && s.getVideoTracks().some((t) => t.readyState === 'live');
}

// The current frame, at most maxSide pixels on its longer side.
function grab(video, maxSide) {
  const w = video.videoWidth;
  const h = video.videoHeight;
  if (!w || !h) throw new FaceError('CAMERA_FAILED', 'The camera is not delivering pictures.');
  const k = Math.min(1, maxSide / Math.max(w, h));
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(w * k);
  canvas.height = Math.round(h * k);
  canvas.getContext('2d').drawImage(video, 0, 0, canvas.width, canvas.height);
  return canvas;
}

/**
 * One frame of the camera (or an <img>/<canvas> as source) with exactly one
 * face → {descriptor, snapshot, box, score}. opts: minFace (a face
 * narrower than this share of the frame's shorter side is ignored, as
 * someone passing behind; default 0.12), scoreThreshold (0.5), inputSize
 * (tiny face detector input, 416), maxSide (640), quality (JPEG, 0.85).
 */
export async function capture(source, opts = {}) {
  await load();
  const canvas = source instanceof HTMLVideoElement ? grab(source, opts.maxSide || 640) : source;
  const detector = new faceapi.TinyFaceDetectorOptions({
    inputSize: opts.inputSize || 416, scoreThreshold: opts.scoreThreshold ?? 0.5,
  });
  const found = await faceapi.detectAllFaces(canvas, detector).withFaceLandmarks().withFaceDescriptors();
  const side = Math.min(canvas.width, canvas.height);
  const faces = found.filter((f) => f.detection.box.width >= (opts.minFace ?? 0.12) * side);
  if (faces.length === 0) throw new FaceError('NO_FACE', 'No face found. Look at the camera.');
  if (faces.length > 1) throw new FaceError('SEVERAL_FACES', 'More than one face is in view. One person at a time, please.');
  const f = faces[0];
  const b = f.detection.box;
  return {
    descriptor: Array.from(f.descriptor, (x) => Math.round(x * 1e6) / 1e6),
    snapshot: canvas.toDataURL('image/jpeg', opts.quality || 0.85),
    box: { x: Math.round(b.x), y: Math.round(b.y), width: Math.round(b.width), height: Math.round(b.height) },
    score: Math.round(f.detection.score * 1000) / 1000,
  };
}

/** Euclidean distance of two descriptors (what the server compares). */
export function distance(a, b) {
  let s = 0;
  for (let i = 0; i < a.length; i += 1) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s);
}
