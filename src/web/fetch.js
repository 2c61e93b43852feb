// One call to the /api/v2 provider over fetch. Resolves (never rejects) to a flat array that
// Rust reads without a deserializer:
//   [kind, status, retryAfter, code, message, id, appointmentStatus, statusUrl]
// kind: 'ok' (2xx; id/appointmentStatus/statusUrl from the body when it has them), 'status'
// (any other status; retryAfter, code, message), 'network' (fetch failed; message),
// 'timeout' (aborted after timeoutMs), 'bad' (not a Response, or 2xx with bad JSON; message).
// The attempt is aborted with an AbortController at timeoutMs; a fetch that ignores the
// signal is raced against the same timer, so the caller is never kept waiting.

function absolute(url, base) {
  if (!url.startsWith('/') || url.startsWith('//')) return url;
  try {
    const origin = new URL(base, globalThis.location ? globalThis.location.href : undefined);
    return new URL(url, origin).href;
  } catch (_) {
    return url; // a relative base and no page location: leave it to the fetch function
  }
}

function messageOf(e) {
  try {
    return String(e && e.message ? e.message : e);
  } catch (_) {
    return 'unknown error';
  }
}

const str = (v) => (typeof v === 'string' ? v : undefined);

// The object form below, flattened.
function flat(a) {
  const body = a.body && typeof a.body === 'object' ? a.body : {};
  return [a.kind, a.status || 0, a.retryAfter, a.code, a.message, str(body.id), str(body.status), str(body.statusUrl)];
}

async function answer(fetchFn, url, init, signal) {
  let response;
  try {
    response = await (fetchFn ? fetchFn(url, init) : globalThis.fetch(url, init));
  } catch (e) {
    return signal && signal.aborted ? { kind: 'timeout' } : { kind: 'network', message: messageOf(e) };
  }
  try {
    const status = response.status;
    if (typeof status !== 'number') return { kind: 'bad', message: 'fetch did not resolve to a Response' };
    const text = await response.text();
    let body;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch (_) {
        if (status >= 200 && status < 300) return { kind: 'bad', message: 'the body is not JSON' };
      }
    }
    if (status >= 200 && status < 300) return { kind: 'ok', status, body };
    const error = body && typeof body === 'object' && body.error && typeof body.error === 'object' ? body.error : {};
    const retryAfter = response.headers && typeof response.headers.get === 'function'
      ? response.headers.get('Retry-After') : null;
    return {
      kind: 'status',
      status,
      retryAfter: retryAfter === null ? undefined : String(retryAfter),
      code: typeof error.code === 'string' ? error.code : undefined,
      message: typeof error.message === 'string' ? error.message : undefined,
    };
  } catch (e) {
    if (signal && signal.aborted) return { kind: 'timeout' };
    return { kind: 'network', message: messageOf(e) };
  }
}

export function send(fetchFn, base, method, url, key, correlationId, body, timeoutMs) {
  const controller = typeof AbortController === 'function' ? new AbortController() : undefined;
  const headers = {
    Accept: 'application/json',
    'Idempotency-Key': key,
    'X-Correlation-Id': correlationId,
  };
  const init = { method, headers, signal: controller && controller.signal };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let timer;
  const timedOut = new Promise((resolve) => {
    timer = setTimeout(() => {
      if (controller) controller.abort();
      resolve({ kind: 'timeout' });
    }, timeoutMs);
  });
    const answered = answer(fetchFn, absolute(url, base), init, controller && controller.signal);
  return Promise.race([answered, timedOut]).then(flat).finally(() => clearTimeout(timer));
}
