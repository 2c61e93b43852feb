// Where the appointment client keeps what survives a reload and what its tabs share: named
// texts ("items"), each under `<storageKey>:<name>` (the name "" is `<storageKey>` itself). A
// key-value adapter, in the shape of gloo-storage: it lists, reads, writes and removes texts,
// removes one only while it holds an exact text, and tells of other tabs' changes. It knows no
// name and no format: the core (crates/core, `Command::Save`) decides what each text is.
//
// Two stores with one shape: `webStorage` over localStorage, sessionStorage or any object with
// getItem/setItem (synchronous; other tabs hear of changes through `storage` events), and
// `indexedDb` (asynchronous; one transaction per change, `durability: 'strict'`; other tabs
// hear through a BroadcastChannel). Nothing here throws: unreadable, full, blocked or corrupt
// storage is reported once and skipped.

let warned = false;
/** Reports a storage failure once per page; booking goes on without it. */
export function warnOnce(what, e) {
  if (warned) return;
  warned = true;
  try {
    console.warn(`raptor-secondary: ${what}; bookings still work but will not survive a reload`, e);
  } catch { /* no console */ }
}

const READ = 'the saved state could not be read';
const WRITE = 'the state could not be saved (storage full or blocked?)';
const text = (value) => (typeof value === 'string' && value ? value : undefined);

/** The Web Locks API, where the page has it (a lock manager is one state for the origin). */
function lockManager() {
  try {
    const locks = globalThis.navigator && globalThis.navigator.locks;
    return locks && typeof locks.request === 'function' && typeof locks.query === 'function' ? locks : undefined;
  } catch {
    return undefined;
  }
}

/** The names of every lock held or waited for in the origin. */
const lockNames = (locks) => locks.query()
  .then(({ held = [], pending = [] }) => [...held, ...pending].map((lock) => String(lock.name)));

/** Holds the shared lock `name` until `release()` (never, if it is not called): `granted`
 * resolves once it is held. */
function hold(locks, name) {
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  const granted = new Promise((resolve) => {
    try {
      locks.request(name, { mode: 'shared' }, () => { resolve(); return held; }).catch(resolve);
    } catch { resolve(); }
  });
  return { granted, release };
}

/** Holds the shared lock `name` while the page lives; resolves once it is held. */
const holdForever = (locks, name) => hold(locks, name).granted;

/** How long an announcement is held, and how many a page holds at most (the oldest go
 * first): far longer, and far more writes, than a localStorage write takes to reach the
 * origin's other tabs, while a claim, which reads every lock's name, reads few (each is a
 * record's JSON: with 1,000 held, a booking in Chromium took 21 ms instead of 1.5). */
export const ANNOUNCE_MS = 60_000;
export const ANNOUNCE_MAX = 64;

/** The texts this page holds in the origin's lock registry, by lock name (see agreeByLocks). */
const registered = new Map();

/**
 * The text of item `key` that the origin's pages agree on, through the Web Locks registry
 * (where IndexedDB is missing): under an exclusive lock named `key`, a page looks for a lock
 * named `holder` followed by a text, which another live page holds, and takes that text (else
 * `proposal`), then holds a shared lock of that name until the page goes, so every page after
 * it finds it. The lock manager is one state for the origin, so the pages agree; localStorage
 * read under a lock does not (a write reaches other tabs late).
 */
function agreeByLocks(locks, key, holder, proposal) {
  const known = registered.get(holder);
  if (known) return Promise.resolve(known);
  return locks.request(key, async () => {
    const other = (await lockNames(locks)).find((n) => n.startsWith(holder) && n.length > holder.length);
    const agreed = registered.get(holder) ?? (other ? other.slice(holder.length) : proposal);
    if (!registered.has(holder)) {
      registered.set(holder, agreed);
      await holdForever(locks, holder + agreed);
    }
    return agreed;
  });
}

/**
 * The items of a Storage object (or any object with getItem/setItem). Objects that cannot list
 * their keys (no `key(i)` and `length`) get an index of names, kept in `<storageKey>:names`.
 * With `agree` (localStorage, which the origin's tabs share): an agreement is settled in
 * IndexedDB where it opens, else in the Web Locks registry, and an announcement is held in
 * that registry too.
 */
