// The driver's storage side: what survives a reload and what the origin's tabs share. It opens
// the storage a page chose (js/storage.js), feeds every item it loaded, carries out the core's
// `save`, `claim`, `release`, `agree`, `read` and `watch` commands, and feeds what other tabs
// change. Claims are Web Locks every tab of the origin shares; the core decides what is saved,
// in which format, and what a claim means.

import { indexedDb, webStorage } from './storage.js';
import { INDEXED_DB } from './config.js';
import { AGREED, CHANGED, CLAIMED, ITEM, LOADED, WAKE } from './kinds.js';

/** Calls `fn` with a read's text, now or once it resolves (IndexedDB reads are async). */
function whenRead(text, fn) {
  if (text && typeof text.then === 'function') text.then(fn);
  else fn(text);
}

export class Tabs {
  #driver;
  #items;
  #claims = new Map();
  /** The item the core watches, and its text as last seen. */
  #watched;
  /** The tabs' agreement while it is under way. */
  #agreeing;
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

  /** Loads the storage; page calls wait (`driver.loading`) until the core took it and the
   * tabs agreed what it asked them to. Returns the promise of that, or undefined when it was
   * all done at once. */
  load() {
    const loading = this.#items.load();
    if (typeof loading.then !== 'function') {
      this.#loaded(loading);
      return this.#agreeing;
    }
    this.#driver.loading = true;
    return loading.then((items) => {
      this.#loaded(items);
      return this.#agreeing;
    });
  }

  /** The storage was read: the core takes every item (before any queued page call), then
   * this page listens. */
  #loaded(items) {
    const driver = this.#driver;
    if (!driver.core) return;
    driver.loading = false;
    this.#listen();
    driver.feed(undefined, [(core, now) => {
      for (const [name, text] of items) core.input(now, ITEM, 0, 0, name, text);
      core.input(now, LOADED, 0, 0);
    }]);
  }

  /** Carries out a `save`: written in order; `written()` resolves once it is. */
  save({ name, json, ifText, announce }) {
    this.#items.save(name, json, ifText, announce);
    this.checkWatched();
  }

  /** What was saved, once written, and (with `told`, the default) what it announced held
   * (undefined: nothing to wait for). */
  written(told) { return this.#items.written(told); }

  /**
   * Carries out an `agree`: the tabs agree on item `name` (see storage.js). Page calls wait
   * (`driver.loading`) until the core took the answer, ahead of them.
   */
  agree({ name, proposal, holder }) {
    const driver = this.#driver;
    const answer = ({ text, settled }) => {
      if (!driver.core) return;
      driver.loading = false;
      driver.feed(undefined, [(core, now) => core.input(now, AGREED, 0, settled ? 1 : 0, name, text)]);
    };
    const agreed = this.#items.agree(name, proposal, holder);
    if (typeof agreed.then !== 'function') return answer(agreed);
    driver.loading = true;
    this.#agreeing = agreed.then(answer);
    return undefined;
  }

  /** Carries out a `read`: item `name` is fed as a change, if it holds a text. */
  read({ name }) {
    whenRead(this.#items.read(name), (text) => {
      if (text !== undefined && this.#driver.core) this.#driver.feed((core, now) => core.input(now, CHANGED, 0, 0, name, text));
    });
  }

  /** Carries out a `watch`: item `name` is read again before each page call, after each
   * save and when the page comes back, and fed when it changed (see `checkWatched`). */
  watch({ name }) {
    const text = this.#items.read(name);
    this.#watched = { name, text: typeof text === 'string' ? text : undefined };
  }

  /**
   * Takes lock `lock`, which every tab of the origin shares (Web Locks: held until the core
   * releases the claim; a wait the core gives up on is aborted; with `wait` false it is
   * given up at once if another tab holds it), then reads storage item `read` and what the
   * tabs `announced`, and feeds them. Without Web Locks a claim is granted at once: the key
   * read from the shared storage still joins tabs that book one after another, and the
   * provider's idempotency answers same-key calls that overlap.
   */
  claim({ claim, lock, read, wait, announced }) {
    const driver = this.#driver;
    const answer = (granted) => {
      if (!this.#claims.has(claim) || !driver.core) return false;
      if (!granted) this.#claims.delete(claim);
      // With the item: what other tabs announced in the lock registry (localStorage shared by
      // tabs may not hold it yet; see storage.js).
      const told = granted ? this.#items.announced(announced) : undefined;
      const saved = granted ? this.#items.read(read) : undefined;
      whenRead(told ? Promise.all([saved, told]) : saved, (got) => {
        const [text, announcements] = told ? got : [got, []];
        // Released meanwhile (the core gave up): nothing is fed.
        if (this.#claims.has(claim) || !granted) {
          driver.feed((core, now) => {
            for (const text of announcements) if (typeof text === 'string') core.input(now, ITEM, 0, 0, '', text);
            core.input(now, CLAIMED, claim, granted ? 1 : 0, text);
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
   * The item the core watches (see `watch`), read again: a change this page has not heard of
   * is fed before a call (whose lock and item it may name), after each write of its own and
   * when the page comes back. A storage event can be missed (Firefox delivers none to a page
   * until its listener is registered).
   */
  checkWatched() {
    const watched = this.#watched;
    if (!watched) return;
    const text = this.#items.read(watched.name);
    if (typeof text !== 'string' && text !== undefined) return; // asynchronous: events suffice
    if (text === watched.text) return;
    watched.text = text;
    this.#driver.feed((core, now) => core.input(now, CHANGED, 0, 0, watched.name, text));
  }

  /**
   * What other tabs change reaches this one: each change of the client's items (localStorage
   * fires storage events in every other tab of the origin) is fed to the core. When the page
   * comes back (online, visible, shown from the back/forward cache, where events were missed)
   * the core is told (it reads again what it needs) and the watched item is checked.
   */
  #listen() {
    const driver = this.#driver;
    const wake = (event) => {
      if (event.type === 'visibilitychange' && globalThis.document.visibilityState !== 'visible') return;
      if (!driver.core) return;
      this.checkWatched();
      driver.feed((core, now) => core.input(now, WAKE, 0, 0));
    };
    this.#unlisten.push(this.#items.listen((name, text) => {
      if (this.#watched && name === this.#watched.name) this.#watched.text = text;
      if (driver.core) driver.feed((core, now) => core.input(now, CHANGED, 0, 0, name, text));
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
