// static/kiosk/kiosk.js — the kiosk: pairing with a kiosk key (kept in
// localStorage until "Unpair"), then a loop that looks for one face,
// posts its descriptor to face-clock-in/ and shows the answer for a few
// seconds: name, in/out, shift, safety warnings; the unrostered prompt
// ("Clock in anyway" / "Force log" with a reason); the long-session
// acknowledgement; a plain-language message for each error; and whole-page
// states when the server or the camera is unavailable.
//
// body[data-state] is the screen: pairing, starting, scanning, sending,
// result, unrostered, force, ack, error, server-down, camera-down,
// models-down. Descriptors, pictures and the key go only to this server
// (api.js uses same-origin paths); pictures never leave the page.
import * as face from '/static/js/face.js';
import * as api from './api.js';
import { errorMessage, safetyWarnings, STATES } from './messages.js';

const STORE = 'faceclock.kiosk';
const SHOW_MS = 6000;            // a plain answer stays up this long
const SHOW_WARN_MS = 12000;      // ... one with a warning
const SHOW_URGENT_MS = 30000;    // ... a hard stop, unless "OK" is pressed first
const ERROR_MS = 5000;
const HOLD_MS = 60000;           // the face just answered is not sent again until it leaves, or this long
const SAME_FACE = 0.6;           // the server's match radius (contract 5.2)
const RETRY_SERVER_MS = 3000;
const RETRY_CAMERA_MS = 10000;
const IDLE_PAUSE_MS = 250;

const $ = (id) => document.getElementById(id);
const video = $('video');
const SCREENS = ['pair', 'kiosk', 'problem'];
const PANELS = ['idle', 'result', 'unrostered', 'ack', 'error'];

let paired = null;     // {key, hotel, hotel_name, name, kiosk_id}
let state = 'loading';
let looping = false;
let held = null;       // {descriptor, until}
let timer = 0;         // the current screen's time-out
let retryTimer = 0;
let unrostered = null; // the unrostered answer being decided
let ackAnswer = null;  // the answer whose long session is being acknowledged
let epoch = 0;         // bumps on unpair, so late answers of the old pairing are dropped

// a request whose answer was lost (a scan, a confirmation, a forced log)
// is sent again after these waits before
// the page shows "server unavailable" (a failover takes seconds)
const RETRY_MS = [500, 1500, 3000];
const pause = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

// ------------------------------------------------------------------ screen

function setState(s) {
  state = s;
  document.body.dataset.state = s;
  const screen = s === 'pairing' ? 'pair' : s.endsWith('-down') ? 'problem' : 'kiosk';
  for (const id of SCREENS) $(id).hidden = id !== screen;
  const panel = { result: 'result', unrostered: 'unrostered', force: 'unrostered', ack: 'ack', error: 'error' }[s] || 'idle';
  for (const id of PANELS) $(id).hidden = id !== panel;
  $('unpair').hidden = !paired;
}

function status(text) {
  if ($('status').textContent !== text) $('status').textContent = text;
}

function announce(text) {
  $('announce').textContent = '';
  // a fresh text node, so the same words twice are announced twice
  requestAnimationFrame(() => { $('announce').textContent = text; });
}

function clearTimers() {
  clearTimeout(timer);
  clearTimeout(retryTimer);
  timer = 0;
  retryTimer = 0;
}

function later(ms, fn) {
  clearTimeout(timer);
  timer = setTimeout(fn, ms);
}

function focusPanel(id) {
  const el = $(id);
  if (el && typeof el.focus === 'function') el.focus({ preventScroll: true });
}

