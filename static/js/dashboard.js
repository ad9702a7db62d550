// static/js/dashboard.js — what the dashboard's pages do besides forms
// (forms.js): <time datetime data-local> shown in the hotel's time zone
// (<body data-timezone>), and the board (#board) refreshing itself every
// 30 s from the currently-clocked-in API (the same rows, flags and
// thresholds the server rendered; text only, never markup). No framework.
(function () {
  'use strict';

  var REFRESH_MS = 30000;
  var zone = document.body && document.body.getAttribute('data-timezone');

  function localText(iso) {
    var d = new Date(iso);
    if (isNaN(d.getTime())) return null;
    try {
      var f = new Intl.DateTimeFormat('en-GB', {
        timeZone: zone || undefined, year: 'numeric', month: '2-digit', day: '2-digit',
        hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
      });
      var p = {};
      f.formatToParts(d).forEach(function (x) { p[x.type] = x.value; });
      return p.year + '-' + p.month + '-' + p.day + ' ' + p.hour + ':' + p.minute;
    } catch (e) {
      return null;
    }
  }

  function localizeTimes(root) {
    root.querySelectorAll('time[data-local]').forEach(function (t) {
      var text = localText(t.getAttribute('datetime'));
      if (text) {
        t.textContent = text;
        if (zone) t.title = zone;
      }
    });
  }

  function durationText(hours) {
    var mins = hours > 0 ? Math.round(hours * 60) : 0;
    if (mins < 60) return mins + ' min';
    var m = mins % 60;
    return Math.floor(mins / 60) + ' h ' + (m < 10 ? '0' : '') + m + ' min';
  }

  function cell(tag, text, cls) {
    var c = document.createElement(tag);
    if (cls) c.className = cls;
    if (text !== null && text !== undefined) c.textContent = text;
    return c;
  }

  function badge(text, level) {
    var s = document.createElement('span');
    s.className = 'badge badge-' + level;
    s.textContent = text;
    return s;
  }

  function boardRow(row, table, departments) {
    var tr = document.createElement('tr');
    tr.setAttribute('data-log', String(row.log_id));
    var name = cell('th', row.staff_name);
    name.scope = 'row';
    tr.appendChild(name);
    tr.appendChild(cell('td', departments[row.department_id] || '—'));
    var since = cell('td');
    var t = document.createElement('time');
    t.setAttribute('datetime', row.time_in);
    t.setAttribute('data-local', '');
    t.textContent = localText(row.time_in) || row.time_in;
    since.appendChild(t);
    tr.appendChild(since);
    tr.appendChild(cell('td', durationText(row.session_duration_hours)));
    var flags = cell('td');
    var th = table.dataset;
    var any = false;
    [['needs_break_warning', 'Break due (' + th.break + ' h)', 'info'],
     ['needs_long_session_warning', 'Overtime (' + th.overtime + ' h)', 'warn'],
     ['needs_hard_stop_warning', 'Past hard limit (' + th.hard + ' h)', 'danger'],
     ['should_clock_out', 'Must clock out', 'danger']].forEach(function (f) {
      if (!row[f[0]]) return;
      flags.appendChild(badge(f[1], f[2]));
      flags.appendChild(document.createTextNode(' '));
      any = true;
    });
    if (!any) flags.appendChild(cell('span', 'None', 'muted'));
    tr.appendChild(flags);
    return tr;
  }

  function startBoard(table) {
    var departments = {};
    try {
      JSON.parse(table.getAttribute('data-departments') || '[]').forEach(function (d) {
        departments[d.id] = d.name;
      });
    } catch (e) { /* names stay blank */ }
    var status = document.getElementById('board-updated');
    var count = document.querySelector('[data-count="clocked_in"]');

    async function refresh() {
      if (document.hidden) return;
      try {
        var r = await fetch(table.getAttribute('data-src'), {
          headers: { 'Accept': 'application/json' }, credentials: 'same-origin',
        });
        if (r.status === 401) {
          window.location.assign('/dashboard/login?next=' + encodeURIComponent(location.pathname));
          return;
        }
        if (!r.ok) throw new Error('status ' + r.status);
        var rows = await r.json();
        var body = document.createElement('tbody');
        rows.forEach(function (row) { body.appendChild(boardRow(row, table, departments)); });
        if (rows.length === 0) {
          var tr = document.createElement('tr');
          tr.className = 'empty';
          var td = cell('td', 'Nobody is clocked in.');
          td.colSpan = 5;
          tr.appendChild(td);
          body.appendChild(tr);
        }
        table.replaceChild(body, table.tBodies[0]);
        if (count) count.textContent = r.headers.get('X-Total-Count') || String(rows.length);
        if (status) status.textContent = 'Updated ' + (localText(new Date().toISOString()) || '') + '.';
        table.setAttribute('data-refreshed', String(Date.now()));
      } catch (e) {
        if (status) status.textContent = 'Could not refresh; retrying.';
      }
    }
    setInterval(refresh, REFRESH_MS);
    document.addEventListener('visibilitychange', function () { if (!document.hidden) refresh(); });
  }

  localizeTimes(document);
  var board = document.getElementById('board');
  if (board) startBoard(board);
})();
