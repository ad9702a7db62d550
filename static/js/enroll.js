// static/js/enroll.js — the enrollment page (/enroll/,
// templates/enroll.mustache): seed 000's modal as steps on one page.
//   1. employee and consent: GET /api/enrollment/{code} shows the current
//      status; an enrolled employee needs the replacement confirmed (or
//      their existing profile can go straight to deployment);
//   2. five poses from the camera, one descriptor and JPEG each
//      (static/js/face.js), each retakable;
//   3. POST /api/enrollment/capture, then the thumbnail and status;
//   4. "Deploy to Edge Devices": GET /api/iot/devices (face recognition),
//      online ones selectable, POST /api/iot/enrollments/push, the result
//      per device.
// Every value from the server reaches the page through textContent or an
// attribute, never as markup. No framework.
import * as face from './face.js';
import { api, localTime } from './api.js';

const $ = (id) => document.getElementById(id);
const root = $('enroll');
const mayDeploy = root.dataset.mayDeploy === '1';
const video = $('camera');
const select = $('employee');
const poseItems = Array.from(document.querySelectorAll('#poses li'));
const SNAPSHOT = { maxSide: 480, quality: 0.8 };   // 5 of them stay well under the 1 MiB request cap

let employee = null;      // {code, name}
let status = null;        // GET /api/enrollment/{code}
let profileStatus = null; // enrollment_status of the profile being deployed
let shots = {};           // pose -> {descriptor, snapshot}
let current = 0;          // index of the pose to capture next
let busy = false;
let listing = '';          // the device list's summary line

/* ---- steps ------------------------------------------------------------ */

function show(step) {
  const visible = { employee: ['employee'], capture: ['capture'], result: ['result'], deploy: ['result', 'deploy'] }[step];
  for (const s of ['employee', 'capture', 'result', 'deploy']) {
    const el = $(`step-${s}`);
    if (el) el.hidden = !visible.includes(s);
  }
  document.querySelectorAll('#enroll-steps li').forEach((li) => {
    if (li.dataset.step === step) li.setAttribute('aria-current', 'step');
    else li.removeAttribute('aria-current');
  });
}

function text(id, value) {
  $(id).textContent = value;
}

/* ---- 1. employee and consent ----------------------------------------- */

function statusWords(st) {
  if (st === 'enrolled') return 'enrolled and deployed to edge devices';
  if (st === 'pending') return 'enrolled, not deployed to any device yet';
  return 'not enrolled';
}

async function chooseEmployee() {
  const opt = select.selectedOptions[0];
  const thumb = $('current-thumbnail');
  status = null;
  employee = null;
  thumb.hidden = true;
  $('reenroll-field').hidden = true;
  $('reenroll').required = false;
  $('reenroll').checked = false;
  if ($('deploy-existing')) $('deploy-existing').hidden = true;
  $('start-capture').disabled = false;
  text('employee-error', '');
  if (!opt || !opt.value) {
    text('employee-status-text', 'Choose an employee to see their enrollment.');
    return;
  }
  employee = { code: opt.value, name: opt.dataset.name };
  if (opt.dataset.refusal) {
    $('start-capture').disabled = true;
    text('employee-status-text', `${employee.name} cannot be enrolled: ${opt.dataset.refusal}`);
  } else {
    text('employee-status-text', `Looking up ${employee.name}…`);
  }
  const r = await api('GET', `/api/enrollment/${encodeURIComponent(employee.code)}`);
  if (!employee || employee.code !== opt.value) return;    // another choice meanwhile
  if (!r.ok) {
    text('employee-status-text', r.body.message);
    return;
  }
  status = r.body;
  if (opt.dataset.refusal) return;
  const st = status.enrollment_status;
  if (st === 'unenrolled') {
    text('employee-status-text', `${employee.name} is ${statusWords(st)}.`);
    return;
  }
  const n = status.devices.length;
  text('employee-status-text', `${employee.name} is ${statusWords(st)}`
    + (status.enrolled_at ? ` (since ${localTime(status.enrolled_at)})` : '')
    + `; ${n} device${n === 1 ? '' : 's'} hold${n === 1 ? 's' : ''} the profile.`
    + ' A new enrollment replaces the face data.');
  if (status.thumbnail) {
    thumb.src = status.thumbnail;
    thumb.alt = `Current enrollment picture of ${employee.name}`;
    thumb.hidden = false;
  }
  $('reenroll-field').hidden = false;
  $('reenroll').required = true;
  if ($('deploy-existing')) $('deploy-existing').hidden = false;
}

