// raptor-secondary as an ES module: getActionLabel and resolveAction from the Wasm glue
// (raptor_secondary_core.js), and the AppointmentClient, the JavaScript driver of the
// booking core (driver.js). `await init()` (or `initSync({ module })`) before use.
import init, {
  initSync, __Core, __getActionLabelFast, __resolveActionFast, __failedSentinel, __takeFailure, __toWasm, __fromWasm,
} from './raptor_secondary_core.js';
import { defineClient } from './driver.js';

export default init;
export { initSync, __getActionLabelFast, __resolveActionFast, __failedSentinel, __takeFailure, __toWasm, __fromWasm };

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

let requestFields;
let configFields;

/** The appointment client; see the README (the JavaScript API). */
export const AppointmentClient = defineClient({
  makeCore: (options, seed, now) => new __Core(options, seed, now),
  requestFields: () => (requestFields ??= __Core.requestFields()),
  configFields: () => (configFields ??= __Core.configFields()),
  resolveAction,
  bucket: (groupId, unit) => __Core.bucket(groupId, unit),
});