export function webStorage(storage, storageKey, { agree = false } = {}) {
  const prefix = `${storageKey}:`;
  const INDEX = 'names';
  const keyOf = (name) => (name === '' ? storageKey : prefix + name);
  const lists = typeof storage.key === 'function' && typeof storage.length === 'number';
  const get = (name) => text(storage.getItem(keyOf(name)));
  const names = () => {
    const found = get('') === undefined ? [] : [''];
    if (!lists) {
      try {
        return found.concat(JSON.parse(get(INDEX) ?? '[]').filter((n) => typeof n === 'string' && n));
      } catch { return found; }
    }
    for (let i = 0; i < storage.length; i++) {
      const key = storage.key(i);
      if (typeof key === 'string' && key.startsWith(prefix) && key !== prefix + INDEX) found.push(key.slice(prefix.length));
    }
    return found;
  };
  const index = (name, add) => {
    if (lists || name === '') return;
    const known = names().filter((n) => n !== '');
    if (known.includes(name) === add) return;
    storage.setItem(prefix + INDEX, JSON.stringify(add ? [...known, name] : known.filter((n) => n !== name)));
  };
  const put = (name, value) => {
    if (value === null || value === undefined) {
      if (typeof storage.removeItem === 'function') storage.removeItem(keyOf(name));
      else storage.setItem(keyOf(name), '');
      index(name, false);
    } else {
      storage.setItem(keyOf(name), value);
      index(name, true);
    }
  };
  const locks = agree ? lockManager() : undefined;
  const lockName = (name) => `raptor-secondary ${prefix}${name}`;
  let held; // until the announcements made so far are held
  const pending = new Map(); // announcements not held yet, by first word
  const slots = new Map(); // the ones held, by first word, oldest first
  /** Holds announcement `text` (a first word alone: withdraws it), in place of the page's
   * one under `slot`; resolves once it is held and that one let go. */
  const tell = (slot, text) => {
    const before = slots.get(slot);
    slots.delete(slot);
    if (slot === text) return before?.release();
    const lock = hold(locks, lockName(text));
    slots.set(slot, lock);
    if (slots.size > ANNOUNCE_MAX) {
      const [oldest, gone] = slots.entries().next().value;
      slots.delete(oldest);
      gone.release();
    }
    const timer = setTimeout(() => {
      if (slots.get(slot) === lock) slots.delete(slot);
      lock.release();
    }, ANNOUNCE_MS);
    timer?.unref?.(); // Node: a page's timer does not keep a test process alive
    return lock.granted.then(() => before?.release());
  };
  const entries = () => {
    const found = [];
    try {
      for (const name of names()) {
        const value = get(name);
        if (value !== undefined) found.push([name, value]);
      }
    } catch (e) {
      warnOnce(READ, e);
    }
    return found;
  };
  return {
    prefix,
    /** Every item, as `[name, text]`, in the storage's order. */
    load: entries,
    /** Every item (what moves to IndexedDB when a page switches to it). */
    entries,
    /** One item's text, or undefined. */
    read(name) {
      try { return get(name); } catch (e) { warnOnce(READ, e); return undefined; }
    },
    /**
     * Writes item `name` (`value` null: removes it; with `ifText`, only while it holds exactly
     * that text, not a newer one another tab wrote). With `announce` (and `agree`), a shared
     * lock of that name is held too (from the next `written()`), for `ANNOUNCE_MS`: the
     * origin's tabs read it back at once (`announced`), where a localStorage write may reach
     * them late. It supersedes the page's announcement with the same first word (let go once
     * the new one is held); one word alone withdraws it. At most `ANNOUNCE_MAX` are held, the
     * newest.
     */
    save(name, value, ifText, announce) {
      try {
        const removal = value === null || value === undefined;
        if (!removal || !ifText || get(name) === ifText) put(name, value);
      } catch (e) {
        warnOnce(WRITE, e);
      }
      if (!locks || typeof announce !== 'string') return;
      const space = announce.indexOf(' ');
      pending.set(space < 0 ? announce : announce.slice(0, space), announce);
    },
    /**
     * Writes are synchronous: nothing to wait for but the announcements (with `told`, the
     * default; a send needs none). Those made since the last call are held now, the newest per
     * first word only: what a page's answer or a claim's release waits for is what other tabs
     * must find, not every write before it.
     */
    written(told = true) {
      if (!told) return undefined;
      if (pending.size) {
        const grants = [...pending].map(([slot, text]) => tell(slot, text));
        pending.clear();
        const all = Promise.all([held, ...grants]).then(() => { if (held === all) held = undefined; });
        held = all;
      }
      return held;
    },
    /** What the origin's pages announced under names starting with `start`, each without it;
     * undefined where there is no registry to ask. */
    announced(start) {
      if (!locks) return undefined;
      const from = lockName(start);
      return lockNames(locks).then((all) => all.filter((n) => n.startsWith(from)).map((n) => n.slice(from.length)), () => []);
    },
    /**
     * The text of item `name` that every tab agrees on: the one it holds, else `proposal`, as
     * `{ text, settled }`. With `agree`, settled in IndexedDB where it opens, else in the Web
     * Locks registry (`holder`: the registry's name for it), asynchronously; elsewhere nothing
     * can order the tabs (`settled: false`): what storage holds after this page's write.
     */
    agree(name, proposal, holder) {
      const local = () => {
        try {
          if (get(name) === undefined) put(name, proposal);
          return { text: get(name), settled: false };
        } catch (e) {
          warnOnce(WRITE, e);
          return { text: undefined, settled: false };
        }
      };
      let idb;
      try { idb = agree && typeof globalThis.indexedDB === 'object' && globalThis.indexedDB; } catch { idb = undefined; }
      if (!idb && !locks) return local();
      const byLocks = () => (locks ? agreeByLocks(locks, lockName(name), lockName(holder), proposal) : Promise.reject());
      const agreed = idb
        ? openDb().then((db) => addIfAbsent(db, keyOf(name), proposal).finally(() => db.close())).catch(byLocks)
        : byLocks();
      return agreed.then((value) => ({ text: value, settled: true }), local);
    },
    /** Calls `fn(name, text)` for each change another tab made (`storage` events fire in every
     * other tab of the origin for localStorage); returns how to stop. */
    listen(fn) {
      const target = globalThis;
      if (typeof target.addEventListener !== 'function') return () => {};
      const onStorage = (event) => {
        const key = event.key;
        if (event.storageArea !== storage || typeof key !== 'string') return;
        if (key === storageKey) fn('', text(event.newValue));
        else if (key.startsWith(prefix) && key !== prefix + INDEX) fn(key.slice(prefix.length), text(event.newValue));
      };
      target.addEventListener('storage', onStorage);
      return () => target.removeEventListener('storage', onStorage);
    },
    /** Removes every item (once they moved). */
    clear() {
      try {
        for (const name of names()) put(name, null);
      } catch (e) {
        warnOnce(WRITE, e);
      }
    },
    close() {},
  };
}