async function startCapture(ev) {
  ev.preventDefault();
  if (!employee) return;
  text('capture-who', `— ${employee.name} (${employee.code})`);
  resetShots();
  show('capture');
  $('h-capture').focus();
  text('pose-hint', 'Starting the camera…');
  try {
    await face.openCamera(video);
    text('pose-hint', 'Loading face recognition…');
    await face.load();
    promptPose();
  } catch (e) {
    text('pose-hint', e.message || String(e));
    $('capture-pose').disabled = true;
  }
}

/* ---- 2. five poses ----------------------------------------------------- */

function resetShots() {
  shots = {};
  current = 0;
  poseItems.forEach((li) => markPose(li, null));
  text('capture-status', '');
  $('submit-capture').disabled = true;
}

function markPose(li, shot, problem) {
  const img = li.querySelector('.pose-shot');
  const state = li.querySelector('.pose-state');
  li.classList.toggle('done', !!shot);
  li.classList.toggle('problem', !!problem);
  li.querySelector('.retake').hidden = !shot;
  if (shot) {
    img.src = shot.snapshot;
    img.alt = `${li.dataset.label} pose`;
    img.hidden = false;
    state.textContent = problem ? 'retake' : 'captured';
  } else {
    img.removeAttribute('src');
    img.hidden = true;
    state.textContent = problem ? 'retake' : 'waiting';
  }
}

function nextMissing() {
  const i = poseItems.findIndex((li) => !shots[li.dataset.pose]);
  return i;
}

function promptPose() {
  poseItems.forEach((li, i) => {
    if (i === current) li.setAttribute('aria-current', 'step');
    else li.removeAttribute('aria-current');
  });
  const button = $('capture-pose');
  if (current < 0) {
    text('pose-hint', 'All five poses are captured. Check the pictures, then submit.');
    button.disabled = true;
    button.textContent = 'Capture';
    $('submit-capture').disabled = false;
    $('submit-capture').focus();
    return;
  }
  const li = poseItems[current];
  text('pose-hint', `Pose ${current + 1} of 5 — ${li.dataset.label}: ${li.dataset.hint}`);
  button.textContent = `Capture ${li.dataset.label.toLowerCase()}`;
  button.disabled = busy;
  $('submit-capture').disabled = true;
}

async function capturePose() {
  if (busy || current < 0) return;
  busy = true;
  $('capture-pose').disabled = true;
  const li = poseItems[current];
  text('capture-status', `Looking for one face (${li.dataset.label.toLowerCase()})…`);
  try {
    const shot = await face.capture(video, SNAPSHOT);
    shots[li.dataset.pose] = { descriptor: shot.descriptor, snapshot: shot.snapshot };
    markPose(li, shot);
    text('capture-status', `${li.dataset.label} captured.`);
    current = nextMissing();
  } catch (e) {
    text('capture-status', e.message || String(e));
  } finally {
    busy = false;
    promptPose();
  }
}

function retake(li) {
  delete shots[li.dataset.pose];
  markPose(li, null);
  current = poseItems.indexOf(li);
  text('capture-status', `Retake the ${li.dataset.label.toLowerCase()} pose.`);
  promptPose();
  $('capture-pose').focus();
}

function back() {
  face.closeCamera(video);
  show('employee');
  select.focus();
}

