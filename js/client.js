// The AppointmentClient: the public class over the booking core. It reads what a page passes
// (js/guard.js, js/config.js), turns each call into an input for the driver (js/driver.js),
// and reads the core's views. Every method is documented in docs/user-guide.md.

import { MAX_LABEL, classify, optionsError, readReplay, readRequest, readSignal, record, wellFormed } from './guard.js';
import { splitConfig } from './config.js';
import { Driver } from './driver.js';
import {
  BOOK, BREAKER, CANCEL, CLICK, CONFIG, FLUSH, METRICS, NEW_KEY, OUTBOX, PLAN, REFUSE_CLICK, REFUSE_REQUEST, REPLAY, RESTORED,
  TIMER, UNKNOWN,
} from './kinds.js';
import { Tabs } from './tabs.js';

/** What a replayed request came to, from its result. */
function replayStatus(result) {
  const code = result.error ? result.error.code : undefined;
  if (code === 'nothing_to_replay') return 'not_found';
  if (code === 'idempotency_expired') return 'reconcile';
  if (code === 'invalid_request' || code === 'idempotency_key_reused') return 'invalid';
  return result.idempotentReplay ? 'answered' : 'sent';
}

function seed() {
  const bytes = new Uint8Array(32);
  globalThis.crypto.getRandomValues(bytes);
  return bytes;
}

/**
 * The AppointmentClient class over a core: `makeCore(options, seed, now)` makes one,
 * `requestFields`/`configFields` are its field names, `resolveAction` reads a click.
 */