const DB = 'raptor-secondary';
const STORE = 'items';

/** An IDBRequest as a promise. */
const done = (request) => new Promise((resolve, reject) => {
  request.onsuccess = () => resolve(request.result);
  request.onerror = () => reject(request.error);
});

/** Opens the database; one made without the store (by other code on the origin) is upgraded. */
const openDb = (version) => new Promise((resolve, reject) => {
  const request = version ? globalThis.indexedDB.open(DB, version) : globalThis.indexedDB.open(DB);
  request.onupgradeneeded = () => {
    if (!request.result.objectStoreNames.contains(STORE)) request.result.createObjectStore(STORE);
  };
  request.onsuccess = () => {
    const opened = request.result;
    if (opened.objectStoreNames.contains(STORE)) return resolve(opened);
    opened.close();
    openDb(opened.version + 1).then(resolve, reject);
  };
  request.onerror = () => reject(request.error);
  request.onblocked = () => reject(new Error('the database is blocked by another tab'));
});

/** One readwrite transaction with `durability: 'strict'` on the store: `fn(items)` makes its
 * requests; resolves to what `fn` returned once it commits. */
const change = (db, fn) => new Promise((resolve, reject) => {
  const items = db.transaction(STORE, 'readwrite', { durability: 'strict' }).objectStore(STORE);
  const result = fn(items);
  items.transaction.oncomplete = () => resolve(result.value);
  items.transaction.onerror = () => reject(items.transaction.error);
  items.transaction.onabort = () => reject(items.transaction.error);
});

/**
 * Adds `proposal` as row `key` unless the row holds a text already, which then wins; resolves
 * to the row's text. Tabs that start at the same moment each read back their own value from
 * localStorage (a write reaches other tabs late, even under a Web Lock: measured in Chromium
 * and Firefox), so localStorage cannot agree; readwrite transactions on a store run one at a
 * time, so IndexedDB orders the two. Rejects where IndexedDB cannot be opened.
 */
function addIfAbsent(db, key, proposal) {
  return change(db, (items) => {
    const result = { value: proposal };
    items.get(key).onsuccess = (e) => {
      if (text(e.target.result) !== undefined) result.value = e.target.result;
      else items.put(proposal, key);
    };
    return result;
  });
}

