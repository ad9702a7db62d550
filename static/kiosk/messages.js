// static/kiosk/messages.js — what the kiosk says, in plain language, for
// every error code its endpoints can answer (GET /api/auth/me,
// face-clock-in/, unrostered-confirm/, force-log/, long-session-ack/;
// contract sections 2 and 5, docs/api.md), and for the safety flags of a
// clock-in/out answer. The server's own message is never shown to the
// person at the kiosk: these are written for them.

// code -> {title, text}; `context` picks a variant where the same code means
// something else on another endpoint.
const BASE = {
  FACE_NOT_RECOGNIZED: { title: 'Face not recognised',
    text: 'We could not find you. If you have not registered your face yet, please ask a manager.' },
  FACE_CONFIDENCE_TOO_LOW: { title: 'Please try again',
    text: 'We could not be sure it is you. Face the camera in good light, remove sunglasses or a hat, and hold still.' },
  FACE_DISABLED_FOR_HOTEL: { title: 'Face clock-in is switched off',
    text: 'This hotel does not use face clock-in at the moment. Please ask a manager.' },
  FACE_DISABLED_FOR_DEPARTMENT: { title: 'Not available for your department',
    text: 'Face clock-in is not switched on for your department. Please ask a manager.' },
  ALREADY_CLOCKED_IN: { title: 'Already clocked in',
    text: 'You are already clocked in. Nothing was changed.' },
  INVALID_FACE_DATA: { title: 'Please try again',
    text: 'The picture could not be read. Step back a little and look at the camera.' },
  VALIDATION_ERROR: { title: 'Something is missing',
    text: 'The request was incomplete. Please try again.' },
  INVALID_JSON: { title: 'Please try again',
    text: 'The kiosk sent something the server could not read. Please try again.' },
  PAYLOAD_TOO_LARGE: { title: 'Please try again',
    text: 'The kiosk sent too much data at once. Please try again.' },
  UNAUTHENTICATED: { title: 'This kiosk is not paired',
    text: 'The kiosk key is no longer valid. A manager needs to pair this kiosk again.' },
  FORBIDDEN: { title: 'Not allowed',
    text: 'This kiosk key may not do that. A manager needs to pair this kiosk with a kiosk key.' },
  NOT_FOUND: { title: 'Hotel not found',
    text: 'The hotel this kiosk belongs to was not found. A manager needs to pair this kiosk again.' },
  METHOD_NOT_ALLOWED: { title: 'Kiosk out of date',
    text: 'The kiosk asked in a way the server does not accept. Reload the page; if it persists, tell a manager.' },
  CONFLICT: { title: 'Please try again',
    text: 'Someone else changed this at the same moment. Please scan again.' },
  SESSION_TOO_LONG: { title: 'You must clock out',
    text: 'You have reached the longest shift allowed. You cannot stay clocked in: please clock out now.' },
  NOT_ROSTERED: { title: 'No shift scheduled',
    text: 'You have no shift scheduled now.' },
  RATE_LIMITED: { title: 'Too many attempts',
    text: 'Please wait a moment and try again.' },
  UNAVAILABLE: { title: 'Server unavailable',
    text: 'The attendance server is not answering. Please try again in a moment.' },
  INTERNAL: { title: 'Something went wrong',
    text: 'The server hit an unexpected problem. Please try again; if it keeps happening, tell a manager.' },
};

// a confirmation token refused, by unrostered-confirm or force-log
const EXPIRED = { title: 'Confirmation expired', text: 'This confirmation is no longer valid. Please scan your face again.' };

const BY_CONTEXT = {
  pair: {
    UNAUTHENTICATED: { title: 'Key not accepted', text: 'That kiosk key is wrong or has been revoked. Check it and try again.' },
    FORBIDDEN: { title: 'Not a kiosk key', text: 'That key is not a kiosk key. A manager creates one for this hotel in the dashboard.' },
  },
  confirm: {
    FORBIDDEN: EXPIRED,
    ALREADY_CLOCKED_IN: { title: 'Already clocked in', text: 'You are already clocked in. Nothing was changed.' },
  },
  force: {
    FORBIDDEN: EXPIRED,
    VALIDATION_ERROR: { title: 'Reason needed', text: 'Please write why you are clocking in without a shift.' },
  },
  ack: {
    NOT_FOUND: { title: 'Session not found', text: 'That session was not found. Please scan again.' },
    CONFLICT: { title: 'Already clocked out', text: 'This session has already ended.' },
  },
};

/**
 * {title, text} for an error code (context: 'pair', 'scan', 'confirm',
 * 'force', 'ack'). An unknown code still gets a sentence.
 */
export function errorMessage(code, context) {
  const m = (BY_CONTEXT[context] || {})[code] || BASE[code];
  return m || { title: 'Something went wrong', text: 'Please try again; if it keeps happening, tell a manager.' };
}

/** Every code this file knows (the browser tests check the contract's list against it). */
export const KNOWN_CODES = Object.keys(BASE);

export const STATES = {
  serverDown: { title: 'Server unavailable',
    text: 'This kiosk cannot reach the attendance server, so clock-in is not possible right now. It will reconnect by itself.' },
  cameraDown: { title: 'Camera unavailable',
    text: 'The camera is not working, so this kiosk cannot see you. It will try again by itself; if it does not recover, tell a manager.' },
  modelsDown: { title: 'Face recognition unavailable',
    text: 'The face recognition files could not be loaded from the server. The kiosk will try again by itself.' },
};

const hours = (h) => `${Number(h).toFixed(1)} hours`;

/**
 * The safety warnings of a clock-in/out answer, most urgent first:
 * [{level: 1 (break) | 2 (overtime) | 3 (hard stop), text}]. Levels
 * escalate with the flags: break (6 h by default), long session /
 * overtime (10 h), hard stop (12 h).
 */
export function safetyWarnings(r) {
  const out = [];
  const h = r.session_duration_hours || 0;
  const open = r.log && r.log.time_out == null;
  if (r.needs_hard_stop_warning) {
    out.push({ level: 3, text: r.should_clock_out && open
      ? `You have been on shift for ${hours(h)}, past the safe limit. You must clock out now.`
      : `You were on shift for ${hours(h)}, past the safe limit. Please rest before you work again, and tell your manager.` });
  }
  if (r.needs_long_session_warning) {
    out.push({ level: 2, text: `That was a long shift (${hours(h)}): overtime. Please take proper rest before your next shift.` });
  } else if (r.overtime_threshold_reached) {
    out.push({ level: 2, text: 'You worked past the end of your planned shift.' });
  }
  if (r.needs_break_warning) {
    out.push({ level: 1, text: `You worked ${hours(h)}. Make sure you take your breaks.` });
  }
  return out;
}
