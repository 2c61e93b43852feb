// The page reads behind getActionLabel and resolveAction. Rust decides; these only read.
//
// Every crossing between Wasm and JavaScript costs more than the read it makes, so a click
// costs a handful of calls, each passing small integers, not a call per property and per type
// check. The reads work on a cursor, as the walk does: `at` is the node being looked at,
// `stop` the walk's boundary, `kept` the disabled control a walk remembered, `label` the last
// label read. A read returns what it found as a number; Rust chooses the next read from it.
// The registers are cleared when a call ends, so no page node is held after it.
//
// None of the functions Rust calls throws. A read that throws (a hostile getter, a Proxy, a
// revoked Proxy) parks its exception and returns THREW; Rust stops reading and either fails
// the call, whose wrapper (`actionLabel`, called from JavaScript) rethrows it, or reports
// `read_failed` (resolveAction). An
// exception thrown through Wasm frames would skip Rust destructors and the shadow-stack reset,
// and enough of them brick the module (tests/hostile/).

const THREW = -1;

// WebKit 2.38 (a Safari 16 engine) mishandles a JavaScript number held as an externref (0,
// NaN, and doubles such as 1.5 or Infinity) once its Wasm JIT compiles the code that stores it
// in the externref table and passes it on: "Out of bounds table access", thrown through Wasm
// frames, and the module is broken from then on (tests/hostile/ found it: `getActionLabel(0)`
// or `resolveAction(event, { maxDepth: 1.5 })` a few hundred times; a module of a few
// instructions reproduces it). So no number crosses into Wasm as itself: a call's event and
// options stay here (`actionLabel`, `resolveCall`), `own` and `takeFailure` return through
// `toWasm`, which boxes a number, and the reads that inspect a value Rust holds take it back
// with `fromWasm` (`begin` and `look` need not: they get only a root Rust checked is an object
// and an attribute name Rust checked is a string).
const boxes = new WeakMap();
/** `value`, or a box standing for it when it is a number. */
export const toWasm = (v) => {
  if (typeof v !== 'number') return v;
  const box = {};
  boxes.set(box, v);
  return box;
};
/** What `toWasm` was given (a WeakMap lookup: no trap of a Proxy runs). */
export const fromWasm = (v) => (boxes.has(v) ? boxes.get(v) : v);

let failure;
let at;
let stop;
let kept;
let label;
let defaultName;
let defaultKey;

function clear() {
  at = stop = kept = label = undefined;
}

function park(error) {
  failure = error;
  clear();
  return THREW;
}

/** The exception the failed call parked, and a fresh start. */
export function takeFailure() {
  const error = failure;
  failure = undefined;
  return toWasm(error);
}

/** getActionLabel's refusal of a falsy event: a TypeError, as the legacy helper throws (its
 * message is Rust's NO_EVENT_MESSAGE; written here, a string argument costs bytes). */
export function refuse() {
  failure = new TypeError('getActionLabel: an event-like object is required');
  clear();
}

/** Parks `error` (resolveAction's invalid options) for the wrapper to throw. */
export function parkError(error) {
  failure = error;
}

/** A JavaScript Error with a stable own `code` (defined, so no setter a script put on
 * Object.prototype or Error.prototype sees it). */
export function codedError(message, code) {
  return Object.defineProperty(new Error(message), 'code', { value: code, enumerable: true, writable: true, configurable: true });
}

/** The attribute read when the caller gives none (Rust's DEFAULT_ATTRIBUTE), set once. */
export function setDefault(name) {
  defaultName = name;
  defaultKey = datasetKey(name);
}

// The `dataset` key of a `data-*` attribute name, or undefined for any other value: the legacy
// helper's own rule (../../shared/LEGACY.md), which is also the DOM's: `data-user-id` → `userId`,
// a `-` before an ASCII lowercase letter folds, every other code unit (lone surrogates
// included) is kept. It keeps the string's code units as they are, and a 1 MB name costs no
// copy into Wasm memory.
const DASH_LOWER = /-([a-z])/g;
const upper = (_, letter) => letter.toUpperCase();
export function datasetKey(name) {
  return typeof name === 'string' && name.startsWith('data-') ? name.slice(5).replace(DASH_LOWER, upper) : undefined;
}

// ---- the calls: their arguments held here ----

// A call's event and second argument (getActionLabel's attribute, resolveAction's options)
// stay here, as the cursor does: neither crosses into Wasm (a borrowed value costs an
// externref table slot each way), and `toWasm` need not box them. The export reads through
// the functions below and returns whether it succeeded (getActionLabel) or its answer packed
// in a number (resolveAction), and the wrapper makes the answer from the registers, then
// clears them: no page node is held after a call. A call that one of its reads re-entered (a
// getter that calls getActionLabel) gets fresh registers, and the outer call's come back
// when it ends.
let callEvent;
let callArgument;
let depth = 0;
const outer = [];

/** Starts a call on `e` and `a`, saving the registers of the call it re-entered, if any. */
export function enter(e, a) {
  if (depth++ > 0) outer.push(callEvent, callArgument, at, stop, kept, label);
  callEvent = e;
  callArgument = a;
  at = stop = kept = label = undefined;
}

