// static/js/forms.js — the dashboard's forms: a <form data-api="/api/..."
// data-method="POST|PATCH|DELETE"> is sent as the JSON API call it names,
// with the page's CSRF token (<meta name="csrf-token">) in X-CSRF-Token.
// Fields become JSON by their data-type: "number", "bool" (a checkbox's
// state, or a hidden input's or a submit button's value "true"/"false"), "id-list" (the
// checked boxes of that name, as numbers); anything else is a string.
// After success: data-redirect="<url>" goes there, data-result="#id"
// fills that element's [data-field] children from the answer and shows
// it (data-reset also empties the form), otherwise the page reloads. A 400 VALIDATION_ERROR is
// shown next to the field it names ([data-error-for="<field>"]), any
// other error in the form's [data-form-error]. No framework.
(function () {
  'use strict';

  function csrfToken() {
    var m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.getAttribute('content') : null;
  }

  function body(form, submitter) {
    var out = {};
    var lists = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.disabled || el.type === 'submit' || el.type === 'button') return;
      var type = el.getAttribute('data-type');
      if (type === 'id-list') {
        lists[el.name] = lists[el.name] || [];
        if (el.checked) lists[el.name].push(Number(el.value));
        return;
      }
      if (type === 'bool') {
        out[el.name] = el.type === 'hidden' ? el.value === 'true' : el.checked;
        return;
      }
      if ((el.type === 'checkbox' || el.type === 'radio') && !el.checked) return;
      if (type === 'number') {
        if (el.value.trim() === '') return;
        out[el.name] = Number(el.value);
        return;
      }
      out[el.name] = el.value;
    });
    Object.keys(lists).forEach(function (k) { out[k] = lists[k]; });
    if (submitter && submitter.name) {
      out[submitter.name] = submitter.getAttribute('data-type') === 'bool'
        ? submitter.value === 'true' : submitter.value;
    }
    return out;
  }

  function clearErrors(form) {
    form.querySelectorAll('[data-error-for], [data-form-error]').forEach(function (e) { e.textContent = ''; });
    form.querySelectorAll('[aria-invalid]').forEach(function (e) { e.removeAttribute('aria-invalid'); });
  }

  function showError(form, err) {
    var field = err && err.field;
    var msg = (err && err.message) || 'The request failed.';
    if (field) {
      var slot = form.querySelector('[data-error-for="' + CSS.escape(field) + '"]');
      if (slot) {
        slot.textContent = msg;
        var input = form.querySelector('[name="' + CSS.escape(field) + '"]');
        if (input) {
          input.setAttribute('aria-invalid', 'true');
          input.focus();
        }
        return;
      }
    }
    var general = form.querySelector('[data-form-error]');
    if (general) general.textContent = msg;
    else window.alert(msg);
  }

  function showResult(form, answer) {
    var target = document.querySelector(form.getAttribute('data-result'));
    if (!target) return;
    target.querySelectorAll('[data-field]').forEach(function (e) {
      var v = answer ? answer[e.getAttribute('data-field')] : null;
      e.textContent = v === null || v === undefined ? '' : String(v);
    });
    target.hidden = false;
    target.setAttribute('tabindex', '-1');
    target.focus();
  }

  async function send(form, submitter) {
    clearErrors(form);
    var result = form.hasAttribute('data-result') && document.querySelector(form.getAttribute('data-result'));
    if (result) result.hidden = true;
    var method = (form.getAttribute('data-method') || 'POST').toUpperCase();
    var headers = { 'Accept': 'application/json', 'Content-Type': 'application/json' };
    var token = csrfToken();
    if (token) headers['X-CSRF-Token'] = token;
    var buttons = form.querySelectorAll('button');
    buttons.forEach(function (b) { b.disabled = true; });
    try {
      var r = await fetch(form.getAttribute('data-api'), {
        method: method, headers: headers, credentials: 'same-origin',
        body: JSON.stringify(body(form, submitter)),
      });
      var answer = null;
      try { answer = await r.json(); } catch (e) { answer = null; }
      if (!r.ok) {
        if (r.status === 401 && form.getAttribute('data-api') !== '/api/auth/login') {
          window.location.assign('/dashboard/login?next=' + encodeURIComponent(location.pathname + location.search));
          return;
        }
        showError(form, answer);
        return;
      }
      if (form.hasAttribute('data-redirect')) {
        window.location.assign(form.getAttribute('data-redirect'));
      } else if (form.hasAttribute('data-result')) {
        showResult(form, answer);
        if (form.hasAttribute('data-reset')) form.reset();
      } else {
        window.location.reload();
      }
    } catch (e) {
      showError(form, { message: 'The server could not be reached. Try again.' });
    } finally {
      buttons.forEach(function (b) { b.disabled = false; });
    }
  }

  document.addEventListener('submit', function (ev) {
    var form = ev.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute('data-api')) return;
    ev.preventDefault();
    send(form, ev.submitter);
  });
})();
