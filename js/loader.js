/*!
 * raptor-secondary loader: one classic <script> for legacy pages.
 *
 *   <script src="/pkg/raptor-secondary.js"></script>
 *   <button data-action="book-appointment" onclick="route(getActionLabel(event))">Book</button>
 *
 * Defines the globals `getActionLabel(event, attribute)` (the legacy helper's drop-in),
 * `resolveAction(event, options)` and `RaptorSecondary` ({ ready, isReady, engine,
 * engineReason, ... }); with `data-client` on the script tag, `RaptorSecondary.AppointmentClient`
 * is the booking client class once ready (without it, a smaller drop-in-only module is loaded).
 *
 * Never worse than the helper it replaces: until the WebAssembly module is ready, and wherever
 * it cannot run (no WebAssembly, a CSP without 'wasm-unsafe-eval', a file that fails to load),
 * both globals answer from a plain JavaScript copy of the same fixed contract, which gives the
 * module's answers exactly (tests/node/fallback.test.mjs), so no click waits and none throws.
 * This file is ES5: it parses in old engines (IE11, Edge's IE mode), which get the fallback.
 * Script attributes (optional): data-client (also load the appointment client, a larger
 * module), data-wasm-url (where the .wasm is; default: beside this script).
 */
(function (global) {
  'use strict';

  // ---- The fallback: the fixed contract (LEGACY.md) and the resolver's walk
  // (crates/core/src/action/walk.rs) in ES5, making the module's reads in the module's order.
  var DEFAULT = 'data-action';
  var INVALID = 'invalid_options';
  // resolveAction's messages (crates/core/src/action/options.rs and src/web/resolve.rs).
  var ATTRIBUTE = 'attribute must be an attribute name: a string of 1 to 1024 characters without spaces';
  var DEPTH = 'maxDepth must be an integer from 0 to 1024';

  function coded(message, code) {
    return Object.defineProperty(new Error(message), 'code', { value: code, enumerable: true, writable: true, configurable: true });
  }

  function kind(v) { return v === null ? 'null' : typeof v; }

  // The dataset key of a data-* name (`data-user-id` → `userId`), else undefined.
  function dataKey(name) {
    return typeof name === 'string' && name.slice(0, 5) === 'data-'
      ? name.slice(5).replace(/-([a-z])/g, function (_, c) { return c.toUpperCase(); }) : undefined;
  }

  // `name` on element `at`: getAttribute when callable, else dataset for a data-* name, else
  // the property when `name in at`. A string, else '' for getActionLabel (`label`) and
  // undefined (missing) for the walk; getActionLabel's dataset step gives `dataset[key] || ''`.
  function read(at, name, label) {
    var v = at.getAttribute, k;
    if (typeof v === 'function') v = v.call(at, name);
    else if ((v = at.dataset) && (k = dataKey(name)) !== undefined) {
      v = v[k];
      if (label) return v || '';
    } else v = name in at ? at[name] : undefined;
    return typeof v === 'string' ? v : label ? '' : undefined;
  }

  function fallbackLabel(event, attribute) {
    if (!event) throw new TypeError('getActionLabel: an event-like object is required');
    var at = event.target || event.srcElement || event.currentTarget;
    return at ? read(at, attribute === undefined ? DEFAULT : attribute, 1) : '';
  }

  function fallbackResolve(event, options) {
    var t = kind(options), attribute, depth, root, threw, problem;
    function own(key) {
      try { return Object.prototype.hasOwnProperty.call(options, key) ? options[key] : undefined; } catch (e) { threw = 1; }
    }
    if (t !== 'undefined' && t !== 'null') {
      if (t !== 'object') throw coded('options must be an object', INVALID);
      attribute = own('attribute');
      depth = own('maxDepth');
      root = own('root');
      problem = threw ? 'an option could not be read (its getter or Proxy threw)'
        : (t = kind(attribute)) !== 'undefined' && (t !== 'string' || attribute.length > 1024) && ATTRIBUTE
        || (t = kind(depth)) !== 'undefined' && t !== 'number' && DEPTH
        || (t = kind(root)) !== 'undefined' && t !== 'null' && t !== 'object' && 'root must be an element or null'
        || typeof attribute === 'string' && !/^[^\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/.test(attribute) && ATTRIBUTE
        || typeof depth === 'number' && !(depth >= 0 && depth <= 1024 && depth % 1 === 0) && DEPTH;
      if (problem) throw coded(problem, INVALID);
      if (t !== 'object') root = undefined;
    }
    var name = attribute === undefined ? DEFAULT : attribute;
    var max = typeof depth === 'number' ? depth : 32;
    var source = null, steps = 0, hops = 0, seen, disabledAt = -1;
    var at, stop, kept, from, first, path, node, type, value;
    function result(reason, element, where) {
      return { label: reason ? '' : value, source: source, reason: reason || null, element: element || null, depth: where || 0 };
    }
    if (!event) return result('no_event');
    try {
      at = event.target;
      if (typeof event.composedPath === 'function' && Array.isArray(path = event.composedPath())) first = path[0];
      from = first && first !== at ? (at = first, 'composedPath') : at ? 'target' : 0;
      stop = root || event.currentTarget;
      if (!from) from = ((at = event.srcElement)) ? 'srcElement' : ((at = event.currentTarget)) ? 'currentTarget' : 0;
    } catch (e) {
      return result('read_failed');
    }
    if (!from) return result('no_element');
    source = from;
    try {
      for (;;) {
        if (++hops > max * 2 + 4) return result('depth_limit', 0, steps);
        node = at;
        if (typeof node !== 'object' || !node) return result(seen ? 'attribute_missing' : 'not_an_element', 0, steps);
        type = node.nodeType;
        if (typeof type === 'number' ? type === 1
          : typeof node.getAttribute === 'function' || node.dataset || name in node) {
          seen = 1;
          if (disabledAt < 0 && (typeof node.matches === 'function' ? node.matches(':disabled') === true : node.disabled === true)) {
            kept = node;
            disabledAt = steps;
          }
          value = read(node, name);
          if (value) return disabledAt < 0 ? result(null, node, steps) : result('disabled', kept, disabledAt);
          if (value === '') return result(disabledAt < 0 ? 'attribute_empty' : 'disabled', node, steps);
          if (node === stop) return result('attribute_missing', 0, steps);
          if (steps >= max) return result('depth_limit', 0, steps);
          steps += 1;
        } else if (type !== 3 && !(type === 11 && node.host)) {
          return result(seen ? 'attribute_missing' : 'not_an_element', 0, steps);
        }
        if (!(at = node.nodeType === 11 ? node.host : node.parentNode)) {
          return result(seen ? 'attribute_missing' : 'not_an_element', 0, steps);
        }
      }
    } catch (e) {
      return result('read_failed');
    }
  }

  /**
   * Wraps the generated glue into the public API. Also used by the Node tests, which load the
   * glue themselves.
   */
  function fromGlue(glue) {
    var label = glue.__getActionLabelFast;
    var resolve = glue.__resolveActionFast;
    // reads.js's actionLabel and resolveCall hold a call's arguments for its export (no page
    // value crosses into Wasm), take its answer back and throw what it parked.
    var actionLabel = glue.__actionLabel;
    var resolveCall = glue.__resolveCall;
    return {
      getActionLabel: function getActionLabel(event, attribute) { return actionLabel(label, event, attribute); },
      resolveAction: function resolveAction(event, options) { return resolveCall(resolve, event, options); },
      AppointmentClient: glue.AppointmentClient,
    };
  }

  function notLoaded(why) {
    return function AppointmentClient() {
      throw coded('raptor-secondary: the appointment client is not loaded: ' + why, 'not_loaded');
    };
  }

  var api = {
    ready: null,
    isReady: false,
    /** Which implementation answers getActionLabel and resolveAction now, and why. */
    engine: 'fallback',
    engineReason: 'loading',
    fromGlue: fromGlue,
    // Kept for pages that read them: clicks are no longer held while the module loads.
    queuedClicks: 0,
    replayedClicks: 0,
  };
  global.RaptorSecondary = api;
  global.getActionLabel = fallbackLabel;
  global.resolveAction = fallbackResolve;

  var doc = global.document;
  var script = doc && doc.currentScript;
  var settle, cspBlocked;

  // The module cannot run here: the fallback answers for good; the console says why, once.
  function fallBack(reason, error) {
    if (api.engineReason !== 'loading') return;
    api.engineReason = reason;
    var text = 'WebAssembly cannot run here (' + reason + ')';
    api.AppointmentClient = notLoaded(text + '; book through the page\'s own path');
    if (global.console) global.console.warn('raptor-secondary: ' + text + '; getActionLabel and resolveAction answer from a JavaScript fallback', error || '');
    if (settle) settle(coded('raptor-secondary: ' + text, 'not_loaded'));
  }

  if (typeof Promise === 'function') {
    api.ready = new Promise(function (ok, fail) {
      settle = function (error) { settle = 0; if (error) fail((error.reason = api.engineReason, error)); else ok(api); };
    });
    // A page that never asks for `ready` sees no unhandled rejection; one that does still does.
    api.ready['catch'](function () {});
  }
  if (typeof WebAssembly !== 'object' || typeof fetch !== 'function') return fallBack('no_webassembly');
  if (!script) return; // Not a page (Node tests): the caller uses RaptorSecondary.fromGlue.

  var base = script.src.replace(/[?#].*/, '').replace(/[^/]*$/, '');
  var full = script.hasAttribute('data-client');
  var wasmUrl = script.getAttribute('data-wasm-url') || base + (full ? 'raptor_secondary_bg.wasm' : 'raptor_secondary_lite_bg.wasm');

  // A CSP that forbids compiling WebAssembly, or loading our files, says so with this event.
  doc.addEventListener('securitypolicyviolation', function (e) {
    var uri = String(e.blockedURI);
    if (uri === 'wasm-eval' || uri === 'eval' || uri.indexOf(base) === 0) cspBlocked = 1;
  });
  function failed(error) {
    fallBack(cspBlocked || /Content.Security|CSP|unsafe-eval/i.test(String(error && error.message)) ? 'csp' : 'load_failed', error);
  }

  // The .wasm is fetched and compiled at once, in parallel with the boot module; a server that
  // does not send application/wasm gets it compiled from its bytes.
  function compile(response) {
    return response.arrayBuffer().then(function (bytes) { return WebAssembly.compile(bytes); });
  }
  var wasm = fetch(wasmUrl).then(function (response) {
    if (!response.ok) throw new Error(wasmUrl + ' answered ' + response.status);
    return WebAssembly.compileStreaming ? WebAssembly.compileStreaming(response.clone())['catch'](function (error) {
      // A CSP refusal is final; a wrong content type is not.
      if (error instanceof WebAssembly.CompileError) throw error;
      return compile(response);
    }) : compile(response);
  });
  wasm['catch'](function () { /* reported through failed(), once the boot module runs */ });

  // A classic script cannot say import(), so a module does: raptor_secondary_boot.js (or
  // _boot_client.js), a bundle of the glue, which hands it over here.
  api._boot = function (glue) {
    delete api._boot;
    wasm.then(function (module) {
      var exports = glue.initSync({ module: module });
      var wrapped = fromGlue(glue);
      /** Bytes of Wasm linear memory and slots of the externref table, for leak checks. */
      api.memoryBytes = function () { return exports.memory.buffer.byteLength; };
      api.externrefSlots = function () { return exports.__wbindgen_externrefs.length; };
      global.getActionLabel = wrapped.getActionLabel;
      global.resolveAction = wrapped.resolveAction;
      api.AppointmentClient = wrapped.AppointmentClient || notLoaded('add data-client to the raptor-secondary.js script tag');
      api.engine = 'wasm';
      api.engineReason = null;
      api.isReady = true;
      settle(null);
      doc.dispatchEvent(new CustomEvent('raptor-secondary:ready'));
    })['catch'](failed);
  };
  var boot = doc.createElement('script');
  boot.type = 'module';
  boot.src = base + (full ? 'raptor_secondary_boot_client.js' : 'raptor_secondary_boot.js');
  boot.onerror = failed;
  doc.head.appendChild(boot);
})(typeof window !== 'undefined' ? window : globalThis);
