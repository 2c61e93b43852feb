// raptor-secondary as an ES module: getActionLabel and resolveAction from the Wasm glue
// (raptor_secondary_core.js), and the AppointmentClient, the JavaScript driver of the
// booking core (driver.js). `await init()` (or `initSync({ module })`) before use.
import init, {
  initSync, __Core, getActionLabel, resolveAction, __getActionLabelFast, __failedSentinel, __takeFailure,
} from './raptor_secondary_core.js';
import { defineClient } from './driver.js';

export default init;
export { initSync, getActionLabel, resolveAction, __getActionLabelFast, __failedSentinel, __takeFailure };

let requestFields;
let configFields;

/** The appointment client; see the README (the JavaScript API). */
export const AppointmentClient = defineClient({
  makeCore: (options, seed, now) => new __Core(options, seed, now),
  requestFields: () => (requestFields ??= __Core.requestFields()),
  configFields: () => (configFields ??= __Core.configFields()),
  resolveAction,
});
