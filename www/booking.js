// The booking page's own script (external: the page runs under a strict CSP). Legacy style:
// handlers are attached per button and pass the click event along; one old code path builds
// an IE11-style { srcElement } event. Everything from the client or the provider is shown as
// text (textContent), never as HTML.
(function () {
  'use strict';

  var $ = function (id) { return document.getElementById(id); };
  var client = null;
  var providerOrigin = '';
  var lastAppointmentId = null;
  var cards = {}; // correlation id -> card
  var STATES = ['init', 'in_progress', 'completed', 'failed'];

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function setStatus(text, kind) {
    var status = $('status');
    status.textContent = text;
    status.className = 'status ' + kind;
  }

  // Tomorrow at 09:30 local time, as the datetime-local input wants it.
  function defaultSlot() {
    var d = new Date(Date.now() + 86400000);
    d.setHours(9, 30, 0, 0);
    var pad = function (n) { return String(n).padStart(2, '0'); };
    return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + 'T' + pad(d.getHours()) + ':' + pad(d.getMinutes());
  }

  function formRequest() {
    var slot = $('slot').value;
    var start = slot ? new Date(slot) : null;
    return {
      calendarId: 'cal_riverside-gp',
      slotStart: start && !isNaN(start) ? start.toISOString() : slot,
      durationMinutes: Number($('duration').value),
      patientName: $('patient-name').value,
      patientEmail: $('patient-email').value,
      patientPhone: $('patient-phone').value || undefined,
      notes: $('notes').value || undefined,
    };
  }

  // One card per call (correlation id), updated from the client's log records.
  function card(record) {
    var id = record.correlation_id;
    if (cards[id]) return cards[id];
    var root = el('li', 'booking');
    root.dataset.correlationId = id;
    var head = el('div', 'head');
    var kind = record.event === 'outbox.flush' ? 'outbox flush' : record.event === 'cancel.requested' ? 'cancel' : 'book';
    var label = el('span', 'label', record.action_label || kind);
    var key = el('span', 'key', 'key ' + record.idempotency_key);
    head.appendChild(label);
    head.appendChild(key);
    var states = el('div', 'states');
    var chips = {};
    STATES.forEach(function (s) {
      chips[s] = el('span', s, s.replace('_', ' '));
      states.appendChild(chips[s]);
    });
    var detail = el('div', 'detail', 'waiting…');
    root.appendChild(head);
    root.appendChild(states);
    root.appendChild(detail);
    $('bookings').insertBefore(root, $('bookings').firstChild);
    cards[id] = { root: root, chips: chips, detail: detail, attempt: 0, timer: null };
    showState(cards[id], record.state);
    return cards[id];
  }

  function showState(c, state) {
    var reached = state === 'failed' ? ['init', 'in_progress', 'failed'] : STATES.slice(0, STATES.indexOf(state) + 1);
    STATES.forEach(function (s) {
      var chip = c.chips[s];
      chip.className = s + (reached.indexOf(s) >= 0 ? ' done' : '') + (s === state ? ' current' : '');
    });
    c.root.dataset.state = state;
  }

  function countdown(c, attempt, ms) {
    clearInterval(c.timer);
    var until = Date.now() + ms;
    var tick = function () {
      var left = Math.max(0, until - Date.now());
      c.detail.textContent = 'attempt ' + attempt + ' failed; retry ' + (attempt + 1) + ' in ' + left + ' ms';
      if (!left) clearInterval(c.timer);
    };
    tick();
    c.timer = setInterval(tick, 100);
  }

  function onRecord(record) {
    appendLog(record);
    var c = card(record);
    if (record.event === 'state.changed') showState(c, record.state);
    if (record.event === 'attempt.started' && (record.step === 'create' || record.step === 'cancel')) {
      clearInterval(c.timer);
      c.attempt = record.attempt;
      c.root.dataset.attempts = String(record.attempt);
      c.detail.textContent = record.step + ' attempt ' + record.attempt + '…';
    }
    if (record.event === 'retry.scheduled') countdown(c, record.attempt, record.delay_ms);
    if (record.event === 'poll.scheduled') c.detail.textContent = 'pending at the provider; polling…';
    if (record.event === 'compensation.started') c.detail.textContent = 'follow-up failed; cancelling the appointment…';
    if (record.event === 'idempotency.joined') c.detail.textContent = 'joined the booking already in flight';
    // Flushing an event the previous page left pending is not a booking: no state machine.
    if (record.event === 'outbox.flush') {
      c.flush = true;
      c.root.querySelector('.states').style.display = 'none';
      c.detail.textContent = 'publishing the event the previous page left pending (appointment ' + record.appointment_id + ')…';
    }
    if (record.event === 'outbox.published' && c.flush) {
      c.detail.textContent = 'event for appointment ' + record.appointment_id + ' published';
    }
    if (record.event === 'outbox.publish_failed' && c.flush) {
      c.detail.textContent = 'the event is still pending (' + record.error_code + '); it will be sent again on the next flush';
    }
  }

  function appendLog(record) {
    var line = el('li', record.level, JSON.stringify(record));
    var log = $('log');
    log.insertBefore(line, log.firstChild);
    while (log.childNodes.length > 80) log.removeChild(log.lastChild);
  }

  function showResult(result) {
    var c = cards[result.correlationId];
    if (!c) return;
    clearInterval(c.timer);
    showState(c, result.state);
    c.root.dataset.result = JSON.stringify({
      state: result.state, error: result.error && result.error.code, attempts: result.attempts,
      replay: result.idempotentReplay, compensated: result.compensated, appointmentId: result.appointmentId,
    });
    var parts = [];
    if (result.appointmentId) parts.push('appointment ' + result.appointmentId);
    parts.push(result.attempts + ' attempt' + (result.attempts === 1 ? '' : 's'));
    if (result.retries) parts.push(result.retries + ' retr' + (result.retries === 1 ? 'y' : 'ies'));
    if (result.idempotentReplay) parts.push('answered from the idempotency store (no provider call)');
    if (result.compensated) parts.push('compensated: the appointment was cancelled again');
    if (result.error) {
      var cause = result.error.cause ? ' ← ' + result.error.cause.code : '';
      parts.push(result.error.code + cause + ': ' + result.error.message);
    }
    parts.push(result.durationMs + ' ms');
    c.detail.textContent = parts.join(' · ');
    c.detail.className = 'detail' + (result.error ? ' error' : '');
    if (result.state === 'completed' && result.operation === 'book' && result.appointmentId) {
      lastAppointmentId = result.appointmentId;
    }
  }

  function run(promise) {
    promise.then(showResult);
  }

  function renderList(target, rows) {
    var dl = $(target);
    while (dl.firstChild) dl.removeChild(dl.firstChild);
    rows.forEach(function (row) {
      dl.appendChild(el('dt', '', row[0]));
      var dd = el('dd', row[2] ? 'bad' : '', String(row[1]));
      dd.dataset.name = row[0];
      dl.appendChild(dd);
    });
  }

  function refresh() {
    if (!client) return;
    var b = client.breaker();
    var badge = $('breaker-state');
    badge.textContent = b.state.replace('_', '-');
    badge.className = 'badge ' + b.state;
    $('breaker-detail').textContent = b.state === 'open'
      ? (b.retryInMs > 0 ? 'cool-down: ' + (b.retryInMs / 1000).toFixed(1) + ' s left' : 'cool-down over: the next booking is the probe')
      : b.failures + ' of ' + b.threshold + ' consecutive failures · opened ' + b.opens + '×';
    var m = client.metrics();
    var pct = m.successRate === null ? '–' : (m.successRate * 100).toFixed(0) + '%';
    renderList('metrics', [
      ['bookings', m.bookings], ['completed', m.completed], ['failed', m.failed], ['success rate', pct],
      ['retries', m.retries], ['idempotent hits', m.idempotentHits], ['compensations', m.compensations],
      ['p50 / p95', (m.p50Ms === null ? '–' : m.p50Ms + ' ms') + ' / ' + (m.p95Ms === null ? '–' : m.p95Ms + ' ms')],
      ['outbox pending', client.outbox().filter(function (e) { return e.status === 'pending'; }).length],
    ]);
  }

  function refreshProvider() {
    fetch(providerOrigin + '/__admin/stats').then(function (r) { return r.json(); }).then(function (s) {
      var calls = s.counters.calls;
      var created = Object.keys(s.counters.createdPerKey).reduce(function (n, k) { return n + s.counters.createdPerKey[k]; }, 0);
      var active = s.appointments.filter(function (a) { return a.appointment.status !== 'cancelled'; }).length;
      renderList('provider', [
        ['scenario', s.scenario], ['appointments created', created], ['active', active],
        ['create / get / cancel / events', [calls.create || 0, calls.get || 0, calls.cancel || 0, calls.publish || 0].join(' / ')],
        ['replays · 409 · 422', [s.counters.replays, s.counters.inFlightConflicts, s.counters.keyMismatches].join(' · ')],
        ['duplicates', s.duplicates.length ? s.duplicates.join(', ') : 'none', s.duplicates.length > 0],
      ]);
    }, function () {
      renderList('provider', [['provider', 'unreachable', true]]);
    });
  }

  function setScenario(name) {
    return fetch(providerOrigin + '/__admin/scenario', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ scenario: name }),
    }).then(refreshProvider);
  }

  $('slot').value = defaultSlot();
  $('book').addEventListener('click', function (event) { run(client.handle(event, formRequest())); });
  // The old code path: an IE11-style event object with srcElement only.
  $('book-ie11').addEventListener('click', function () { run(client.handle({ srcElement: this }, formRequest())); });
  $('cancel-last').addEventListener('click', function (event) {
    run(client.handle(event, { appointmentId: lastAppointmentId || '' }));
  });
  $('scenario').addEventListener('change', function () { setScenario(this.value); });

  var config = fetch('/demo-config.json').then(function (r) { return r.json(); });
  Promise.all([RaptorSecondary.ready, config]).then(function (values) {
    var cfg = values[1];
    providerOrigin = new URL(cfg.providerUrl).origin;
    // storage: 'indexeddb' keeps idempotency keys, the outbox and the breaker across reloads
    // and tabs, so reloading in the middle of a booking, or booking the same slot in another
    // tab, reuses the same key: no double booking. Events left pending publish themselves.
    client = new RaptorSecondary.AppointmentClient(Object.assign({ baseUrl: cfg.providerUrl, storage: 'indexeddb' }, cfg.client));
    client.subscribe(onRecord);
    return client.ready;
  }).then(function () {
    ['book', 'book-ie11', 'cancel-last'].forEach(function (id) { $(id).disabled = false; });
    var restored = client.restored();
    setStatus('Ready · provider ' + providerOrigin + ' · restored ' + restored.records + ' booking record'
      + (restored.records === 1 ? '' : 's') + ' and ' + restored.outbox + ' outbox event' + (restored.outbox === 1 ? '' : 's'), 'ready');
    setInterval(refresh, 200);
    setInterval(refreshProvider, 1000);
    refresh();
    refreshProvider();
  }).catch(function (error) {
    setStatus('Could not start: ' + (error && error.message ? error.message : error), 'error');
  });
})();
