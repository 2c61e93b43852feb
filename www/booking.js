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
  // The page's own list of its bookings (what a page keeps to show them again after a reload):
  // ids, states and codes only, no personal data. The client keeps its records itself.
  var listKey = null;
  var list = [];
  var busy = 0;

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
    if (kind === 'book' || kind === 'cancel') remember(id, { label: label.textContent, key: record.idempotency_key, state: record.state });
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
      c.root.dataset.flush = '1';
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
    // A booking the last page left running, finished now under its key.
    list.forEach(function (row) {
      var old = cards[row.id];
      if (row.id !== result.correlationId && row.key === result.idempotencyKey && old && old.root.dataset.restored && row.state !== 'completed') {
        showState(old, result.state);
        old.detail.textContent = 'finished after the reload, under the same key: see the card above';
        remember(row.id, { state: result.state, detail: old.detail.textContent });
      }
    });
    remember(result.correlationId, {
      label: c.root.querySelector('.label').textContent, key: result.idempotencyKey, state: result.state,
      detail: c.detail.textContent, error: !!result.error,
      booked: result.state === 'completed' && result.operation === 'book' ? result.appointmentId : null,
    });
    guide(result);
  }

  // What to try next, from the last result.
  function hint(text, warn) {
    var h = $('hint');
    h.textContent = text;
    h.className = 'hint' + (warn ? ' warn' : '');
  }
  function guide(result) {
    $('slot').classList.toggle('attention', !!result.idempotentReplay && result.operation === 'book');
    var code = result.error && result.error.code;
    if (result.operation === 'cancel' && !code) {
      return hint('Cancelled ' + result.appointmentId + '. Booking the same slot again now makes a new appointment.');
    }
    if (result.idempotentReplay && !code) {
      return hint('Same request, same appointment (' + result.appointmentId + '): answered from the idempotency store, nothing new was made. To book another appointment, change the slot.');
    }
    if (!code) {
      return hint('Booked ' + result.appointmentId + '. Book again without changing anything: the same appointment comes back. Or change the slot, or pick a provider scenario below (fail once, rate limited, down, event endpoint down) and book a new slot.');
    }
    if (code === 'circuit_open') return hint('The breaker is open: bookings are cut short until its cool-down ends. Set the scenario back to immediate, wait, then book: the first booking is the probe.', true);
    if (code === 'outbox_publish_failed') return hint('The follow-up event could not be published, so the appointment was cancelled again (compensation). Set the scenario back to immediate and book a new slot.', true);
    if (code === 'invalid_request') return hint(result.error.message + '. Fix the form and book again.', true);
    if (code === 'unknown_action') return hint('Nothing to cancel yet: book an appointment first.', true);
    return hint('The provider kept failing (' + code + '). Set the scenario back to immediate and book again: it is sent under the same key, so it books at most once.', true);
  }

  function remember(id, fields) {
    if (!listKey) return;
    var row = null;
    for (var i = 0; i < list.length; i++) if (list[i].id === id) row = list[i];
    if (!row) { row = { id: id }; list.unshift(row); }
    Object.keys(fields).forEach(function (k) { row[k] = fields[k]; });
    list = list.slice(0, 30);
    try { localStorage.setItem(listKey, JSON.stringify(list)); } catch (e) { /* full or blocked: the list is only for show */ }
  }

  // The list as the last page left it: each booking as a card, marked restored; one that was
  // still running when the page went away says how to finish it.
  function showRestored() {
    try { list = JSON.parse(localStorage.getItem(listKey) || '[]'); } catch (e) { list = []; }
    if (!Array.isArray(list)) list = [];
    for (var i = list.length - 1; i >= 0; i--) {
      var row = list[i];
      if (row && typeof row.booked === 'string') lastAppointmentId = row.booked; // the newest wins
      if (!row || typeof row.id !== 'string' || cards[row.id]) continue;
      var c = card({ correlation_id: row.id, action_label: row.label, idempotency_key: row.key, state: row.state === 'completed' || row.state === 'failed' ? row.state : 'in_progress' });
      c.root.classList.add('restored');
      c.root.dataset.restored = '1';
      c.detail.textContent = (row.state === 'completed' || row.state === 'failed')
        ? 'before the reload: ' + row.detail
        : 'was running when the page went away: book the same slot again to finish it under the same key';
      c.detail.className = 'detail' + (row.error ? ' error' : '');
    }
  }

  function setBusy(delta) {
    busy += delta;
    var button = $('book');
    button.classList.toggle('busy', busy > 0);
    button.setAttribute('aria-busy', busy > 0 ? 'true' : 'false');
    button.querySelector('.text').textContent = busy > 0 ? 'Booking… (' + busy + ')' : 'Book appointment';
  }

  function run(promise) {
    setBusy(1);
    promise.then(function (result) {
      setBusy(-1);
      showResult(result);
    }, function () { setBusy(-1); });
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
  $('scenario').addEventListener('change', function () {
    setScenario(this.value);
    hint('Provider scenario: ' + this.options[this.selectedIndex].text + '. Change the slot and book to see it.');
  });

  var config = fetch('/demo-config.json').then(function (r) { return r.json(); });
  Promise.all([RaptorSecondary.ready, config]).then(function (values) {
    var cfg = values[1];
    providerOrigin = new URL(cfg.providerUrl).origin;
    // storage: 'indexeddb' keeps idempotency keys, the outbox and the breaker across reloads
    // and tabs, so reloading in the middle of a booking, or booking the same slot in another
    // tab, reuses the same key: no double booking. Events left pending publish themselves.
    client = new RaptorSecondary.AppointmentClient(Object.assign({ baseUrl: cfg.providerUrl, storage: 'indexeddb' }, cfg.client));
    listKey = (cfg.client.storageKey || 'raptor-secondary-demo') + ':page-list';
    showRestored();
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
