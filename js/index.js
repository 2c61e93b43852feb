// raptor-secondary as an ES module: getActionLabel and resolveAction from the Wasm glue
// (raptor_secondary_core.js), and the AppointmentClient, the JavaScript driver of the
// booking core (client.js over driver.js). `await init()` (or `initSync({ module })`) before use: a call
// before it throws `not_initialized`.
import glueInit, {
  initSync as glueInitSync, __Core, __getActionLabelFast, __resolveActionFast, __actionLabel, __resolveCall,
} from './raptor_secondary_core.js';
import { defineClient } from './client.js';

export { __getActionLabelFast, __resolveActionFast, __actionLabel, __resolveCall };

// A call before the module is loaded says what to do (not the glue's TypeError).
let loaded = false;
const notInitialized = () => Object.assign(new Error(
  'raptor-secondary: the WebAssembly module is not loaded yet: `await init()` (or call `initSync({ module })`) once before anything else',
), { code: 'not_initialized' });
const check = () => { if (!loaded) throw notInitialized(); };

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

let requestFields;
let configFields;

/** The appointment client; see docs/user-guide.md (the JavaScript API). */
export const AppointmentClient = defineClient({
  makeCore: (options, seed, now) => new __Core(options, seed, now),
  requestFields: () => (requestFields ??= (check(), __Core.fields(false).split(','))),
  configFields: () => (configFields ??= (check(), __Core.fields(true).split(','))),
  resolveAction,
  bucket: (groupId, unit) => (check(), __Core.bucket(groupId, unit)),
});
