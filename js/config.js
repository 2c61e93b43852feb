// The client's config, split: the data options the core validates, and the driver's own
// (`fetch`, `log`, `storage`, `storageKey`), with the storage a page asked for resolved to the
// one it gets. Throws `invalid_options` naming what is wrong.
import { classify, got, optionsError, record, shown, wellFormed } from './guard.js';

const isArray = Array.isArray;
const objectKeys = Object.keys;

/** What `storage: 'indexeddb'` resolves to where IndexedDB exists. */
export const INDEXED_DB = 'indexeddb';

/**
 * The storage a client gets without a `storage` option: IndexedDB where it exists (it falls
 * back to localStorage where it cannot be opened), then localStorage, then none (page memory):
 * so a reload or a second tab finds the first one's bookings out of the box. Never throws: a
 * page where storage is blocked gets memory.
 */
function defaultStorage() {
  try {
    if (typeof globalThis.indexedDB === 'object' && globalThis.indexedDB) return INDEXED_DB;
  } catch { /* blocked */ }
  try {
    return globalThis.localStorage || undefined;
  } catch {
    return undefined;
  }
}

// Absent: the default chain; 'none' (or null, false): none; 'indexeddb' / 'local' / 'session' /
// an object with getItem and setItem.
function resolveStorage(storage) {
  if (storage === undefined) return defaultStorage();
  if (storage === 'none' || storage === null || storage === false) return undefined;
  try {
    if (storage === INDEXED_DB) {
      if (typeof globalThis.indexedDB === 'object' && globalThis.indexedDB) return INDEXED_DB;
      return globalThis.localStorage || undefined; // the fallback, then memory
    }
    if (storage === 'local') return globalThis.localStorage;
    if (storage === 'session') return globalThis.sessionStorage;
    if (typeof storage === 'object' && typeof storage.getItem === 'function' && typeof storage.setItem === 'function') {
      return storage;
    }
  } catch {
    throw optionsError(typeof storage === 'string' ? `${storage}Storage is not available here`
      : 'the storage object could not be read (a getter or Proxy threw)');
  }
  throw optionsError("storage must be 'indexeddb', 'local', 'session', 'none' or an object with getItem and setItem");
}

/**
 * Splits a config into the data options `names` (each classified, for the core) and the
 * driver's own: `fetch`, `log`, `storage`, `storageKey`. Own enumerable properties only; any
 * other name, `__proto__` included, is an unknown option. Throws `invalid_options`.
 */
export function splitConfig(config, names) {
  let keys = [];
  try {
    if (config !== undefined && config !== null) {
      if (typeof config !== 'object' || isArray(config)) {
        throw optionsError('the config must be an object, like { baseUrl: "/api/v2" }');
      }
      keys = objectKeys(config);
    }
  } catch (e) {
    throw e && e.code === 'invalid_options' ? e : optionsError('the config could not be read (a getter or Proxy threw)');
  }
  const options = record({});
  const own = { fetch: undefined, log: undefined, storage: undefined, storageKey: undefined };
  for (const key of keys) {
    let value;
    try {
      value = config[key];
    } catch {
      throw optionsError(`the option ${shown(key)} could not be read (its getter threw)`);
    }
    if (key === 'fetch' || key === 'log') {
      if (value !== undefined && typeof value !== 'function') throw optionsError(`${key} must be a function; got ${got(value)}`);
      own[key] = value;
    } else if (key === 'storage') {
      own.storage = value;
    } else if (key === 'storageKey') {
      if (value !== undefined && (typeof value !== 'string' || !value || value.length > 200 || !wellFormed(value))) {
        throw optionsError(`storageKey must be a string of 1-200 characters; got ${typeof value === 'string' ? `a string of ${value.length} characters` : got(value)}`);
      }
      own.storageKey = value;
    } else if (names.includes(key)) {
      options[key] = classify(value);
    } else {
      throw optionsError(`unknown option ${shown(key)}; known options: fetch, log, storage, storageKey, ${names.join(', ')}`);
    }
  }
  if (own.fetch === undefined && typeof globalThis.fetch !== 'function') {
    throw optionsError('this environment has no fetch: pass one as config.fetch');
  }
  // localStorage named by the page is shared by the origin's tabs: its secret is agreed.
  const agree = own.storage === 'local';
  own.storage = resolveStorage(own.storage);
  return record({ options, ...own, agree });
}
