// The driver's storage side: what survives a reload and what the origin's tabs share. It opens
// the storage a page chose (js/storage.js), feeds what it loaded, carries out the core's
// `save`, `claim` and `release` commands, and feeds what other tabs change. Claims are Web
// Locks every tab of the origin shares; the core decides what is saved and what a claim means.

import { indexedDb, webStorage } from './storage.js';
import { INDEXED_DB } from './config.js';

/** Calls `fn` with a read's text, now or once it resolves (IndexedDB reads are async). */
function whenRead(text, fn) {
  if (text && typeof text.then === 'function') text.then(fn);
  else fn(text);
}

export class Tabs {
  #driver;
  #items;
  #claims = new Map();
  #converging = false;
  #secret;
  #unlisten = [];

  /** The storage side of `driver` over `items`, a store of js/storage.js (see `open`). */
  constructor(driver, items) {
    this.#driver = driver;
    this.#items = items;
  }

  /** Opens `storage` (IndexedDB, or a Storage object) under `key` for `driver`. */
  static open(driver, storage, key, agree) {
    const local = () => {
      try {
        return globalThis.localStorage ? webStorage(globalThis.localStorage, key, { agree: true }) : undefined;
      } catch {
        return undefined;
      }
    };
    return new Tabs(driver, storage === INDEXED_DB ? indexedDb(key, local) : webStorage(storage, key, { agree }));
  }

  /** Loads the storage; page calls wait (`driver.loading`) until the core took it. Returns the
   * promise of that, or undefined when it was taken at once. */
  load() {
    const loading = this.#items.load();
    if (typeof loading.then !== 'function') return this.#loaded(loading);
    this.#driver.loading = true;
    return loading.then((saved) => this.#loaded(saved));
  }

  /** The storage was read: the core takes it (before any queued page call), then listens. */
  #loaded({ snapshot, breaker, secret, cancelled = [], converging = false }) {
    const driver = this.#driver;
    if (!driver.core) return;
    driver.loading = false;
    this.#converging = converging;
    this.#secret = secret;
    this.#listen();
    driver.feed(undefined, [
      (core, now) => core.loaded(now, snapshot),
      (core, now) => { if (secret !== undefined) core.changed(now, 's:', secret); },
      (core, now) => { if (breaker !== undefined) core.changed(now, 'b:', breaker); },
      // Appointments pages cancelled: their bookings are not replayed (see the core).
      (core, now) => { for (const [name, text] of cancelled) core.changed(now, name, text); },
    ]);
  }

  /** Carries out a `save`: written in order; `written()` resolves once it is. */
  save({ name, json, only }) {
    this.#items.save(name, json, only);
    this.checkSecret();
  }

  /** What was saved, once written (undefined: nothing to wait for). */
  written() { return this.#items.written(); }

  /**
   * Takes lock `lock`, which every tab of the origin shares (Web Locks: held until the core
   * releases the claim; a wait the core gives up on is aborted; with `wait` false it is
   * given up at once if another tab holds it), then reads storage item `read` and feeds it.
   * Without Web Locks a claim is granted at once: the key read from the shared storage still
   * joins tabs that book one after another, and the provider's idempotency answers same-key
   * calls that overlap.
   */
  claim({ claim, lock, read, wait }) {
    const driver = this.#driver;
    const answer = (granted) => {
      if (!this.#claims.has(claim) || !driver.core) return false;
      if (!granted) this.#claims.delete(claim);
      // With the record: the cancels other tabs told through the lock registry (localStorage
      // shared by tabs may not hold them yet; see storage.js).
      const told = granted && this.#items.cancelled ? this.#items.cancelled() : undefined;
      const saved = granted ? this.#items.read(read) : undefined;
      whenRead(told ? Promise.all([saved, told]) : saved, (got) => {
        const [text, cancels] = told ? got : [got, []];
        // Released meanwhile (the core gave up): nothing is fed.
        if (this.#claims.has(claim) || !granted) {
          driver.feed((core, now) => {
            for (const [name, json] of cancels) core.changed(now, name, json);
            core.claimed(now, claim, text, granted);
          });
        }
      });
      return true;
    };
    const locks = globalThis.navigator && globalThis.navigator.locks;
    if (!locks || typeof locks.request !== 'function' || typeof AbortController !== 'function') {
      this.#claims.set(claim, { release() {} });
      answer(true);
      return;
    }
    const held = { controller: new AbortController(), release: undefined };
    this.#claims.set(claim, held);
    // ifAvailable cannot be combined with a signal; such a request never waits anyway.
    const options = wait ? { signal: held.controller.signal } : { ifAvailable: true };
    locks.request(`raptor-secondary ${this.#items.prefix}${lock}`, options, (granted) => new Promise((release) => {
      held.release = release;
      if (!answer(granted !== null) || granted === null) release();
    })).catch(() => { /* the wait was aborted: the core let go of the claim first */ });
  }

  /** Carries out a `release`: what was saved under the claim is written before another tab
   * can take it. */
  release({ claim }) {
    const held = this.#claims.get(claim);
    this.#claims.delete(claim);
    if (!held) return undefined;
    if (!held.release) return held.controller.abort();
    const written = this.#items.written();
    return written ? written.then(held.release) : held.release();
  }

  /**
   * Where tabs converge on the origin's secret (nothing orders them: see storage.js), a change
   * this page has not heard of is taken before a call claims its payload (whose lock and item
   * the secret names), after each write of its own and when the page comes back: a storage
   * event can be missed (Firefox delivers none to a page until its listener is registered).
   */
  checkSecret() {
    if (!this.#converging) return;
    const secret = this.#items.read('s:');
    if (secret === this.#secret) return;
    this.#secret = secret;
    this.#driver.feed((core, now) => core.changed(now, 's:', secret));
  }

  /**
   * What other tabs change reaches this one: each storage event on the client's items
   * (localStorage fires them in every other tab of the origin) is fed to the core. When the
   * page comes back (online, visible, shown from the back/forward cache, where events were
   * missed) the breaker is read again and events left pending are published.
   */
  #listen() {
    const driver = this.#driver;
    const wake = (event) => {
      if (event.type === 'visibilitychange' && globalThis.document.visibilityState !== 'visible') return;
      if (!driver.core) return;
      whenRead(this.#items.read('b:'), (text) => {
        if (text !== undefined && driver.core) driver.feed((core, now) => core.changed(now, 'b:', text));
      });
      this.checkSecret();
      driver.feed((core, now) => core.wake(now));
    };
    this.#unlisten.push(this.#items.listen((name, text) => {
      if (name === 's:') this.#secret = text;
      if (driver.core) driver.feed((core, now) => core.changed(now, name, text));
    }));
    const targets = [[globalThis, 'online', wake], [globalThis, 'pageshow', wake],
      [globalThis.document, 'visibilitychange', wake]];
    for (const [target, type, fn] of targets) {
      if (target && typeof target.addEventListener === 'function') {
        target.addEventListener(type, fn);
        this.#unlisten.push(() => target.removeEventListener(type, fn));
      }
    }
  }

  /** Lets go of every claim and listener, and closes the storage. */
  close() {
    for (const held of this.#claims.values()) {
      if (held.release) held.release();
      else held.controller.abort();
    }
    this.#claims.clear();
    for (const unlisten of this.#unlisten.splice(0)) unlisten();
    this.#items.close();
  }
}
