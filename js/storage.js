// Where the appointment client keeps what survives a reload and what its tabs share: one
// item per payload's record (`p:<fingerprint>`), per booking's event (`o:<key>`) and the
// breaker (`b:`), each under `<storageKey>:`. Two stores with one shape: `webStorage` over
// localStorage, sessionStorage or any object with getItem/setItem (synchronous; other tabs
// hear of changes through `storage` events), and `indexedDb` (asynchronous; one transaction
// per change, `durability: 'strict'`; other tabs hear through a BroadcastChannel). Nothing here
// throws: unreadable, full, blocked or corrupt storage is reported once and skipped.

const isArray = Array.isArray;

let warned = false;
/** Reports a storage failure once per page; booking goes on without it. */
export function warnOnce(what, e) {
  if (warned) return;
  warned = true;
  try {
    console.warn(`raptor-secondary: ${what}; bookings still work but will not survive a reload`, e);
  } catch { /* no console */ }
}

/** The snapshot the core loads, in the v1 format's shape, from item texts. */
const snapshot = (records, outbox) => `{"version":1,"records":[${records.join(',')}],"outbox":[${outbox.join(',')}]}`;

/** A fresh secret for the origin (64 hex digits from the platform's CSPRNG): it keys the
 * payload fingerprints kept in storage (the core's `Shared::keyed`). */
