// Types of the drop-in-only ES module (`raptor-secondary/drop-in`): getActionLabel and
// resolveAction over the small Wasm module, no booking client. See raptor_secondary.d.ts.
import type { ActionResolution, ResolveActionOptions } from './raptor_secondary.js';

export { default, initSync } from './raptor_secondary_lite.js';
export type { InitInput, InitOutput, SyncInitInput } from './raptor_secondary_lite.js';
export type {
  ActionReason, ActionResolution, ActionSource, ResolveActionOptions,
} from './raptor_secondary.js';

/** The legacy helper's drop-in, `srcElement` fixed. @throws {TypeError} when `event` is falsy. */
export function getActionLabel(event: Event | object, attribute?: string): string;
/** The label of a UI event with where it came from and, when empty, why. */
export function resolveAction(event: Event | object | null | undefined, options?: ResolveActionOptions): ActionResolution;
