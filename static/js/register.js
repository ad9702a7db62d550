// static/js/register.js — the camera form that registers one face
// (templates/face_register.mustache): on a manager's page for a staff
// member (/dashboard/staff/{id}/register) and on a staff member's own page
// (/dashboard/me). One picture from the camera through static/js/face.js,
// then POST register-face/ {descriptor, consent_given, staff_id}. The
// answer names the audit action — REGISTERED or RE_REGISTERED, read back
// from the face audit log when the caller may read it, else from whether
// the person had face data before — or the refusal's own message.
import * as face from './face.js';
import { api } from './api.js';

const form = document.getElementById('face-form');
const $ = (id) => document.getElementById(id);

function say(msg) {
  $('face-progress').textContent = msg;
}

function showResult(code, message, ok) {
  const box = $('face-result');
  box.classList.toggle('result-ok', ok);
  box.classList.toggle('result-failed', !ok);
  $('face-result-code').textContent = code;
  $('face-result-text').textContent = message;
  box.hidden = false;
  box.focus();
}

async function start() {
  const video = $('camera');
  const take = $('face-capture');
  const send = $('face-submit');
  let shot = null;
  let busy = false;

  take.addEventListener('click', async () => {
    if (busy) return;
    busy = true;
    take.disabled = true;
    send.disabled = true;
    $('face-result').hidden = true;
    say('Looking for one face…');
    try {
      shot = await face.capture(video);
      const img = $('snapshot');
      img.src = shot.snapshot;
      img.alt = 'The picture taken';
      img.hidden = false;
      say('Picture taken. Register it, or take another.');
      take.textContent = 'Take another picture';
      send.disabled = false;
    } catch (e) {
      shot = null;
      say(e.message || String(e));
    } finally {
      busy = false;
      take.disabled = false;
    }
  });

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (busy || !shot) return;
    busy = true;
    take.disabled = true;
    send.disabled = true;
    say('Registering…');
    const staffId = Number(form.dataset.staffId);
    const r = await api('POST', form.dataset.register,
      { descriptor: shot.descriptor, consent_given: $('consent').checked, staff_id: staffId });
    busy = false;
    take.disabled = false;
    if (!r.ok) {
      say('Not registered.');
      send.disabled = false;
      showResult('Refused:', r.body.message, false);
      return;
    }
    let action = form.dataset.hadFace ? 'RE_REGISTERED' : 'REGISTERED';
    if (form.dataset.audit) {
      const a = await api('GET', `${form.dataset.audit}?staff_id=${staffId}&limit=1`);
      if (a.ok && a.body.length && a.body[0].id === r.body.audit_log_id) action = a.body[0].action;
    }
    form.dataset.hadFace = '1';
    say('Registered.');
    showResult(action, action === 'RE_REGISTERED'
      ? `The face data of ${form.dataset.name} was replaced (audit entry ${r.body.audit_log_id}).`
      : `${form.dataset.name} can now clock in by face (audit entry ${r.body.audit_log_id}).`, true);
    const status = $('face-status');
    if (status) status.textContent = 'Registered just now';
    const withdraw = $('withdraw');
    if (withdraw) withdraw.hidden = false;
    shot = null;
  });

  try {
    await face.openCamera(video);
    say('Loading face recognition…');
    await face.load();
    say('Ready. Look at the camera, then take a picture.');
    take.disabled = false;
  } catch (e) {
    say(e.message || String(e));
  }
}

if (form) start();