export function defineClient({ makeCore, requestFields, configFields, resolveAction, bucket }) {
  return class AppointmentClient {
    /**
     * Unleash's gradual-rollout bucket of `unit` in `groupId` (1 to 100, murmur3 of
     * `groupId:unit` in the Rust core): `unit` is in a rollout of `p` percent when it is at
     * most `p`. Both are non-empty strings of at most 256 characters.
     */
    static bucket(groupId, unit) {
      for (const [name, value] of [['groupId', groupId], ['unit', unit]]) {
        if (typeof value !== 'string' || value.length === 0 || value.length > 256) {
          throw optionsError(`${name} must be a non-empty string of at most 256 characters, got ${typeof value === 'string' ? `${value.length} characters` : typeof value}`);
        }
      }
      return bucket(groupId, unit);
    }

    #driver;

    constructor(config) {
      const split = splitConfig(config, configFields());
      const core = makeCore(split.options, seed(), Date.now());
      const effective = JSON.parse(core.view(CONFIG, 0));
      const driver = new Driver(core, {
        fetch: split.fetch, log: split.log, base: effective.baseUrl, capacity: effective.logCapacity,
      });
      this.#driver = driver;
      this.ready = Promise.resolve(this);
      if (split.storage) {
        const key = split.storageKey ?? `raptor-secondary:v1:${effective.baseUrl}`;
        driver.tabs = Tabs.open(driver, split.storage, key, split.agree);
        const loading = driver.tabs.load();
        if (loading) this.ready = loading.then(() => this);
      }
    }

    /** The core (undefined once freed). */
    get #core() { return this.#driver.core; }

    /** Books an appointment. Resolves to a `BookingResult`; never rejects. */
    book(request, options) {
      const signal = readSignal(options);
      // Read now, at the call: a call queued behind a re-entrant one still books what was asked.
      const read = readRequest(request, requestFields());
      return this.#driver.request((core, now, id) => {
        if (read.error) core.input(now, REFUSE_REQUEST, id, 1, undefined, read.error);
        else core.call(now, BOOK, id, undefined, read.record);
      }, signal, 1);
    }

    /** Cancels an appointment by id (key `cancel:<id>`). Resolves to a `BookingResult`. */
    cancel(appointmentId, options) {
      const signal = readSignal(options);
      // A record, never the bare value: a number passed as an externref breaks WebKit 2.38.
      const id = record({ appointmentId: classify(appointmentId) });
      return this.#driver.request((core, now, call) => core.call(now, CANCEL, call, undefined, id), signal, 2);
    }

    /**
     * For click handlers: reads the event's label now, as `resolveAction` does, then books
     * for `book-appointment`, cancels `request.appointmentId` for `cancel-appointment`, and
     * fails with `unknown_action` otherwise. Resolves to a `BookingResult`; never rejects.
     */
    handle(event, request, options) {
      const signal = readSignal(options);
      // Synchronously: after dispatch the browser clears currentTarget and composedPath.
      const found = resolveAction(event);
      let why;
      if (found.reason !== null) why = `the click carried no action label (${found.reason})`;
      else if (found.label.length > MAX_LABEL || !wellFormed(found.label)) {
        why = "the click's action label is not one this client handles (over 64 characters, or not well-formed text)";
      }
      const read = why ? undefined : readRequest(request, requestFields());
      return this.#driver.request((core, now, id) => {
        if (why) return core.input(now, REFUSE_CLICK, id, 0, why);
        if (read.error) return core.input(now, REFUSE_REQUEST, id, 0, found.label, read.error);
        return core.call(now, CLICK, id, found.label, read.record);
      }, signal, 0, why ? '' : found.label);
    }

    /** Publishes outbox events left pending; resolves to `{ published, pending }`. */
    flushOutbox() {
      return this.#driver.request((core, now, id) => core.input(now, FLUSH, id, 0));
    }

    /**
     * The bookings whose outcome is unknown (ended at `since` or later), and what sending
     * `requests` again does: with `dryRun: false`, each request whose record's outcome is
     * unknown is sent again under its key, then the outbox is drained. A request with no such
     * record, or one past `idempotencyTtlMs`, is never sent. See docs: "Replay".
     */
    replay(options) {
      const { since, dryRun, requests } = readReplay(options, requestFields());
      const driver = this.#driver;
      if (dryRun) {
        driver.feed((core, now) => core.input(now, TIMER, 0, 0));
        const plan = (read) => (read.error ? { status: 'invalid', code: 'invalid_request' } : JSON.parse(this.#core.call(0, PLAN, 0, undefined, read.record)));
        return Promise.resolve({ dryRun, unknown: JSON.parse(this.#core.view(UNKNOWN, since)), requests: requests.map(plan) });
      }
      const unknown = JSON.parse(this.#core.view(UNKNOWN, since));
      return Promise.all(requests.map((read) => driver.request((core, now, id) => {
        if (read.error) core.input(now, REFUSE_REQUEST, id, 1, undefined, read.error);
        else core.call(now, REPLAY, id, undefined, read.record);
      }, undefined, 1))).then((results) => this.flushOutbox().then((outbox) => ({
        dryRun,
        unknown,
        requests: results.map((result) => {
          const status = replayStatus(result);
          const keyed = status !== 'not_found' && status !== 'invalid';
          return keyed ? { status, idempotencyKey: result.idempotencyKey, result } : { status, result };
        }),
        outbox,
      })));
    }

    /** Counters and latency percentiles. */
    metrics() { return JSON.parse(this.#core.view(METRICS, 0)); }

    /** The most recent log records (`logCapacity` of them), oldest first. */
    logs() { return this.#driver.logs(); }

    /** The circuit breaker: state, consecutive failures, time left before a probe may go. */
    breaker() { return JSON.parse(this.#core.view(BREAKER, Date.now())); }

    /** The outbox's entries with their status. */
    outbox() { return JSON.parse(this.#core.view(OUTBOX, 0)); }

    /** The effective settings, defaults filled in. */
    config() { return JSON.parse(this.#core.view(CONFIG, 0)); }

    /** What was read back from storage: `{ enabled, records, outbox, pending }`. */
    restored() { return JSON.parse(this.#core.view(RESTORED, 0)); }

    /** A fresh idempotency key (UUID v4), for callers that keep their own per booking. */
    newIdempotencyKey() { return this.#core.view(NEW_KEY, 0); }

    /** Calls `listener(record)` for every log record; returns an id for `unsubscribe`. */
    subscribe(listener) { return this.#observe(listener, false); }

    /** Calls `listener(record)` for booking state and breaker changes; returns an id. */
    onStateChange(listener) { return this.#observe(listener, true); }

    #observe(fn, states) {
      if (typeof fn !== 'function') throw optionsError('the listener must be a function');
      return this.#driver.observe(fn, states);
    }

    /** Removes a listener; `false` if the id is unknown. */
    unsubscribe(id) { return this.#driver.unobserve(id); }

    /**
     * Ends the client: calls still waiting are answered now (abandoned, with a `timeout`
     * code), calls in flight are aborted, and the core's memory is freed.
     */
    free() { this.#driver.free(); }
  };
}
