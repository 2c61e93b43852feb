// raptor-secondary's drop-in alone as an ES module (`raptor-secondary/drop-in`): getActionLabel
// and resolveAction over the small Wasm module (raptor_secondary_lite*, no booking client).
// `await init()` (or `initSync({ module })`) before use.
import init, {
  initSync, __getActionLabelFast, __resolveActionFast, __failedSentinel, __takeFailure, __toWasm, __fromWasm,
} from './raptor_secondary_lite.js';

export default init;
export { initSync };

// The exports return a sentinel with the exception parked instead of a Result (cheaper glue).
// No number crosses into Wasm as itself (a WebKit 2.38 JIT bug: see reads.js).
let failed;
const unwrap = (value) => {
  if (value === (failed ??= __failedSentinel())) throw __fromWasm(__takeFailure());
  return value;
};

/** Which action a UI event stands for: the legacy helper's drop-in, srcElement fixed. */
export const getActionLabel = (event, attribute) => unwrap(__getActionLabelFast(__toWasm(event), __toWasm(attribute)));

/** The label of a UI event with where it came from and, when empty, why. */
export const resolveAction = (event, options) => unwrap(__resolveActionFast(__toWasm(event), __toWasm(options)));
