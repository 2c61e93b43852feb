// Types of the classic-script loader's globals (raptor-secondary.js, one <script> tag): what
// `getActionLabel`, `resolveAction` and `RaptorSecondary` are on `window`, and the
// `raptor-secondary:ready` event. Reference it from a page's TypeScript:
//   /// <reference types="raptor-secondary/loader" />
// Checked with tsc over tests/types/ in ./run_tests.sh.
import type {
  ActionResolution, AppointmentClient, ResolveActionOptions,
} from './raptor_secondary.js';

/** Codes of the errors the loader's own globals throw (an `Error` with this `code`). */
export type LoaderErrorCode =
  /** `getActionLabel` or `resolveAction` was called before the module was ready. */
  | 'not_ready'
  /** `RaptorSecondary.AppointmentClient` was used without `data-client` on the script tag. */
  | 'not_loaded';

/** `window.RaptorSecondary`. */
export interface RaptorSecondaryGlobal {
  /** Resolves once the module is loaded and the globals are the real ones (rejects if it
   *  failed to load: held clicks are let through, the globals keep throwing `not_ready`). */
  readonly ready: Promise<RaptorSecondaryGlobal>;
  /** Whether `ready` has resolved. */
  readonly isReady: boolean;
  /** The booking client class, once ready; with `data-client` on the script tag, else a
   *  constructor that throws `not_loaded`. */
  readonly AppointmentClient?: typeof AppointmentClient;
  /** Clicks on `[data-action]` elements held while loading, and those replayed. */
  readonly queuedClicks: number;
  readonly replayedClicks: number;
  /** Once ready: bytes of Wasm memory and externref table slots (for leak checks). */
  memoryBytes?(): number;
  externrefSlots?(): number;
}

declare global {
  /** The legacy helper's drop-in (see the ES module's `getActionLabel`); throws an `Error`
   *  with `code: 'not_ready'` before `RaptorSecondary.ready`. */
  function getActionLabel(event: Event | object, attribute?: string): string;
  /** See the ES module's `resolveAction`; throws `not_ready` before `RaptorSecondary.ready`. */
  function resolveAction(event: Event | object | null | undefined, options?: ResolveActionOptions): ActionResolution;
  // eslint-disable-next-line no-var
  var RaptorSecondary: RaptorSecondaryGlobal;
  interface DocumentEventMap {
    /** Dispatched on `document` once the module is ready. */
    'raptor-secondary:ready': CustomEvent<undefined>;
  }
}