async function submitCapture() {
  if (busy || nextMissing() >= 0) return;
  busy = true;
  $('submit-capture').disabled = true;
  text('capture-status', 'Sending the five poses…');
  const body = {
    userId: employee.code,
    consent_given: $('consent').checked,
    captures: poseItems.map((li) => ({ pose: li.dataset.pose, imageData: shots[li.dataset.pose].snapshot,
      descriptor: shots[li.dataset.pose].descriptor })),
  };
  const r = await api('POST', '/api/enrollment/capture', body);
  busy = false;
  if (!r.ok) {
    const pose = r.body && r.body.pose;
    const li = poseItems.find((x) => x.dataset.pose === pose);
    if (li && r.body.code === 'INCONSISTENT_CAPTURES') {
      delete shots[pose];
      markPose(li, null, true);
      current = poseItems.indexOf(li);
      promptPose();
    } else {
      $('submit-capture').disabled = false;
    }
    text('capture-status', r.body.message);
    return;
  }
  face.closeCamera(video);
  showProfile(r.body.data, r.body.message);
}

/* ---- 3. profile --------------------------------------------------------- */

function showProfile(data, message) {
  const thumb = $('thumbnail');
  if (data.thumbnail) {
    thumb.src = data.thumbnail;
    thumb.alt = `Enrollment picture of ${employee.name}`;
    thumb.hidden = false;
  } else {
    thumb.hidden = true;
  }
  text('result-summary', message ? `${message}: ${employee.name}.` : `${employee.name}'s profile.`);
  text('result-employee', `${employee.name} (${employee.code})`);
  profileStatus = data.enrollment_status;
  text('result-status', statusWords(profileStatus));
  const t = $('result-time');
  t.setAttribute('datetime', data.enrolled_at || '');
  t.textContent = localTime(data.enrolled_at);
  text('result-images', data.image_count ? String(data.image_count) : '—');
  if (mayDeploy) {
    show('deploy');
    loadDevices();
  } else {
    show('result');
    $('h-result').focus();
  }
}

function deployExisting() {
  if (!employee || !status) return;
  showProfile({ thumbnail: status.thumbnail, enrollment_status: status.enrollment_status,
    enrolled_at: status.enrolled_at, image_count: null }, 'Existing profile');
}

/* ---- 4. deploy to edge devices ---------------------------------------- */

const STATE_WORDS = { online: '', offline: ' (Offline)', provisioning: ' (Provisioning)' };

function deviceBoxes() {
  return Array.from(document.querySelectorAll('#device-list input[type="checkbox"]'));
}

function updateSelection() {
  const boxes = deviceBoxes();
  const online = boxes.filter((b) => !b.disabled);
  const chosen = online.filter((b) => b.checked);
  text('selected-count', String(chosen.length));
  text('online-count', String(online.length));
  const all = $('select-online');
  all.disabled = online.length === 0;
  all.checked = online.length > 0 && chosen.length === online.length;
  all.indeterminate = chosen.length > 0 && chosen.length < online.length;
  $('deploy-submit').disabled = chosen.length === 0;
}

async function loadDevices() {
  const list = $('device-list');
  list.replaceChildren();
  $('deploy-form').hidden = false;
  $('deploy-results').hidden = true;
  text('deploy-error', '');
  text('devices-status', 'Loading the devices…');
  updateSelection();
  $('h-deploy').focus();
  const r = await api('GET', '/api/iot/devices?capability=face_recognition&limit=1000');
  if (!r.ok) {
    text('devices-status', r.body.message);
    return;
  }
  const tpl = $('device-row');
  r.body.devices.forEach((d, i) => {
    const li = tpl.content.firstElementChild.cloneNode(true);
    const box = li.querySelector('input');
    const label = li.querySelector('label');
    box.id = `device-${i}`;
    box.value = d.device_id;
    label.htmlFor = box.id;
    li.classList.add(`device-${d.status}`);
    li.querySelector('.dot').classList.add(`dot-${d.status}`);
    li.querySelector('.device-name').textContent = d.display_name;
    li.querySelector('.device-state').textContent = STATE_WORDS[d.status] ?? ` (${d.status})`;
    li.querySelector('.device-id').textContent = `[${d.device_id}]`;
    if (d.location_label) li.querySelector('.loc').textContent = d.location_label;
    else li.querySelector('.device-location').remove();
    if (d.status === 'online') {
      box.checked = true;
    } else {
      box.disabled = true;
      box.setAttribute('aria-describedby', 'device-legend');
    }
    list.appendChild(li);
  });
  const b = r.body;
  listing = b.total === 0
    ? 'No face-recognition devices are registered for this hotel.'
    : `${b.total} device${b.total === 1 ? '' : 's'}: ${b.online} online, ${b.offline} offline`
      + (b.total - b.online - b.offline > 0 ? `, ${b.total - b.online - b.offline} provisioning` : '') + '.';
  text('devices-status', listing);
  updateSelection();
}