/** Ends the call: its registers cleared, or the re-entered call's put back. */
export function leave() {
  if (--depth > 0) {
    label = outer.pop();
    kept = outer.pop();
    stop = outer.pop();
    at = outer.pop();
    callArgument = outer.pop();
    callEvent = outer.pop();
  } else {
    callEvent = callArgument = at = stop = kept = label = undefined;
  }
}

function takeParked() {
  const error = failure;
  failure = undefined;
  return error;
}

/**
 * getActionLabel(e, a): runs `run` (the Wasm export) with `e` and `a` as the call's arguments;
 * answers the label it found ('' when none was) or throws what it parked.
 */
export function actionLabel(run, e, a) {
  enter(e, a);
  try {
    if (run()) return takeLabel();
    throw takeParked();
  } finally {
    leave();
  }
}

/** resolveAction(e, o): as `actionLabel`; `run` gets what the options are (`kind`) and
 * returns the resolution packed (`resolution`), or -1 for invalid options. */
export function resolveCall(run, e, o) {
  enter(e, o);
  try {
    const packed = run(kindOf(o));
    if (packed >= 0) return resolution(packed);
    throw takeParked();
  } finally {
    leave();
  }
}

/** The label the getActionLabel call that just succeeded found ('' when none was). */
export function takeLabel() {
  return label === undefined ? '' : label;
}

// ---- getActionLabel: the legacy steps (LEGACY.md) ----

const NO_EVENT = 2;

/**
 * Steps 2 to 4 in one read: at = the first truthy of event.target, .srcElement,
 * .currentTarget (the fix: the legacy helper skipped srcElement) and, when it has a callable
 * `getAttribute`, the label it answers (a string, else ''). Returns LABELLED (the label is
 * found), 1 (an element without `getAttribute`: steps 5 and 6 follow), 0 (no element: the
 * label is ''), NO_EVENT for a falsy event. Here and below, an undefined attribute means the
 * default one.
 */
const LABELLED = 3;
export function element() {
  if (!callEvent) return NO_EVENT;
  try {
    at = callEvent.target || callEvent.srcElement || callEvent.currentTarget;
    if (!at) return 0;
    const read = at.getAttribute;
    if (typeof read !== 'function') return 1;
    const value = read.call(at, callArgument === undefined ? defaultName : callArgument);
    label = typeof value === 'string' ? value : '';
    return LABELLED;
  } catch (e) {
    return park(e);
  }
}

/** Step 5: 1 when `at` has a dataset and the attribute is a data-* name (`dataset[key] || ''`
 * is the label), else 0. */
export function viaDataset() {
  try {
    const dataset = at.dataset;
    if (!dataset) return 0;
    const key = callArgument === undefined ? defaultKey : datasetKey(callArgument);
    if (key === undefined) return 0;
    label = dataset[key] || '';
    return 1;
  } catch (e) {
    return park(e);
  }
}

/** Step 6: 1 when `attribute in at` (the property when a string, else '', is the label), else
 * 0. `in` fails for a primitive element, as in the legacy helper. */
export function viaProperty() {
  try {
    const key = callArgument === undefined ? defaultName : callArgument;
    if (!(key in at)) return 0;
    const value = at[key];
    label = typeof value === 'string' ? value : '';
    return 1;
  } catch (e) {
    return park(e);
  }
}

// ---- resolveAction: a bounded walk from the clicked node ----

/**
 * Where the walk starts, and its boundary; then a first look there. Returns NO_START_EVENT
 * for a falsy event, NO_START when no field has an element; else where it started, as Rust's
 * `Source` index: 3 (`composedPath()[0]`, when it differs from `target`: a click inside a
 * shadow tree), 0 (`target`), 1 (`srcElement`) or 2 (`currentTarget`), plus 8 times what
 * `look(name, true)` found there (LOOK_THREW when that threw). The boundary is `root` when
 * `useRoot`, else `currentTarget`.
 */
const NO_START = 4;
const NO_START_EVENT = 5;
const LOOK_THREW = 64;
export function begin(root, useRoot, name) {
  const event = callEvent;
  if (!event) return NO_START_EVENT;
  let code = NO_START;
  try {
    const target = event.target;
    let first;
    if (typeof event.composedPath === 'function') {
      const path = event.composedPath();
      if (Array.isArray(path)) first = path[0];
    }
    if (first && first !== target) {
      at = first;
      code = 3;
    } else if (target) {
      at = target;
      code = 0;
    }
    stop = useRoot ? root : event.currentTarget;
    if (code === NO_START) {
      at = event.srcElement;
      if (at) {
        code = 1;
      } else {
        at = event.currentTarget;
        if (at) code = 2;
      }
    }
  } catch (e) {
    return park(e);
  }
  if (code === NO_START) return code;
  const seen = look(name, true);
  return code + 8 * (seen === THREW ? LOOK_THREW : seen);
}

