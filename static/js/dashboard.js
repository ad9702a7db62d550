// static/js/dashboard.js — what the dashboard's pages do besides forms
// (forms.js): <time datetime data-local> shown in the hotel's time zone
// (<body data-timezone>); the board (#board) refreshing itself from the
// currently-clocked-in API (the same rows, flags and thresholds the server
// rendered; text only, never markup) whenever a clock.* live event arrives
// (EventSource on its data-events stream: nchan, docs/api.md "Live
// events"); and the regions marked data-live (approvals, devices)
// re-rendered from the page itself when an event they name arrives. The
// browser's EventSource reconnects by itself with Last-Event-ID; once the
// stream is open again after a cut, the page also catches up from the
// outbox (data-catchup: GET .../events/?after=<the last event id it
// holds>, data-events-after when it has none yet) and applies those
// events before the live ones, each id once; when the catch-up fails or
// says events were trimmed (gap) it re-reads its data instead. Only when
// the stream is refused or EventSource is missing do they poll every
// 30 s. The events applied, by id and by which way they came, are in
// window.faceclockLive.applied (what the browser tests check). No
// framework.
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

  var record = window.faceclockLive = window.faceclockLive || { applied: [] };
  var APPLIED_KEPT = 1000;
  var CATCHUP_MS = 15000;           // a catch-up page's answer, or it failed
  var RECHECK_MS = 5000;            // the second catch-up after a reconnection

  // Subscribe to the live events of el's data-events stream: onEvent(event)
  // once per event id, whether it came by the stream ('stream') or by a
  // catch-up after a cut ('catchup'). When the stream opens again after a
  // cut (or the browser is back online), the events after the last id held
  // when it was cut are read from data-catchup, page by page, and applied
  // before the live ones that come meanwhile; and once more RECHECK_MS
  // later from that same id (an nginx reload may still drop events posted
  // just after the stream came back); reread() when a catch-up fails or
  // says some were trimmed. When there is no EventSource or the stream is
  // refused (closed for good), fallback() starts polling instead, once.
  function liveEvents(el, onEvent, fallback, reread) {
    var url = el.getAttribute('data-events');
    var catchupUrl = el.getAttribute('data-catchup');
    var last = Number(el.getAttribute('data-events-after')) || 0;
    var fellBack = false;
    function fall() {
      if (fellBack) return;
      fellBack = true;
      fallback();
    }
    if (!url || typeof window.EventSource !== 'function') { fall(); return; }
    var seen = {};
    var held = null;               // live events that came during a catch-up
    var from = null;               // where the next catch-up starts (null: last)
    function apply(ev, via) {
      if (!ev || typeof ev.type !== 'string' || typeof ev.id !== 'number' || seen[ev.id]) return;
      seen[ev.id] = true;
      if (ev.id > last) last = ev.id;
      record.applied.push({ id: ev.id, type: ev.type, via: via });
      if (record.applied.length > APPLIED_KEPT) record.applied.shift();
      onEvent(ev);
    }
    var catchUp = serial(async function () {
      if (!catchupUrl) { reread(); return; }
      var after = from === null ? last : from;
      from = null;
      held = [];
      try {
        var more = true;
        while (more) {
          var r = await fetch(catchupUrl + '?after=' + after + '&limit=1000', {
            headers: { 'Accept': 'application/json' }, credentials: 'same-origin',
            signal: AbortSignal.timeout(CATCHUP_MS),
          });
          if (!r.ok) throw new Error('status ' + r.status);
          var page = await r.json();
          page.events.forEach(function (ev) { apply(ev, 'catchup'); });
          if (page.gap) reread();
          if (page.next > last) last = page.next;
          after = page.next;
          more = page.has_more && page.events.length > 0;
        }
      } catch (e) {
        reread();                  // what the events would have told
      } finally {
        var waiting = held;
        held = null;
        waiting.forEach(function (ev) { apply(ev, 'stream'); });
      }
    });
    function catchUpFrom(id) {
      from = from === null ? id : Math.min(from, id);
      catchUp();
    }
    var es = new EventSource(url, { withCredentials: true });
    es.onmessage = function (m) {
      var ev;
      try { ev = JSON.parse(m.data); } catch (e) { return; }
      if (held) held.push(ev); else apply(ev, 'stream');
    };
    var opened = false;
    var cut = false;
    var cutAt = 0;                 // the last id held when the stream was cut
    es.onopen = function () {
      if (opened && cut) {
        var at = cutAt;
        catchUpFrom(at);
        setTimeout(function () { catchUpFrom(at); }, RECHECK_MS);
      }
      opened = true;
      cut = false;
    };
    es.onerror = function () {
      if (!cut) cutAt = last;
      cut = true;
      if (es.readyState === EventSource.CLOSED) fall();
    };
    // the connection came back: the stream may not have noticed its cut,
    // and reads of the data may have failed meanwhile
    window.addEventListener('online', function () { if (!fellBack) { catchUpFrom(last); reread(); } });
  }

  // fn (async) one run at a time: a call during a run asks for one more
  // run after it (a burst of events, a catch-up's page: one or two reads,
  // the last one after the last event)
  function serial(fn) {
    var running = false;
    var again = false;
    return async function run() {
      if (running) { again = true; return; }
      running = true;
      try {
        do {
          again = false;
          await fn();
        } while (again);
      } finally {
        running = false;
      }
    };
  }

  // A data-live region: re-rendered from the page when one of its events comes.
  function startLiveRegion(region) {
    var types = (region.getAttribute('data-live') || '').split(/\s+/);
    var rerender = serial(async function () {
      try {
        var r = await fetch(location.href, { headers: { 'Accept': 'text/html' }, credentials: 'same-origin' });
        if (!r.ok) return;
        var doc = new DOMParser().parseFromString(await r.text(), 'text/html');
        var fresh = doc.getElementById(region.id);
        if (fresh) {
          region.replaceChildren.apply(region, Array.prototype.slice.call(fresh.childNodes));
          localizeTimes(region);
          region.setAttribute('data-refreshed', String(Date.now()));
        }
      } catch (e) { /* the next event tries again */ }
    });
    liveEvents(region, function (ev) {
      if (types.indexOf(ev.type) >= 0) rerender();
    }, function () { setInterval(rerender, REFRESH_MS); }, rerender);
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

    var refresh = serial(async function () {
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
    });
    liveEvents(table, function (ev) {
      if (ev.type.indexOf('clock.') === 0) {
        table.setAttribute('data-last-event', String(ev.id));
        refresh();
      }
    }, function () { setInterval(refresh, REFRESH_MS); }, refresh);
    document.addEventListener('visibilitychange', function () { if (!document.hidden) refresh(); });
  }

  localizeTimes(document);
  var board = document.getElementById('board');
  if (board) startBoard(board);
  document.querySelectorAll('[data-live][id]').forEach(startLiveRegion);
})();
