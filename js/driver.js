// The one driver of the sans-IO booking core (crates/core, `__Core` in the Wasm module): it
// feeds each input with Date.now(), drains every command after every input, carries each out
// (fetch with an AbortController, storage through js/tabs.js, logs, answers), and sleeps until
// the core's next wake-up. The core decides everything; this file only carries out what it asks.
//
// The contract is written once, in the core's module docs ("The driver contract",
// crates/core/src/booking/mod.rs), and checked by tests/node/driver.test.mjs: drain after
// every input; a wake-up at or before now fires once (no spin); exactly one answer per send,
// none after an abort; what a command saved is written before the send or release after it.

import { ABANDON, LOGS, REFUSE_ABORTED, TIMER } from './kinds.js';
import { send } from './transport.js';

const ASKED = 1;
const ENDING = 2;

/** Calls page code (a log sink, an observer) so that its exception is reported, not thrown. */
function callSafely(fn, value) {
  try {
    fn(value);
  } catch (e) {
    try { console.error('raptor-secondary: a log sink or observer threw', e); } catch { /* no console */ }
  }
}

export class Driver {
  /** The core, until `free`. */
  core;
  /** The storage side (js/tabs.js), with a storage. */
  tabs;
  #fetch;
  #base;
  #sink;
  #capacity;
  #logs = [];
  #observers = new Map();
  #nextObserver = 1;
  #nextId = 0;
  #settle = new Map();
  #inflight = new Map();
  #timer;
  #timerAt;
  #inputs = [];
  #draining = false;
  /** 0, or `free()` was asked for inside a drain (ASKED), or is under way (ENDING). */
  #freeing = 0;
  /** Page calls wait (queued, in order) while storage loads and while the tabs agree. */
  loading = false;

  constructor(core, { fetch, log, base, capacity }) {
    this.core = core;
    this.#fetch = fetch;
    this.#sink = log;
    this.#base = base;
    this.#capacity = capacity;
    this.#readers();
  }

  /** Tells the core whether anything reads log records: with no reader, none is made. */
  #readers() {
    this.core.input(0, LOGS, 0, this.#capacity > 0 || this.#sink || this.#observers.size > 0 ? 1 : 0);
  }

  /**
   * Feeds one input (a call on the core with the time), then carries out every command. An
   * input that arrives while commands are being carried out (a log sink that books, say) waits
   * its turn in the queue: the core is never entered from inside a drain, and page code that
   * re-enters the client cannot grow the stack. `first` puts inputs ahead of those queued.
   */
  feed(input, first) {
    if (first) this.#inputs.unshift(...first);
    if (input) this.#inputs.push(input);
    if (this.#draining || this.loading) return;
    this.#draining = true;
    try {
      // An `agree` carried out in this drain may make page calls wait (`loading`).
      while (this.#inputs.length && !this.loading) {
        this.#inputs.shift()(this.core, Date.now());
        let json;
        while ((json = this.core.poll()) !== undefined) this.#run(JSON.parse(json));
      }
    } finally {
      this.#draining = false;
    }
    if (this.#freeing === ASKED) this.free();
    else if (!this.#freeing) this.#arm();
  }

  /**
   * Sleeps until the core's next wake-up. A timer set for the same time or earlier is kept
   * (waking early is only a wake-up with nothing due, after which the core asks again), and so
   * is one the core no longer needs: bookings in a row arm one timer between them, not one per
   * booking (re-arming one per booking cost Chromium about a tenth of a booking's time against
   * an instant provider). An idle timer does not keep Node.js running (`unref`).
   */
  #arm() {
    const at = this.core.pollTimeout();
    const timer = this.#timer;
    // Node.js timers are objects (a fake one may lack ref and unref); a browser's are numbers.
    const node = typeof timer === 'object';
    if (at === undefined) {
      if (node) timer?.unref?.();
      return;
    }
    // (`undefined <= at` is false: with no timer set, any wake-up arms one.)
    if (this.#timerAt <= at) {
      if (node) timer?.ref?.();
      return;
    }
    clearTimeout(timer);
    this.#timerAt = at;
    // (A wake-up already due gets a negative delay, which timers take as 0.)
    this.#timer = setTimeout(() => {
      this.#timer = this.#timerAt = undefined;
      this.feed((core, now) => core.input(now, TIMER, 0, 0));
    }, at - Date.now());
  }