// Node kinds (the walk's NodeKind order) and the bits of a look at an element.
const OTHER = 0;
const ELEMENT = 1;
const TEXT = 2;
const SHADOW_ROOT = 3;
const DISABLED = 4;
const EMPTY = 8;
const VALUE = 16;
const AT_STOP = 32;

/**
 * Looks at the node under the cursor. Returns its kind; for an element, with bits: DISABLED
 * (asked only when `wantDisabled`: `:disabled`, or `disabled === true` without `matches`),
 * EMPTY or VALUE (the attribute's value is '' or a non-empty string, which becomes the label;
 * neither: the element does not have it) and AT_STOP (it is the boundary).
 */
export function look(attribute, wantDisabled) {
  try {
    const node = at;
    const name = attribute === undefined ? defaultName : attribute;
    if (typeof node !== 'object' || node === null) return OTHER;
    const type = node.nodeType;
    if (typeof type === 'number') {
      if (type === 3) return TEXT;
      if (type === 11) return node.host ? SHADOW_ROOT : OTHER;
      if (type !== 1) return OTHER;
    } else if (!(typeof node.getAttribute === 'function' || node.dataset || name in node)) {
      // No nodeType: a duck-typed element if it can answer for the attribute at all.
      return OTHER;
    }
    let bits = ELEMENT;
    if (wantDisabled && (typeof node.matches === 'function' ? node.matches(':disabled') === true : node.disabled === true)) {
      bits |= DISABLED;
    }
    let value;
    const read = node.getAttribute;
    if (typeof read === 'function') {
      value = read.call(node, name);
    } else {
      const dataset = node.dataset;
      const key = !dataset ? undefined : attribute === undefined ? defaultKey : datasetKey(name);
      if (key !== undefined) value = dataset[key];
      else if (name in node) value = node[name];
    }
    if (typeof value === 'string') {
      if (value.length === 0) {
        bits |= EMPTY;
      } else {
        bits |= VALUE;
        label = value;
      }
    }
    if (node === stop) bits |= AT_STOP;
    return bits;
  } catch (e) {
    return park(e);
  }
}

/** Moves the cursor up (to the host for a shadow root): 1, or 0 at the top. */
export function up() {
  try {
    const node = at;
    at = node.nodeType === 11 ? node.host : node.parentNode;
    return at ? 1 : 0;
  } catch (e) {
    return park(e);
  }
}

/** Remembers the node under the cursor: the disabled control, if a label is found above it. */
export function keep() {
  kept = at;
}

// Names by index (the Rust enums' order, 0 for null), and the result as an object literal:
// literal fields are defined, not assigned, so a setter on Object.prototype sees nothing.
const SOURCES = [null, 'target', 'srcElement', 'currentTarget', 'composedPath'];
const REASONS = [null, 'no_event', 'no_element', 'not_an_element', 'attribute_missing', 'attribute_empty',
  'disabled', 'depth_limit', 'read_failed'];

/** resolveAction's answer from `packed`: the source (Rust's `Source` index + 1, 0 for null)
 * in bits 0-2, the reason (the `Reason` index + 1, 0 for null) in bits 3-6, the element in
 * bits 7-8 (0 none, 1 the node under the cursor, 2 the kept one), the depth from bit 9. A read
 * failure the walk reported as `read_failed` is dropped. */
export function resolution(packed) {
  const reason = (packed >> 3) & 15;
  const element = (packed >> 7) & 3;
  failure = undefined;
  return {
    label: reason === 0 && label !== undefined ? label : '',
    source: SOURCES[packed & 7],
    reason: REASONS[reason],
    element: (element === 1 ? at : element === 2 ? kept : null) ?? null,
    depth: packed >>> 9,
  };
}

// ---- options ----

// An own property of an options object, never an inherited one: a polluted Object.prototype
// must not choose the attribute, the boundary or the depth.
const hasOwn = Object.prototype.hasOwnProperty;
let ownThrew = false;
/** `options[key]` if `key` is an own property of the call's options, else undefined (also
 * when the read threw). */
export function own(key) {
  try {
    return toWasm(hasOwn.call(callArgument, key) ? callArgument[key] : undefined);
  } catch (e) {
    ownThrew = true;
    return undefined;
  }
}

/** Whether an `own` read threw since the last call (and forget it). */
export function ownFailed() {
  const threw = ownThrew;
  ownThrew = false;
  return threw;
}

const KINDS = { __proto__: null, undefined: 0, string: 2, number: 3, object: 4 };
/** What `v` is: 0 undefined, 1 null, 2 string, 3 number, 4 object, 5 anything else. */
export function kind(value) {
  return kindOf(fromWasm(value));
}
function kindOf(v) {
  return v === null ? 1 : KINDS[typeof v] ?? 5;
}
export function number(v) { return fromWasm(v); }
/** The length in UTF-16 units of a string. */
export function units(v) { return v.length; }
/** Copies the first `out.length` UTF-16 units of string `s` into `out` (a lone surrogate
 * stays what it is, as it would not through a UTF-8 copy). */
export function copyUnits(s, out) {
  for (let i = 0; i < out.length; i++) out[i] = s.charCodeAt(i);
}
