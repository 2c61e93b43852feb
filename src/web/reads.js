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
// `read_failed` (resolveAction). An exception thrown through Wasm frames would skip Rust
// destructors and the shadow-stack reset, and enough of them brick the module
// (tests/hostile/).

const THREW = -1;

// No page value crosses into Wasm: a call's event, its attribute or options and the nodes it
// reads stay here, and Rust gets and gives small integers (and, from an options object, the
// attribute's UTF-16 units and the depth as a double). Besides its cost (a table slot each
// way), a value held as an externref meets a WebKit 2.38 (Safari 16) JIT bug: a JavaScript
// number in the externref table (0, NaN, 1.5, Infinity) is "Out of bounds table access" once
// the Wasm JIT compiles the code that stores it and passes it on, thrown through Wasm frames,
// and the module is broken from then on (tests/hostile/ found it with `getActionLabel(0)` and
// `resolveAction(event, { maxDepth: 1.5 })` a few hundred times). Only the Rust API
// (`get_action_label`, `resolve_action`: the wasm-bindgen tests, in Chromium and Firefox)
// passes page values in and takes a failure out.

let failure;
let at;
let stop;
let kept;
let label;

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
  return error;
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

/** The attribute read when the caller gives none: Rust's `DEFAULT_ATTRIBUTE` (a node test
 * compares them), written here so that the wrapper's first read needs no call into Wasm. */
export const DEFAULT_ATTRIBUTE = 'data-action';
const defaultKey = datasetKey(DEFAULT_ATTRIBUTE);

// ---- the calls: their arguments held here ----

// A call's event and second argument (getActionLabel's attribute, resolveAction's options)
// stay here, as the cursor does. The export reads through the functions below and returns
// whether it succeeded (getActionLabel) or its answer packed in a number (resolveAction), and
// the wrapper makes the answer from the registers, then clears them: no page node is held
// after a call. A call that one of its reads re-entered (a
// getter that calls getActionLabel) gets fresh registers, and the outer call's come back
// when it ends.
let callEvent;
let callArgument;
// resolveAction's options, as `readOptions` read them: the attribute (undefined: the default),
// the depth and the root, checked by Rust. An options getter may call the drop-in again
// between two of these reads, so they are saved with the rest.
let attribute;
let maxDepth;
let root;
let depth = 0;
const outer = [];

/** Starts a call on `e` and `a`, saving the registers of the call it re-entered, if any. */
export function enter(e, a) {
  if (depth++ > 0) outer.push(callEvent, callArgument, attribute, maxDepth, root, at, stop, kept, label);
  callEvent = e;
  callArgument = a;
  attribute = maxDepth = root = at = stop = kept = label = undefined;
}

/** Ends the call: its registers cleared, or the re-entered call's put back. */
export function leave() {
  if (--depth > 0) {
    label = outer.pop();
    kept = outer.pop();
    stop = outer.pop();
    at = outer.pop();
    root = outer.pop();
    maxDepth = outer.pop();
    attribute = outer.pop();
    callArgument = outer.pop();
    callEvent = outer.pop();
  } else {
    callEvent = callArgument = attribute = maxDepth = root = at = stop = kept = label = undefined;
  }
}

/**
 * getActionLabel(e, a): runs `run` (the Wasm export) with `e` and `a` as the call's arguments;
 * answers the label it found ('' when none was) or throws what it parked.
 */
export function actionLabel(run, e, a) {
  enter(e, a);
  try {
    if (run()) return takeLabel();
    throw takeFailure();
  } finally {
    leave();
  }
}

/** resolveAction(e, o): as `actionLabel`; `run` gets what the options are (`kindOf`) and,
 * without options (undefined or null), what `begin` found (else NOT_BEGUN: Rust begins once
 * it has read the options); it returns the resolution packed (`resolution`), or -1 for
 * invalid options. */
const NOT_BEGUN = -2;
export function resolveCall(run, e, o) {
  enter(e, o);
  try {
    const kind = kindOf(o);
    const packed = run(kind, kind < 2 ? begin(false) : NOT_BEGUN);
    if (packed >= 0) return resolution(packed);
    throw takeFailure();
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
    const value = read.call(at, callArgument === undefined ? DEFAULT_ATTRIBUTE : callArgument);
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
    const key = callArgument === undefined ? DEFAULT_ATTRIBUTE : callArgument;
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
export function begin(useRoot) {
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
  const seen = look(true);
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
export function look(wantDisabled) {
  try {
    const node = at;
    const name = attribute === undefined ? DEFAULT_ATTRIBUTE : attribute;
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

// Own properties of an options object, never inherited ones: a polluted Object.prototype must
// not choose the attribute, the boundary or the depth.
const hasOwn = Object.prototype.hasOwnProperty;

const KINDS = { __proto__: null, undefined: 0, string: 2, number: 3, object: 4 };
/** What `v` is: 0 undefined, 1 null, 2 string, 3 number, 4 object, 5 anything else. */
function kindOf(v) {
  return v === null ? 1 : KINDS[typeof v] ?? 5;
}

/** What the call's second argument is (`kindOf`), for the Rust `resolve_action`. */
export function argumentKind() {
  return kindOf(callArgument);
}

/** Reads the call's options (an object): `attribute`, `maxDepth` and `root`, each an own
 * property, each read even when an earlier one threw (as the fallback does). Returns their
 * kinds, 3 bits each in that order, or -1 when a read threw. (Whether one threw is this call's
 * own: a getter may run a whole call of its own in between.) */
export function readOptions() {
  const o = callArgument;
  let threw = false;
  const own = (key) => {
    try {
      return hasOwn.call(o, key) ? o[key] : undefined;
    } catch (e) {
      threw = true;
      return undefined;
    }
  };
  attribute = own('attribute');
  maxDepth = own('maxDepth');
  root = own('root');
  if (threw) return -1;
  return kindOf(attribute) | kindOf(maxDepth) << 3 | kindOf(root) << 6;
}
/** The option `maxDepth` (a number). */
export function maxDepthOption() { return maxDepth; }
/** The length in UTF-16 units of the option `attribute` (a string). */
export function attributeUnits() { return attribute.length; }
/** Copies the first `out.length` UTF-16 units of the option `attribute` into `out` (a lone
 * surrogate stays what it is, as it would not through a UTF-8 copy). */
export function copyAttribute(out) {
  for (let i = 0; i < out.length; i++) out[i] = attribute.charCodeAt(i);
}