/**
 * The items in IndexedDB (database `raptor-secondary`, store `items`, keyed as above).
 * `load()` is asynchronous (the client waits for it before it books); every change is its own
 * transaction, in order, and `written()` is the promise a send waits for (what the core saved
 * is on disk before its create goes out). Other tabs are told of each change on a
 * BroadcastChannel (`listen`). Fails over to `fallback()` (localStorage) if the database cannot
 * be opened.
 */
export function indexedDb(storageKey, fallback) {
  const prefix = `${storageKey}:`;
  const keyOf = (name) => (name === '' ? storageKey : prefix + name);
  const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(`raptor-secondary ${prefix}`) : undefined;
  let db;
  let closed = false;
  let other; // the fallback store, once IndexedDB failed
  let writes = Promise.resolve();
  const store = (mode) => db.transaction(STORE, mode, { durability: 'strict' }).objectStore(STORE);
  return {
    prefix,
    /** Every item, as `[name, text]`: what localStorage held under the same key (items of a
     * page that used storage: 'local', or an earlier build's) moves in first, unless a newer
     * row holds it already. */
    async load() {
      try {
        db = await openDb();
        if (closed) {
          // The client was freed while the database opened: nothing is read or kept open.
          db.close();
          db = undefined;
          return [];
        }
        db.onversionchange = () => db.close();
        const legacy = fallback();
        const moved = legacy ? legacy.entries() : [];
        if (moved.length) {
          await change(db, (items) => {
            for (const [name, value] of moved) {
              const key = keyOf(name);
              items.get(key).onsuccess = (e) => { if (e.target.result === undefined) items.put(value, key); };
            }
            return {};
          });
          legacy.clear();
        }
        const range = IDBKeyRange.bound(prefix, `${prefix}\uffff`);
        const items = store('readonly');
        const [root, keys, values] = await Promise.all([
          done(items.get(storageKey)), done(items.getAllKeys(range)), done(items.getAll(range)),
        ]);
        const found = text(root) === undefined ? [] : [['', root]];
        keys.forEach((key, i) => {
          if (text(values[i]) !== undefined) found.push([String(key).slice(prefix.length), values[i]]);
        });
        return found;
      } catch (e) {
        warnOnce('IndexedDB could not be opened; using localStorage', e);
        other = fallback();
        return other ? other.load() : [];
      }
    },
    read(name) {
      if (other) return other.read(name);
      if (!db) return undefined;
      return writes.then(() => done(store('readonly').get(keyOf(name))))
        .then(text, (e) => {
          warnOnce(READ, e);
          return undefined;
        });
    },
    /** As webStorage's `save`; the removal's test and the removal in one transaction. An
     * announcement needs nothing more: the change is on disk before `written()` resolves, and
     * every read waits for it. */
    save(name, value, ifText, announce) {
      if (other) return other.save(name, value, ifText, announce);
      if (!db) return;
      const key = keyOf(name);
      writes = writes.then(() => change(db, (items) => {
        if (value !== null && value !== undefined) items.put(value, key);
        else if (!ifText) items.delete(key);
        else items.get(key).onsuccess = (e) => { if (e.target.result === ifText) items.delete(key); };
        return {};
      })).then(() => {
        // `json`: the field earlier builds' tabs read.
        try { channel?.postMessage({ name, json: value ?? undefined }); } catch { /* closed */ }
      }, (e) => warnOnce(WRITE, e));
    },
    written(told) { return other ? other.written(told) : writes; },
    /** Announcements are rows here (see `save`): nothing more to read. */
    announced(start) { return other ? other.announced(start) : undefined; },
    /** As webStorage's `agree`: settled in one transaction. */
    agree(name, proposal, holder) {
      if (other) return other.agree(name, proposal, holder);
      if (!db) return { text: undefined, settled: false };
      return addIfAbsent(db, keyOf(name), proposal)
        .then((value) => ({ text: value, settled: true }), (e) => {
          warnOnce(WRITE, e);
          return { text: undefined, settled: false };
        });
    },
    /** Calls `fn(name, text)` for each change another tab made; returns how to stop. */
    listen(fn) {
      if (other) return other.listen(fn);
      if (!channel) return () => {};
      const onMessage = (event) => {
        const { name, json } = event.data ?? {};
        if (typeof name === 'string') fn(name, text(json));
      };
      channel.addEventListener('message', onMessage);
      return () => channel.removeEventListener('message', onMessage);
    },
    close() {
      closed = true;
      channel?.close();
      db?.close();
    },
  };
}
