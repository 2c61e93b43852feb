// One call to the /api/v2 provider over fetch. Resolves (never rejects) to a flat array that
// Rust reads without a deserializer:
//   [kind, status, retryAfter, id, appointmentStatus, statusUrl]
// kind: 'ok' (2xx; id/appointmentStatus/statusUrl from the body when it has them as own
// fields), 'status' (any other status; retryAfter), 'network' (fetch failed), 'timeout'
// (aborted after timeoutMs), 'bad' (not a Response, a body that is not JSON, or no body).
// No text from the provider's error body or from a fetch rejection is passed on: a provider
// that echoes the patient back must not put their data into results, storage or logs.
// The attempt is aborted with an AbortController at timeoutMs; a fetch that ignores the
// signal is raced against the same timer, so the caller is never kept waiting.

const hasOwn = Object.prototype.hasOwnProperty;

function absolute(url, base) {
  if (!url.startsWith('/') || url.startsWith('//')) return url;
  try {
    const origin = new URL(base, globalThis.location ? globalThis.location.href : undefined);
    return new URL(url, origin).href;
  } catch (_) {
    return url; // a relative base and no page location: leave it to the fetch function
  }
}

/** An own string field of a parsed body: a polluted Object.prototype cannot supply one. */
const text = (body, key) => {
  const v = body !== null && typeof body === 'object' && hasOwn.call(body, key) ? body[key] : undefined;
  return typeof v === 'string' ? v : undefined;
};

async function answer(fetchFn, url, init, signal) {
  let response;
  try {
    response = await (fetchFn ? fetchFn(url, init) : globalThis.fetch(url, init));
  } catch (_) {
    return signal && signal.aborted ? ['timeout', 0] : ['network', 0];
  }
  try {
    const status = response.status;
    if (typeof status !== 'number') return ['bad', 0];
    const ok = status >= 200 && status < 300;
    if (!ok) {
      const retryAfter = response.headers && typeof response.headers.get === 'function'
        ? response.headers.get('Retry-After') : null;
      return ['status', status, typeof retryAfter === 'string' ? retryAfter : undefined];
    }
    const raw = await response.text();
    let body;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch (_) {
      return ['bad', status];
    }
    return ['ok', status, undefined, text(body, 'id'), text(body, 'status'), text(body, 'statusUrl')];
  } catch (_) {
    return signal && signal.aborted ? ['timeout', 0] : ['network', 0];
  }
}

// `body` is the JSON text made in Rust (sent byte for byte as it is, so a retry or a replay of
// an outbox event carries the very same bytes), or undefined. The init and the headers have no
// prototype: fetch reads RequestInit members with [[Get]], so fields a script put on
// Object.prototype (`body`, `credentials`, `referrerPolicy`, ...) would otherwise be sent.
export function send(fetchFn, base, method, url, key, correlationId, body, timeoutMs) {
  const controller = typeof AbortController === 'function' ? new AbortController() : undefined;
  const headers = Object.setPrototypeOf({
    Accept: 'application/json',
    'Idempotency-Key': key,
    'X-Correlation-Id': correlationId,
  }, null);
  const init = Object.setPrototypeOf({ method, headers }, null);
  if (controller) init.signal = controller.signal;
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = body;
  }
  let timer;
  const timedOut = new Promise((resolve) => {
    timer = setTimeout(() => {
      if (controller) controller.abort();
      resolve(['timeout', 0]);
    }, timeoutMs);
  });
  const answered = answer(fetchFn, absolute(url, base), init, controller && controller.signal);
  return Promise.race([answered, timedOut]).finally(() => clearTimeout(timer));
}