function selectAllOnline() {
  const on = $('select-online').checked;
  deviceBoxes().filter((b) => !b.disabled).forEach((b) => { b.checked = on; });
  updateSelection();
}

async function deploy(ev) {
  ev.preventDefault();
  if (busy) return;
  const targets = deviceBoxes().filter((b) => !b.disabled && b.checked).map((b) => b.value);
  if (targets.length === 0) return;
  busy = true;
  $('deploy-submit').disabled = true;
  text('deploy-error', '');
  text('devices-status', `Deploying to ${targets.length} device${targets.length === 1 ? '' : 's'}…`);
  const r = await api('POST', '/api/iot/enrollments/push',
    { employee_id: employee.code, target_devices: targets, push_mode: 'selected' });
  busy = false;
  if (!r.ok) {
    text('devices-status', listing);
    text('deploy-error', r.body.message);
    updateSelection();
    return;
  }
  showResults(r.body);
}

function showResults(answer) {
  const d = answer.data;
  const names = {};
  deviceBoxes().forEach((b) => { names[b.value] = b.parentElement.querySelector('.device-name').textContent; });
  const list = $('result-list');
  list.replaceChildren();
  const tpl = $('result-row');
  d.results.forEach((res) => {
    const li = tpl.content.firstElementChild.cloneNode(true);
    li.classList.add(res.success ? 'result-ok' : 'result-failed');
    li.dataset.device = res.device_id;
    li.querySelector('.result-mark').textContent = res.success ? '✓' : '✗';
    li.querySelector('.result-name').textContent = names[res.device_id] || res.device_id;
    li.querySelector('.device-id').textContent = `[${res.device_id}]`;
    li.querySelector('.result-text').textContent = res.success
      ? `Deployed${res.sync_version !== undefined ? ` (sync version ${res.sync_version})` : ''}`
      : `Failed: ${res.error || 'unknown error'}`;
    list.appendChild(li);
  });
  text('deploy-message', `${answer.message}. ${d.devices_updated} of ${d.devices_targeted} updated, `
    + `${d.devices_failed} failed. ${employee.name} is now ${statusWords(d.new_status)}.`);
  profileStatus = d.new_status;
  text('result-status', statusWords(profileStatus));
  text('devices-status', listing);
  updateSelection();
  $('deploy-results').hidden = false;
  $('h-results').focus();
}

function cancelDeploy() {
  text('deploy-message', `Not deployed. ${employee.name}'s profile stays ${statusWords(profileStatus)}`
    + '; it can be deployed later from this page.');
  $('result-list').replaceChildren();
  $('deploy-form').hidden = true;
  $('deploy-results').hidden = false;
  $('h-results').focus();
}

/* ---- wiring ------------------------------------------------------------- */

select.addEventListener('change', chooseEmployee);
$('employee-form').addEventListener('submit', startCapture);
$('capture-pose').addEventListener('click', capturePose);
$('submit-capture').addEventListener('click', submitCapture);
$('capture-back').addEventListener('click', back);
poseItems.forEach((li) => li.querySelector('.retake').addEventListener('click', () => retake(li)));
if (mayDeploy) {
  $('deploy-existing').addEventListener('click', deployExisting);
  $('deploy-form').addEventListener('submit', deploy);
  $('deploy-form').addEventListener('change', (ev) => {
    if (ev.target.id === 'select-online') selectAllOnline();
    else updateSelection();
  });
  $('deploy-cancel').addEventListener('click', cancelDeploy);
}
// warm face-api up while the employee is chosen
face.load().catch(() => {});
if (select.value) chooseEmployee();
