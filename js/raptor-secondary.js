/*!
 * raptor-secondary loader: one classic <script> for legacy pages.
 *
 *   <script src="/pkg/raptor-secondary.js"></script>
 *   <button data-action="book-appointment" onclick="route(getActionLabel(event))">Book</button>
 *
 * Defines the globals `getActionLabel(event, attribute)` (the legacy helper's drop-in),
 * `resolveAction(event, options)` and `RaptorSecondary` ({ ready, isReady, version, ... });
 * with `data-client` on the script tag, `RaptorSecondary.AppointmentClient` is the booking
 * client class once ready (without it, a smaller drop-in-only module is loaded).
 * The WebAssembly module loads in the background; clicks on `[data-action]` elements made
 * before it is ready are held in the capture phase and replayed, in order, once it is ready,
 * so no click is lost. Script attributes (all optional):
 *   data-client        also load the appointment client (a larger module)
 *   data-wasm-url      where the .wasm is (default: beside this script)
 *   data-queue-attribute  which clicks to hold while loading (default: data-action)
 */
(function (global) {
  'use strict';

  // The drop-in alone, or with the appointment client when the script tag says data-client.
  var FULL = { glue: 'raptor_secondary.js', wasm: 'raptor_secondary_bg.wasm' };
  var LITE = { glue: 'raptor_secondary_lite.js', wasm: 'raptor_secondary_lite_bg.wasm' };

  /**
   * Wraps the generated glue into the public API. Also used by the Node tests, which load the
   * glue themselves.
   */
  function fromGlue(glue) {
    var label = glue.__getActionLabelFast;
    var resolve = glue.__resolveActionFast;
    var failed = glue.__failedSentinel();
    var takeFailure = glue.__takeFailure;
    // No number crosses into Wasm as itself (a WebKit 2.38 JIT bug: see reads.js).
    var toWasm = glue.__toWasm;
    var fromWasm = glue.__fromWasm;
    // The exports return a sentinel with the exception parked instead of a Result.
    function unwrap(found) {
      if (found === failed) throw fromWasm(takeFailure());
      return found;
    }
    return {
      getActionLabel: function getActionLabel(event, attribute) { return unwrap(label(toWasm(event), toWasm(attribute))); },
      resolveAction: function resolveAction(event, options) { return unwrap(resolve(toWasm(event), toWasm(options))); },
      AppointmentClient: glue.AppointmentClient,
    };
  }

  function notReady(name) {
    return function () {
      var error = new Error('raptor-secondary: ' + name + ' was called before the module is ready; ' +
        'wait for RaptorSecondary.ready (clicks on [data-action] elements are queued for you)');
      error.code = 'not_ready';
      throw error;
    };
  }

  var api = {
    ready: null,
    isReady: false,
    fromGlue: fromGlue,
    /** Clicks held while loading, replayed once ready (for tests and diagnostics). */
    queuedClicks: 0,
    replayedClicks: 0,
  };
  global.RaptorSecondary = api;
  if (typeof global.getActionLabel !== 'function') global.getActionLabel = notReady('getActionLabel');
  if (typeof global.resolveAction !== 'function') global.resolveAction = notReady('resolveAction');

  var doc = global.document;
  var script = doc && doc.currentScript;
  if (!script) return; // Not a page (Node tests): the caller uses RaptorSecondary.fromGlue.

  var base = new URL('.', script.src).href;
  var flavour = script.hasAttribute('data-client') ? FULL : LITE;
  var wasmUrl = script.getAttribute('data-wasm-url') || base + flavour.wasm;
  var queueAttribute = script.getAttribute('data-queue-attribute') || 'data-action';

  // Early capture, as jsaction does: hold clicks on action elements until the module is ready.
  var queue = [];
  function hold(event) {
    var path = event.composedPath ? event.composedPath() : [];
    var node = path[0] || event.target;
    var element = node && node.nodeType === 3 ? node.parentElement : node;
    if (!element || !element.closest || !element.closest('[' + queueAttribute + ']')) return;
    event.stopImmediatePropagation();
    event.preventDefault();
    queue.push({ node: node, event: event });
    api.queuedClicks += 1;
  }
  global.addEventListener('click', hold, true);

  function replay() {
    global.removeEventListener('click', hold, true);
    var held = queue.splice(0);
    for (var i = 0; i < held.length; i++) {
      var e = held[i].event;
      held[i].node.dispatchEvent(new MouseEvent('click', {
        bubbles: true, cancelable: true, composed: true, view: global, detail: e.detail,
        screenX: e.screenX, screenY: e.screenY, clientX: e.clientX, clientY: e.clientY,
        ctrlKey: e.ctrlKey, shiftKey: e.shiftKey, altKey: e.altKey, metaKey: e.metaKey,
        button: e.button, buttons: e.buttons,
      }));
      api.replayedClicks += 1;
    }
  }

  // The .wasm is fetched and compiled at once, in parallel with the glue's import (one round
  // trip instead of two before the module runs); a server that does not send application/wasm
  // gets the glue's own fallback.
  var wasm = global.fetch(wasmUrl);
  if (typeof WebAssembly.compileStreaming === 'function') {
    wasm = WebAssembly.compileStreaming(wasm).catch(function () { return global.fetch(wasmUrl); });
  }
  wasm.catch(function () { /* reported through ready, once the glue awaits it */ });
  api.ready = import(base + flavour.glue)
    .then(function (glue) {
      return glue.default({ module_or_path: wasm }).then(function (exports) {
        /** Bytes of Wasm linear memory and slots of the externref table, for leak checks. */
        api.memoryBytes = function () { return exports.memory.buffer.byteLength; };
        api.externrefSlots = function () { return exports.__wbindgen_externrefs.length; };
        return glue;
      });
    })
    .then(function (glue) {
      var bound = fromGlue(glue);
      global.getActionLabel = bound.getActionLabel;
      global.resolveAction = bound.resolveAction;
      api.AppointmentClient = bound.AppointmentClient || function AppointmentClient() {
        var error = new Error('the appointment client is not loaded: add data-client to the '
          + 'raptor-secondary.js script tag');
        error.code = 'not_loaded';
        throw error;
      };
      api.isReady = true;
      replay();
      doc.dispatchEvent(new CustomEvent('raptor-secondary:ready'));
      return api;
    }, function (error) {
      // Let held clicks through rather than swallow them; the page sees not_ready errors.
      replay();
      if (global.console) global.console.error('raptor-secondary: the module failed to load', error);
      throw error;
    });
})(typeof window !== 'undefined' ? window : globalThis);
