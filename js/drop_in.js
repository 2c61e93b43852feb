// raptor-secondary's drop-in alone as an ES module (`raptor-secondary/drop-in`): getActionLabel
// and resolveAction over the small Wasm module (raptor_secondary_lite*, no booking client).
// `await init()` (or `initSync({ module })`) before use.
import glueInit, {
  initSync as glueInitSync, __getActionLabelFast, __resolveActionFast, __actionLabel, __resolveCall,
} from './raptor_secondary_lite.js';

// A call before the module is loaded says what to do (not the glue's TypeError).
let loaded = false;
const check = () => {
  if (!loaded) {
    throw Object.assign(new Error(
      'raptor-secondary: the WebAssembly module is not loaded yet: `await init()` (or call `initSync({ module })`) once before anything else',
    ), { code: 'not_initialized' });
  }
};

/** Fetches and compiles the .wasm (beside this module, or `{ module_or_path }`); await it once. */
export default function init(options) {
  return glueInit(options).then((exports) => { loaded = true; return exports; });
}

/** `init` from bytes or a compiled module, synchronously (`{ module }`). */
export function initSync(options) {
  const exports = glueInitSync(options);
  loaded = true;
  return exports;
}

// reads.js's actionLabel and resolveCall hold a call's arguments for its export (no page value
// crosses into Wasm), take its answer back and throw what it parked.
/** Which action a UI event stands for: the legacy helper's drop-in, srcElement fixed. */
export const getActionLabel = (event, attribute) => (loaded || check(), __actionLabel(__getActionLabelFast, event, attribute));

/** The label of a UI event with where it came from and, when empty, why. */
export const resolveAction = (event, options) => (loaded || check(), __resolveCall(__resolveActionFast, event, options));