function freshSecret() {
  const bytes = new Uint8Array(32);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
const isSecret = (text) => typeof text === 'string' && /^[0-9a-f]{64}$/.test(text);

/** Whether item text `text` still holds the write `only` ({ key, rev }) of a record: a
 * conditional removal's test (a newer write, or the same key run again, has another rev). */
function holds(text, only) {
  if (typeof text !== 'string' || !only || typeof only.key !== 'string') return false;
  try {
    const record = JSON.parse(text);
    return record.key === only.key && (record.rev ?? '0000000000000000') === only.rev;
  } catch {
    return false;
  }
}

/** Whether `text` is JSON (a corrupt item is skipped, never the rest). */
function wellFormedJson(text) {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** The secrets this page holds in the origin's lock registry, by item prefix (see agreeByLocks). */
const registered = new Map();

/**
 * The origin's secret for items `prefix`, agreed through the Web Locks registry where
 * IndexedDB is missing: under an exclusive lock, a page looks for a lock named after a secret
 * that another live page holds, takes that one (else `proposal`), and holds a shared lock named
 * after it until the page goes, so every page after it finds it. The lock manager is one state
 * for the origin, so the pages agree; localStorage itself, read under a lock, does not (a
 * write reaches other tabs late).
 */
function agreeByLocks(locks, prefix, proposal) {
  const known = registered.get(prefix);
  if (known) return Promise.resolve(known);
  const name = `raptor-secondary ${prefix}s=`;
  return locks.request(`raptor-secondary ${prefix}s:`, async () => {
    const { held = [], pending = [] } = await locks.query();
    const other = [...held, ...pending].map((lock) => String(lock.name))
      .find((n) => n.startsWith(name) && isSecret(n.slice(name.length)));
    const secret = registered.get(prefix) ?? (other ? other.slice(name.length) : proposal);
    if (!registered.has(prefix)) {
      registered.set(prefix, secret);
      await new Promise((granted) => {
        locks.request(name + secret, { mode: 'shared' }, () => {
          granted();
          return new Promise(() => {}); // held while the page lives
        });
      });
    }
    return secret;
  });
}

/**
 * The client's storage items, each under `<storageKey>:<name>`: `p:<fingerprint>` holds the
 * newest idempotency record of a payload, `o:<booking key>` a booking's outbox entry. One item
 * per record, so tabs writing different bookings never overwrite each other. Storage objects
 * that cannot list their keys (no `key(i)` and `length`) get a list of names, `<storageKey>:names`.
 * Nothing here throws: unreadable, full or corrupt storage is reported once and skipped.
 */
export function webStorage(storage, storageKey, { agree = false } = {}) {
  const prefix = `${storageKey}:`;
  // Whether tabs converge on the lowest secret (no IndexedDB to agree it): then changes of it
  // reach the core too.
  let converging = false;
  const lists = typeof storage.key === 'function' && typeof storage.length === 'number';
  const get = (name) => {
    const text = storage.getItem(prefix + name);
    return typeof text === 'string' && text ? text : undefined;
  };
  const names = () => {
    if (!lists) {
      try { return JSON.parse(get('names') ?? '[]').filter((n) => typeof n === 'string'); } catch { return []; }
    }
    const found = [];
    for (let i = 0; i < storage.length; i++) {
      const key = storage.key(i);
      if (typeof key === 'string' && key.startsWith(prefix)) found.push(key.slice(prefix.length));
    }
    return found;
  };
  const list = (name, add) => {
    if (lists) return;
    const known = names();
    if (known.includes(name) === add) return;
    storage.setItem(`${prefix}names`, JSON.stringify(add ? [...known, name] : known.filter((n) => n !== name)));
  };
  const put = (name, json) => {
    if (json === null || json === undefined) {
      if (typeof storage.removeItem === 'function') storage.removeItem(prefix + name);
      else storage.setItem(prefix + name, '');
      list(name, false);
    } else {
      storage.setItem(prefix + name, json);
      list(name, true);
    }
  };
  // A cancel told through the origin's lock registry too (with `agree`: localStorage the tabs
  // share). A localStorage write reaches other tabs late, so a tab booking the slot the moment
  // a cancel answers could read the record from before it and replay the cancelled appointment
  // (1 round in 40 under load, Chromium). The lock manager is one state for the origin: the
  // cancel's answer waits until its lock `x=<id> <json>` is held (see `written`), and a claim
  // reads the held ones with the record (see `cancelled`). Held while the page lives.
  let locks;
  try { locks = agree && globalThis.navigator && globalThis.navigator.locks; } catch { locks = undefined; }
  if (!locks || typeof locks.request !== 'function' || typeof locks.query !== 'function') locks = undefined;
  const notice = `raptor-secondary ${prefix}x=`;
  let held;
  const tell = (name, json) => {
    if (!locks || !name.startsWith('x:') || typeof json !== 'string') return;
    const granted = new Promise((ok) => {
      try {
        locks.request(`${notice}${name.slice(2)} ${json}`, { mode: 'shared' }, () => { ok(); return new Promise(() => {}); })
          .catch(ok);
      } catch { ok(); } // no lock: the item alone tells the tabs, as before
    });
    held = granted.then(() => { if (held === granted) held = undefined; });
  };
  /** Records and entries of a v1 snapshot (one item under `storageKey`, as earlier builds
   * saved them) become items, unless an item holds newer data already; then it is removed. */
  const migrate = () => {
    const blob = storage.getItem(storageKey);
    if (typeof blob !== 'string' || !blob) return;
    let snapshot;
    try { snapshot = JSON.parse(blob); } catch { snapshot = undefined; }
    const records = snapshot && isArray(snapshot.records) ? snapshot.records : [];
    const outbox = snapshot && isArray(snapshot.outbox) ? snapshot.outbox : [];
    for (const [name, value] of [
      ...records.map((r) => [`p:${r && r.fingerprint}`, r]),
      ...outbox.map((e) => [`o:${e && e.bookingKey}`, e]),
    ]) {
      if (typeof name === 'string' && !name.endsWith('undefined') && get(name) === undefined) put(name, JSON.stringify(value));
    }
    if (typeof storage.removeItem === 'function') storage.removeItem(storageKey);
    else storage.setItem(storageKey, '');
  };
  return {
    prefix,
    /** Calls `fn(name, text)` for each change another tab made (`storage` events fire in every
     * other tab of the origin for localStorage); returns how to stop. */
    listen(fn) {
      const target = globalThis;
      if (typeof target.addEventListener !== 'function') return () => {};
      const onStorage = (event) => {
        const key = event.key;
        if (event.storageArea !== storage || typeof key !== 'string' || !key.startsWith(prefix)) return;
        const name = key.slice(prefix.length);
        const text = typeof event.newValue === 'string' && event.newValue ? event.newValue : undefined;
        if (/^(b:|p:|o:|x:)/.test(name) || (converging && name === 's:')) fn(name, text);
      };
      target.addEventListener('storage', onStorage);
      return () => target.removeEventListener('storage', onStorage);
    },
    /** The snapshot the core loads: every well-formed item, in the v1 format's shape; the
     * appointments pages cancelled (`x:<id>` items, fed to the core after it); and the
     * origin's secret. With `agree` (localStorage, shared by the origin's tabs) the secret is
     * agreed in IndexedDB where it opens, and the load resolves once it is (see agreeSecret);
     * elsewhere each page mints one if none is stored, and the core converges on the lowest
     * (`converging`: the driver then tells it of every change it sees). */
    load() {
      const records = [];
      const outbox = [];
      const cancelled = [];
      try {
        migrate();
        for (const name of names()) {
          const kind = name.slice(0, 2);
          if (kind !== 'p:' && kind !== 'o:' && kind !== 'x:') continue;
          const text = get(name);
          if (text === undefined || !wellFormedJson(text)) continue; // corrupt: skipped, never the rest
          if (kind === 'x:') cancelled.push([name, text]);
          else (kind === 'p:' ? records : outbox).push(text);
        }
      } catch (e) {
        warnOnce('the saved state could not be read', e);
      }
      const saved = { snapshot: snapshot(records, outbox), breaker: this.read('b:'), secret: this.read('s:'), cancelled };
      const mint = () => {
        converging = true;
        try {
          if (!isSecret(saved.secret)) {
            put('s:', freshSecret());
            saved.secret = get('s:');
          }
        } catch (e) {
          warnOnce('the saved state could not be saved (storage full or blocked?)', e);
        }
        if (!isSecret(saved.secret)) saved.secret = undefined;
        return { ...saved, converging };
      };
      let idb, locks;
      try {
        idb = agree && typeof globalThis.indexedDB === 'object' && globalThis.indexedDB;
        locks = agree && globalThis.navigator && globalThis.navigator.locks;
      } catch { /* blocked */ }
      const registry = locks && typeof locks.request === 'function' && typeof locks.query === 'function';
      if (!idb && !registry) return mint();
      const proposal = isSecret(saved.secret) ? saved.secret : freshSecret();
      const byLocks = () => (registry ? agreeByLocks(locks, prefix, proposal) : Promise.reject());
      const agreed = idb
        ? openDb().then((db) => agreeSecret(db, prefix, proposal).finally(() => db.close())).catch(byLocks)
        : byLocks();
      return agreed.then((secret) => {
        try {
          if (get('s:') !== secret) put('s:', secret); // a copy beside the records
        } catch (e) {
          warnOnce('the state could not be saved (storage full or blocked?)', e);
        }
        return { ...saved, secret, converging };
      }, mint);
    },
    /** One item's text, or undefined. */
    read(name) {
      try { return get(name); } catch (e) { warnOnce('the saved state could not be read', e); return undefined; }
    },
    /** Writes item `name`, or removes it (with `only`: if it still holds that write of a
     * record, not a newer one another tab saved). */
    save(name, json, only) {
      try {
        const removal = json === null || json === undefined;
        if (removal && only && !holds(get(name), only)) return;
        put(name, json);
        tell(name, json);
      } catch (e) {
        warnOnce('the state could not be saved (storage full or blocked?)', e);
      }
    },
    /** Writes are synchronous: nothing to wait for before a send, but a cancel's lock. */
    written() { return held; },
    /** The cancels the origin's tabs told through the lock registry, as `[name, json]` items;
     * `undefined` where there is none to ask. */
    cancelled() {
      if (!locks) return undefined;
      return locks.query().then(({ held: taken = [], pending = [] }) => [...taken, ...pending]
        .map((lock) => String(lock.name))
        .filter((n) => n.startsWith(notice))
        .map((n) => {
          const rest = n.slice(notice.length);
          const space = rest.indexOf(' ');
          return [`x:${rest.slice(0, space)}`, rest.slice(space + 1)];
        }), () => []);
    },
    close() {},
    /** Every item's name and text (a v1 snapshot migrated first): what moves to IndexedDB
     * when a page switches to it. */
    entries() {
      const found = [];
      try {
        migrate();
        for (const name of names()) {
          const text = get(name);
          if (text !== undefined && (/^(b:|p:|o:|x:)/.test(name) ? wellFormedJson(text) : isSecret(text))) found.push([name, text]);
        }
      } catch (e) {
        warnOnce('the saved state could not be read', e);
      }
      return found;
    },
    /** Removes every item (once they moved). */
    clear() {
      try {
        for (const name of names()) put(name, null);
      } catch (e) {
        warnOnce('the state could not be saved (storage full or blocked?)', e);
      }
    },
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

/**
 * The origin's secret for items `prefix`, agreed once by every tab: `proposal` is added in an
 * IndexedDB transaction unless a row holds one already, which then wins. Tabs that start at the
 * same moment each read back their own value from localStorage (a write reaches other tabs
 * late, even under a Web Lock: measured in Chromium and Firefox), so localStorage cannot agree
 * it; IndexedDB orders the two transactions. Rejects where IndexedDB cannot be opened.
 */
function agreeSecret(db, prefix, proposal) {
  return new Promise((resolve, reject) => {
    const id = `${prefix}s:`;
    const items = db.transaction(STORE, 'readwrite', { durability: 'strict' }).objectStore(STORE);
    let agreed = proposal;
    // Read and written in one transaction: readwrite transactions on a store run one at a time.
    items.get(id).onsuccess = (e) => {
      if (isSecret(e.target.result)) agreed = e.target.result;
      else items.put(proposal, id);
    };
    items.transaction.oncomplete = () => resolve(agreed);
    items.transaction.onerror = () => reject(items.transaction.error);
    items.transaction.onabort = () => reject(items.transaction.error);
  });
}

/**
 * The items in IndexedDB (database `raptor-secondary`, store `items`, keyed by
 * `<storageKey>:<name>`). `load()` is asynchronous (the client waits for it before it books);
 * every change is its own transaction with `durability: 'strict'`, in order, and `written()`
 * is the promise a send waits for (a booking's record is on disk before its create goes out).
 * Other tabs are told of each change on a BroadcastChannel (`listen`). Fails over to
 * `fallback()` (localStorage) if the database cannot be opened.
 */
export function indexedDb(storageKey, fallback) {
  const prefix = `${storageKey}:`;
  const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(`raptor-secondary ${prefix}`) : undefined;
  let db;
  let closed = false;
  let other; // the fallback store, once IndexedDB failed
  let writes = Promise.resolve();
  const store = (mode) => db.transaction(STORE, mode, { durability: 'strict' }).objectStore(STORE);
  return {
    prefix,
    async load() {
      try {
        db = await openDb();
        if (closed) {
          // The client was freed while the database opened: nothing is read or kept open.
          db.close();
          db = undefined;
          return { snapshot: undefined };
        }
        db.onversionchange = () => db.close();
        // What localStorage holds under the same key (a v1 snapshot of earlier builds, or items
        // of a page that used storage: 'local') moves in, unless a newer row holds it already.
        const legacy = fallback();
        const moved = legacy ? legacy.entries() : [];
        if (moved.length) {
          await new Promise((resolve, reject) => {
            const items = store('readwrite');
            for (const [name, text] of moved) {
              const key = prefix + name;
              items.get(key).onsuccess = (e) => { if (e.target.result === undefined) items.put(text, key); };
            }
            items.transaction.oncomplete = resolve;
            items.transaction.onerror = () => reject(items.transaction.error);
          });
          legacy.clear();
        }
        const range = IDBKeyRange.bound(prefix, `${prefix}\uffff`);
        const items = store('readonly');
        const [keys, values] = await Promise.all([done(items.getAllKeys(range)), done(items.getAll(range))]);
        const records = [];
        const outbox = [];
        const cancelled = [];
        let breaker;
        let secret;
        keys.forEach((key, i) => {
          const name = String(key).slice(prefix.length);
          const text = values[i];
          if (typeof text !== 'string' || !wellFormedJson(text)) return;
          if (name.startsWith('p:')) records.push(text);
          else if (name.startsWith('o:')) outbox.push(text);
          else if (name.startsWith('x:')) cancelled.push([name, text]);
          else if (name === 'b:') breaker = text;
          else if (name === 's:' && isSecret(text)) secret = text;
        });
        // One secret for the origin: agreed in a transaction, so two tabs loading at once agree.
        if (!secret) secret = await agreeSecret(db, prefix, freshSecret());
        return { snapshot: snapshot(records, outbox), breaker, secret: isSecret(secret) ? secret : undefined, cancelled };
      } catch (e) {
        warnOnce('IndexedDB could not be opened; using localStorage', e);
        other = fallback();
        return other ? other.load() : { snapshot: undefined, breaker: undefined };
      }
    },
    read(name) {
      if (other) return other.read(name);
      if (!db) return undefined;
      return writes.then(() => done(store('readonly').get(prefix + name)))
        .then((text) => (typeof text === 'string' && text ? text : undefined), (e) => {
          warnOnce('the saved state could not be read', e);
          return undefined;
        });
    },
    save(name, json, only) {
      if (other) return other.save(name, json, only);
      if (!db) return;
      writes = writes.then(() => new Promise((resolve, reject) => {
        const items = store('readwrite');
        const id = prefix + name;
        if (json !== null && json !== undefined) items.put(json, id);
        else if (!only) items.delete(id);
        // In the same transaction: removed only if it still holds that record.
        else items.get(id).onsuccess = (e) => { if (holds(e.target.result, only)) items.delete(id); };
        items.transaction.oncomplete = resolve;
        items.transaction.onerror = () => reject(items.transaction.error);
        items.transaction.onabort = () => reject(items.transaction.error);
      })).then(() => {
        try { channel?.postMessage({ name, json: json ?? undefined }); } catch { /* closed */ }
      }, (e) => warnOnce('the state could not be saved (storage full or blocked?)', e));
    },
    written() { return other ? other.written() : writes; },
    /** Calls `fn(name, text)` for each change another tab made; returns how to stop. */
    listen(fn) {
      if (!channel) return () => {};
      const onMessage = (event) => {
        const { name, json } = event.data ?? {};
        if (typeof name === 'string' && /^(b:|p:|o:|x:)/.test(name)) fn(name, typeof json === 'string' ? json : undefined);
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
