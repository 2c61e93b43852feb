'use strict';
// The legacy booking flow, reconstructed from the project brief for the before/after
// comparison (Shared/): a click handler calls the legacy getActionLabel (srcElement ignored),
// routes the label, and makes ONE call to the provider: no Idempotency-Key, no retry, no
// timeout, no circuit breaker, no follow-up event, and unstructured log lines without
// correlation ids. A 202 is taken as done (no polling). An unknown or empty label does
// nothing. Its interface mirrors AppointmentClient's so the same scenario runner drives both;
// do not "fix" it here.

const { getActionLabel } = require('./compatActionLabel.js');

function createLegacyBooking({ fetch, baseUrl = '/api/v2', log = () => {} }) {
  let completed = 0;
  let failed = 0;
  const latencies = [];

  function result(operation, state, fields, started) {
    const durationMs = Date.now() - started;
    latencies.push(durationMs);
    if (state === 'completed') completed += 1;
    else failed += 1;
    return {
      operation, state, appointmentId: null, error: null, attempts: 0, retries: 0,
      idempotentReplay: false, compensated: false, correlationId: null, idempotencyKey: null,
      actionLabel: null, durationMs, ...fields,
    };
  }

  async function call(operation, url, init, started) {
    let response;
    try {
      response = await fetch(url, init);
    } catch (e) {
      log({ event: 'legacy', message: `booking error: ${e && e.message}` });
      return result(operation, 'failed', { attempts: 1, error: { code: 'network_error', message: String(e) } }, started);
    }
    const body = await response.json().catch(() => null);
    if (response.status >= 200 && response.status < 300) {
      log({ event: 'legacy', message: `${operation} ok ${response.status}` });
      return result(operation, 'completed', { attempts: 1, appointmentId: body && body.id }, started);
    }
    log({ event: 'legacy', message: `${operation} failed ${response.status}` });
    return result(operation, 'failed', { attempts: 1, error: { code: `http_${response.status}`, message: 'provider error' } }, started);
  }

  function book(request) {
    const started = Date.now();
    return call('book', `${baseUrl}/appointments`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(request),
    }, started);
  }

  function cancel(appointmentId) {
    const started = Date.now();
    return call('cancel', `${baseUrl}/appointments/${appointmentId}/cancel`, { method: 'POST', headers: {} }, started);
  }

  return {
    book,
    cancel,
    async handle(event, request) {
      const started = Date.now();
      const label = getActionLabel(event);
      if (label === 'book-appointment') return { ...(await book(request)), actionLabel: label };
      if (label === 'cancel-appointment') return { ...(await cancel(request.appointmentId)), actionLabel: label };
      // The legacy page routes nothing for an empty or unknown label: the click is lost.
      return result(null, 'noop', { actionLabel: label }, started);
    },
    metrics() {
      const sorted = [...latencies].sort((a, b) => a - b);
      const at = (p) => (sorted.length ? sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1] : null);
      const total = completed + failed;
      return {
        bookings: total, completed, failed, successRate: total ? completed / total : null, retries: 0,
        idempotentHits: 0, breakerOpens: 0, compensations: 0, reconciliations: 0, p50Ms: at(50), p95Ms: at(95),
      };
    },
    breaker() {
      return { state: 'none', failures: 0, retryInMs: 0, opens: 0, threshold: 0, cooldownMs: 0 };
    },
    outbox() {
      return [];
    },
  };
}

module.exports = { createLegacyBooking };
