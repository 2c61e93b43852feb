// The provider calls: one fetch per `send` command, with the headers the core asked for and
// an AbortController, read back as the few fields the core acts on. Never rejects; no text of
// an error body reaches the core.
import { record } from './guard.js';

const hasOwn = Object.prototype.hasOwnProperty;

/** `url` resolved against the provider's origin when it is a path (a relative `statusUrl`). */
function absolute(url, base) {
  if (!url.startsWith('/') || url.startsWith('//')) return url;
  try {
    return new URL(url, new URL(base, globalThis.location ? globalThis.location.href : undefined)).href;
  } catch {
    return url; // a relative base and no page location: left to the fetch function
  }
}

/** An answer for the core: every field own, so its getters see nothing inherited. */
const answer = (kind, status, retryAfter, id, appointmentStatus, statusUrl) => ({
  kind, status, retryAfter, id, appointmentStatus, statusUrl,
});
const ownText = (body, key) => {
  const v = body !== null && typeof body === 'object' && hasOwn.call(body, key) ? body[key] : undefined;
  return typeof v === 'string' ? v : undefined;
};

/**
 * Makes one provider call and reads what the core needs of its answer: the status, a
 * `Retry-After`, and a 2xx body's own `id`, `status` and `statusUrl`. Never rejects. No text of
 * an error body or of a rejection is read: a provider that echoes the patient back cannot put
 * their data into results, storage or logs.
 */
async function call(fetchFn, url, init) {
  let response;
  try {
    response = await (fetchFn ? fetchFn(url, init) : globalThis.fetch(url, init));
  } catch {
    return answer('network');
  }
  try {
    const status = response.status;
    if (typeof status !== 'number') return answer('bad');
    if (status < 200 || status >= 300) {
      const retryAfter = response.headers && typeof response.headers.get === 'function'
        ? response.headers.get('Retry-After') : null;
      return answer('status', status, typeof retryAfter === 'string' ? retryAfter : undefined);
    }
    const text = await response.text();
    let body;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      return answer('bad', status);
    }
    return answer('ok', status, undefined, ownText(body, 'id'), ownText(body, 'status'), ownText(body, 'statusUrl'));
  } catch {
    return answer('network');
  }
}


/**
 * Sends the core's `send` command: `Idempotency-Key` and `X-Correlation-Id` on every call, the
 * body as JSON, `signal` to abort it, after `before` (a promise: what must be written first).
 * Resolves to the answer the core reads.
 */
export function send(fetchFn, base, command, signal, before) {
  const headers = record({
    Accept: 'application/json',
    'Idempotency-Key': command.key,
    'X-Correlation-Id': command.correlationId,
  });
  // No prototype: fetch reads RequestInit members with [[Get]], so fields a script put on
  // Object.prototype (`body`, `credentials`, ...) would otherwise be sent.
  const init = record({ method: command.method, headers });
  if (signal) init.signal = signal;
  if (command.body !== null) {
    headers['Content-Type'] = 'application/json';
    init.body = command.body;
  }
  const go = () => call(fetchFn, absolute(command.url, base), init);
  return before ? before.then(go) : go();
}