function tick() {
  $('clock').textContent = new Date().toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

const timeOf = (iso) => (iso ? new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : '');

// ----------------------------------------------------------------- pairing

function loadPairing() {
  try {
    const p = JSON.parse(localStorage.getItem(STORE) || 'null');
    return p && typeof p.key === 'string' && typeof p.hotel === 'string' ? p : null;
  } catch {
    return null;
  }
}

function showHeader() {
  $('hotel-name').textContent = paired ? paired.hotel_name || paired.hotel : 'faceclock';
  $('kiosk-name').textContent = paired ? paired.name : '';
  document.title = paired ? `Kiosk — ${paired.hotel_name || paired.hotel}` : 'Pair this kiosk — faceclock';
}

function showPairing(message) {
  clearTimers();
  face.closeCamera(video);
  paired = null;
  showHeader();
  setState('pairing');
  $('pair-error').textContent = message || '';
  $('pair-key').value = '';
  $('pair-key').focus();
}

async function onPair(ev) {
  ev.preventDefault();
  const key = $('pair-key').value.trim();
  const err = $('pair-error');
  if (!key || !/^[\x21-\x7e]{1,512}$/.test(key)) {
    err.textContent = key ? 'That is not a kiosk key: it begins with kio_ and has no spaces.' : 'Enter the kiosk key.';
    $('pair-key').setAttribute('aria-invalid', 'true');
    $('pair-key').focus();
    return;
  }
  $('pair-submit').disabled = true;
  err.textContent = '';
  const r = await api.whoAmI(key);
  $('pair-submit').disabled = false;
  if (r.ok && r.body && r.body.kind === 'kiosk') {
    $('pair-key').removeAttribute('aria-invalid');
    paired = { key, kiosk_id: r.body.kiosk_id, name: r.body.name, hotel: r.body.hotel,
      hotel_name: r.body.hotel_name || r.body.hotel };
    localStorage.setItem(STORE, JSON.stringify(paired));
    announce(`Paired with ${paired.hotel_name}.`);
    start();
    return;
  }
  $('pair-key').setAttribute('aria-invalid', 'true');
  const m = r.down ? STATES.serverDown : r.ok ? errorMessage('FORBIDDEN', 'pair') : errorMessage(r.code, 'pair');
  err.textContent = `${m.title}. ${m.text}`;
  $('pair-key').focus();
}

function unpair() {
  epoch += 1;
  localStorage.removeItem(STORE);
  held = null;
  showPairing('This kiosk is unpaired: its key was removed from this browser.');
  announce('Kiosk unpaired.');
}

// A key the server no longer accepts (revoked): forget it.
function keyRejected() {
  epoch += 1;
  localStorage.removeItem(STORE);
  const m = errorMessage('UNAUTHENTICATED', 'scan');
  showPairing(`${m.title}. ${m.text}`);
}

// ------------------------------------------------------------ starting up

async function start() {
  clearTimers();
  const my = epoch;
  showHeader();
  setState('starting');
  status('Getting ready…');
  const who = await api.whoAmI(paired.key);
  if (my !== epoch) return;
  if (who.down) { serverDown(); return; }
  if (who.status === 401 || who.status === 403) { keyRejected(); return; }
  if (who.ok && who.body && who.body.kind === 'kiosk') {
    paired = { ...paired, name: who.body.name, hotel: who.body.hotel, hotel_name: who.body.hotel_name || who.body.hotel };
    localStorage.setItem(STORE, JSON.stringify(paired));
    showHeader();
  }
  try {
    await face.load();
    document.body.dataset.backend = face.backend();
  } catch {
    if (my === epoch) problem('models-down', STATES.modelsDown, start, RETRY_SERVER_MS * 3);
    return;
  }
  if (my !== epoch) return;
  await startCamera();
}

async function startCamera() {
  const my = epoch;
  if (!face.cameraLive(video)) {
    try {
      const stream = await face.openCamera(video);
      stream.getVideoTracks().forEach((t) => t.addEventListener('ended', () => {
        if (paired && my === epoch) cameraDown();
      }));
    } catch (e) {
      if (my === epoch) cameraDown(e);
      return;
    }
  }
  if (my !== epoch) return;
  resume();
}

function problem(kind, text, retry, every) {
  clearTimers();
  setState(kind);
  $('problem-title').textContent = text.title;
  $('problem-text').textContent = text.text;
  $('problem-retry-note').textContent = `Trying again every ${Math.round(every / 1000)} seconds.`;
  $('problem-retry').onclick = () => { clearTimers(); retry(); };
  announce(`${text.title}. ${text.text}`);
  retryTimer = setTimeout(retry, every);
}

function cameraDown(err) {
  const text = { ...STATES.cameraDown };
  if (err && err.name === 'FaceError') text.text = `${err.message} ${text.text}`;
  face.closeCamera(video);
  problem('camera-down', text, startCamera, RETRY_CAMERA_MS);
}

function serverDown() {
  problem('server-down', STATES.serverDown, async () => {
    if (await api.healthy()) start();
    else serverDown();
  }, RETRY_SERVER_MS);
}

// ----------------------------------------------------------------- scanning

function resume() {
  clearTimers();
  unrostered = null;
  ackAnswer = null;
  setState('scanning');
  status('Look at the camera');
  scanLoop();
}

async function scanLoop() {
  if (looping) return;
  looping = true;
  try {
    while (state === 'scanning') {
      let shot;
      try {
        shot = await face.capture(video);
      } catch (e) {
        if (state !== 'scanning') break;
        if (e.code === 'NO_FACE') {
          held = null;                       // whoever was answered has left
          status('Look at the camera');
        } else if (e.code === 'SEVERAL_FACES') {
          status('One person at a time, please');
        } else if (e.code === 'MODELS_FAILED') {
          problem('models-down', STATES.modelsDown, start, RETRY_SERVER_MS * 3);
          break;
        } else if (e.code === 'NO_CAMERA' || e.code === 'CAMERA_DENIED' || e.code === 'CAMERA_FAILED'
                   || !face.cameraLive(video)) {
          cameraDown(e);
          break;
        } else {
          status('Please wait…');            // a hiccup of the face finder: the next frame
          await pause(IDLE_PAUSE_MS * 4);
          continue;
        }
        await pause(IDLE_PAUSE_MS);
        continue;
      }
      if (state !== 'scanning') break;
      if (held && Date.now() < held.until && face.distance(held.descriptor, shot.descriptor) < SAME_FACE) {
        status('Done. Next person, please');
        await pause(IDLE_PAUSE_MS);
        continue;
      }
      held = null;
      await send(shot.descriptor);
    }
  } finally {
    looping = false;
  }
}

const hold = (descriptor) => { held = { descriptor, until: Date.now() + HOLD_MS }; };

/** call(reqKey) with one Idempotency-Key for the attempt: a lost answer
 * (network error, 502/503/504) is asked for again with the same key and
 * body, so the work is done at most once. The last answer, or null when
 * the page moved on meanwhile (epoch). */
async function once(call, onRetry) {
  const my = epoch;
  const reqKey = api.newScanKey();
  for (let attempt = 0; ; attempt++) {
    const r = await call(reqKey);
    if (my !== epoch) return null;
    if (!r.down || attempt >= RETRY_MS.length) return r;
    if (onRetry) onRetry();
    await pause(RETRY_MS[attempt]);
    if (my !== epoch) return null;
  }
}

async function send(descriptor) {
  setState('sending');
  status('Checking…');
  const r = await once((k) => api.scan(paired.hotel, paired.key, descriptor, k),
    () => status('Checking… (the server is slow; trying again)'));
  if (r === null) return;
  if (r.down) { serverDown(); return; }
  if (r.status === 401) { keyRejected(); return; }
  const b = r.body || {};
  if (r.ok && b.action === 'unrostered_detected') {
    hold(descriptor);
    showUnrostered(b);
  } else if (r.ok && (b.action === 'CLOCK_IN' || b.action === 'CLOCK_OUT')) {
    hold(descriptor);
    showAnswer(b);
  } else {
    if (r.code !== 'FACE_CONFIDENCE_TOO_LOW') hold(descriptor);
    showError(r.code, 'scan');
  }
}

// ------------------------------------------------------------------ answers

function fact(dl, term, value) {
  if (!value) return;
  const dt = document.createElement('dt');
  dt.textContent = term;
  const dd = document.createElement('dd');
  dd.textContent = value;
  dl.append(dt, dd);
}

function fillWarnings(ul, warnings) {
  ul.replaceChildren();
  for (const w of warnings) {
    const li = document.createElement('li');
    li.className = `level-${w.level}`;
    const tag = document.createElement('strong');
    tag.textContent = ['', 'Take a break', 'Overtime', 'Stop now'][w.level];
    li.append(tag, ` ${w.text}`);
    ul.append(li);
  }
}

// A clock-in/out answer: the long-session acknowledgement when it leaves a
// long session open, else the result card.
function showAnswer(b) {
  const open = b.log && b.log.time_out == null;
  if (open && (b.needs_long_session_warning || b.needs_hard_stop_warning) && b.log.long_session_ack_mode == null) {
    showAck(b);
  } else {
    showResult(b);
  }
}

function showResult(b, label) {
  const clockIn = b.action === 'CLOCK_IN';
  const warnings = safetyWarnings(b);
  const level = warnings.reduce((m, w) => Math.max(m, w.level), 0);
  const card = $('result');
  card.className = `card result ${clockIn ? 'in' : 'out'} urgency-${level}`;
  $('result-action').textContent = label || (clockIn ? 'Clocked in' : 'Clocked out');
  $('result-name').textContent = b.staff_name || '';
  $('result-when').textContent = clockIn ? `at ${timeOf(b.log && b.log.time_in)}` : `at ${timeOf(b.log && b.log.time_out)}`;
  const dl = $('result-facts');
  dl.replaceChildren();
  const s = b.shift_info;
  if (s) {
    fact(dl, 'Shift', `${s.start_time.slice(0, 5)}–${s.end_time.slice(0, 5)}`);
    fact(dl, 'Where', [s.location, s.department].filter(Boolean).join(', '));
  } else if (b.log && b.log.is_unrostered) {
    fact(dl, 'Shift', 'Not rostered — a manager will review this session');
  }
  if (!clockIn) fact(dl, 'Worked', `${Number(b.session_duration_hours || 0).toFixed(2)} hours`);
  fillWarnings($('result-warnings'), warnings);
  $('result-ok').hidden = level < 3;
  setState('result');
  if (level >= 3) focusPanel('result-ok');
  else focusPanel('result');
  announce([`${$('result-action').textContent}: ${b.staff_name}.`, ...warnings.map((w) => w.text)].join(' '));
  later(level >= 3 ? SHOW_URGENT_MS : level ? SHOW_WARN_MS : SHOW_MS, resume);
}

function showError(code, context) {
  const m = errorMessage(code, context);
  $('error-title').textContent = m.title;
  $('error-text').textContent = m.text;
  $('error').dataset.code = code || '';
  setState('error');
  announce(`${m.title}. ${m.text}`);
  later(ERROR_MS, resume);
}

// --------------------------------------------------------------- unrostered

function showUnrostered(b) {
  unrostered = { ...b, expires: Date.now() + (b.confirmation_expires_in || 120) * 1000 };
  const name = (b.staff && b.staff.name) || 'you';
  $('unrostered-text').textContent = `${name}, you have no shift scheduled now. Clock in anyway if you are working; a manager will review it. Or force a log and say why.`;
  $('force-form').hidden = true;
  $('unrostered-actions').hidden = false;
  $('force-reason').value = '';
  $('force-error').textContent = '';
  setState('unrostered');
  focusPanel('unrostered');
  announce(`No shift scheduled for ${name}. Choose clock in anyway, force log, or cancel.`);
  countdown();
}

function countdown() {
  if (!unrostered) return;
  const left = Math.ceil((unrostered.expires - Date.now()) / 1000);
  if (left <= 0) {
    showError('FORBIDDEN', 'confirm');
    return;
  }
  $('unrostered-timer').textContent = `This question closes in ${left} s.`;
  later(1000, countdown);
}

async function onConfirm() {
  if (!unrostered) return;
  const token = unrostered.confirmation_token;
  clearTimeout(timer);
  setBusy(true);
  const r = await once((k) => api.confirmUnrostered(paired.hotel, paired.key, token, k));
  setBusy(false);
  if (r === null) return;
  finishUnrostered(r, 'confirm');
}

function onForceStart() {
  setState('force');
  $('unrostered-actions').hidden = true;
  $('force-form').hidden = false;
  $('force-reason').focus();
}

async function onForceSubmit(ev) {
  ev.preventDefault();
  if (!unrostered) return;
  const reason = $('force-reason').value.trim();
  if (!reason) {
    $('force-error').textContent = 'Please write a reason: a manager reads it when reviewing.';
    $('force-reason').setAttribute('aria-invalid', 'true');
    $('force-reason').focus();
    return;
  }
  $('force-reason').removeAttribute('aria-invalid');
  const token = unrostered.confirmation_token;
  clearTimeout(timer);
  setBusy(true);
  const r = await once((k) => api.forceLog(paired.hotel, paired.key, token, reason, k));
  setBusy(false);
  if (r === null) return;
  if (!r.ok && r.code === 'VALIDATION_ERROR' && r.body && r.body.field === 'reason') {
    $('force-error').textContent = errorMessage('VALIDATION_ERROR', 'force').text;
    countdown();
    return;
  }
  finishUnrostered(r, 'force');
}

function finishUnrostered(r, context) {
  if (r.down) { serverDown(); return; }
  if (r.status === 401) { keyRejected(); return; }
  unrostered = null;
  if (r.ok && r.body) showAnswer(r.body);
  else showError(r.code, context);
}

function setBusy(busy) {
  for (const id of ['confirm-btn', 'force-btn', 'force-submit', 'ack-out', 'ack-stay']) $(id).disabled = busy;
}

// ------------------------------------------------------- long-session ack

// An answer that leaves a long session open asks the person to choose:
// clock out now, or stay clocked in (not offered past the hard limit when
// the hotel enforces it: should_clock_out).
function showAck(b) {
  ackAnswer = b;
  const h = Number(b.session_duration_hours || 0).toFixed(1);
  $('ack-text').textContent = `${b.staff_name}, you have been clocked in for ${h} hours.`;
  fillWarnings($('ack-warnings'), safetyWarnings(b));
  $('ack-error').textContent = '';
  $('ack-stay').hidden = !!b.should_clock_out;
  setState('ack');
  focusPanel('ack');
  announce(`${$('ack-text').textContent} Clock out now${b.should_clock_out ? '' : ', or stay clocked in'}.`);
  later(SHOW_URGENT_MS * 2, resume);
}

async function onAck(mode) {
  if (!ackAnswer) return;
  const my = epoch;
  const b = ackAnswer;
  clearTimeout(timer);
  setBusy(true);
  const r = await api.longSessionAck(paired.hotel, paired.key, b.log.id, mode);
  setBusy(false);
  if (my !== epoch) return;
  if (r.down) { serverDown(); return; }
  if (r.status === 401) { keyRejected(); return; }
  if (r.ok && r.body) {
    ackAnswer = null;
    const out = mode === 'clocked_out';
    showResult({ ...b, ...r.body, action: out ? 'CLOCK_OUT' : 'CLOCK_IN',
      staff_name: b.staff_name, shift_info: b.shift_info }, out ? 'Clocked out' : 'Still clocked in');
    return;
  }
  if (r.code === 'SESSION_TOO_LONG') {
    // past the hard limit: staying is not allowed; only clocking out is left
    $('ack-error').textContent = errorMessage('SESSION_TOO_LONG', 'ack').text;
    $('ack-stay').hidden = true;
    $('ack-out').focus();
    later(SHOW_URGENT_MS * 2, resume);
    return;
  }
  ackAnswer = null;
  showError(r.code, 'ack');
}

// --------------------------------------------------------------------- init

function init() {
  tick();
  setInterval(tick, 10000);
  $('pair-form').addEventListener('submit', onPair);
  $('unpair').addEventListener('click', () => $('unpair-dialog').showModal());
  $('unpair-dialog').addEventListener('close', () => {
    if ($('unpair-dialog').returnValue === 'unpair') unpair();
  });
  $('result-ok').addEventListener('click', resume);
  $('confirm-btn').addEventListener('click', onConfirm);
  $('force-btn').addEventListener('click', onForceStart);
  $('force-form').addEventListener('submit', onForceSubmit);
  $('unrostered-cancel').addEventListener('click', resume);
  $('force-cancel').addEventListener('click', resume);
  $('ack-out').addEventListener('click', () => onAck('clocked_out'));
  $('ack-stay').addEventListener('click', () => onAck('stay_clocked_in'));
  paired = loadPairing();
  if (paired) start();
  else showPairing();
}

init();