  #run(command) {
    switch (command.kind) {
      // Nothing goes out once the page freed the client (from a sink or observer, mid-drain).
      case 'send': return this.#freeing || this.#send(command);
      case 'abort': {
        const controller = this.#inflight.get(command.call);
        this.#inflight.delete(command.call);
        return controller && controller.abort();
      }
      case 'save': return this.tabs.save(command);
      case 'claim': return this.tabs.claim(command);
      case 'release': return this.tabs.release(command);
      case 'agree': return this.tabs.agree(command);
      case 'read': return this.tabs.read(command);
      case 'watch': return this.tabs.watch(command);
      case 'log': return this.#log(command.record, command.stateChange);
      case 'done': return this.#answer(command.id, command.result);
      case 'flushed': return this.#answer(command.id, { published: command.published, pending: command.pending });
      // Any other kind is not this driver's: nothing to carry out.
    }
  }

  /** What the core's saves wrote, once written (IndexedDB commits are asynchronous); `told`: and announced. */
  #written(told) {
    return this.tabs ? this.tabs.written(told) : undefined;
  }

  #send(command) {
    const controller = typeof AbortController === 'function' ? new AbortController() : undefined;
    this.#inflight.set(command.call, controller);
    // A booking's record is on disk before its create goes out.
    send(this.#fetch, this.#base, command, controller && controller.signal, this.#written(false)).then((a) => {
      // An aborted call's answer is never fed: exactly one answer per send, none after.
      if (!this.#inflight.has(command.call)) return;
      this.#inflight.delete(command.call);
      this.feed((core, now) => core.answer(now, command.call, a));
    });
  }

  #log(entry, stateChange) {
    if (this.#capacity > 0) {
      this.#logs.push(entry);
      if (this.#logs.length > this.#capacity) this.#logs.shift();
    }
    if (this.#sink) callSafely(this.#sink, entry);
    for (const { fn, states } of [...this.#observers.values()]) {
      if (!states || stateChange) callSafely(fn, entry);
    }
  }

  /**
   * Answers page call `id` once what it saved is written: a page that acts on the answer
   * (reloads, or books in another tab right after a cancel) finds the record, and every tab
   * has been told (a cancel's item).
   */
  #answer(id, value) {
    const settle = this.#settle.get(id);
    this.#settle.delete(id);
    if (!settle) return;
    const written = this.#written(true);
    if (written) written.then(() => settle(value));
    else settle(value);
  }

  /**
   * A page call: a fresh id, a promise settled by its one `done` (or `flushed`). With a
   * `signal` (from `readSignal`), aborting it abandons the call (`aborted`); one aborted
   * already is answered at once and nothing is sent (`operation`: 1 book, 2 cancel, 0 a
   * click with `label`).
   */
  request(start, signal, operation = 0, label = undefined) {
    const id = ++this.#nextId;
    if (this.tabs) this.tabs.checkWatched();
    return new Promise((settle) => {
      if (signal && signal.aborted) {
        this.#settle.set(id, settle);
        this.feed((core, now) => core.input(now, REFUSE_ABORTED, id, operation, label));
        return;
      }
      let onAbort;
      this.#settle.set(id, (value) => {
        if (onAbort) try { signal.signal.removeEventListener('abort', onAbort); } catch { /* a hostile signal */ }
        settle(value);
      });
      this.feed((core, now) => start(core, now, id));
      if (signal && this.#settle.has(id)) {
        onAbort = () => {
          if (this.#settle.has(id) && this.core) this.feed((core, now) => core.input(now, ABANDON, id, 1));
        };
        try { signal.signal.addEventListener('abort', onAbort, { once: true }); } catch { onAbort = undefined; }
      }
    });
  }

  /** The most recent log records, oldest first. */
  logs() { return this.#logs.slice(); }

  /** Calls `fn(record)` for every log record (`states`: state changes only); returns an id. */
  observe(fn, states) {
    const id = this.#nextObserver++;
    this.#observers.set(id, { fn, states });
    if (this.core) this.#readers();
    return id;
  }

  unobserve(id) {
    const gone = this.#observers.delete(id);
    if (this.core) this.#readers();
    return gone;
  }

  /**
   * Ends: calls still waiting are answered now (abandoned, with a `timeout` code), calls in
   * flight are aborted, storage is let go, and the core's memory is freed.
   */
  free() {
    if (!this.core || this.#freeing === ENDING) return;
    // Asked by page code inside a drain (a sink, an observer): the drain finishes first.
    this.#freeing = ASKED;
    if (this.#draining) return;
    this.#freeing = ENDING;
    this.loading = false;
    const ids = [...this.#settle.keys()];
    this.feed((core, now) => { for (const id of ids) core.input(now, ABANDON, id, 0); });
    clearTimeout(this.#timer);
    for (const controller of this.#inflight.values()) if (controller) controller.abort();
    this.#inflight.clear();
    if (this.tabs) this.tabs.close();
    this.core.free();
    this.core = undefined;
  }
}
