// Types of the classic-script loader's globals (raptor-secondary.js, one <script> tag): what
// `getActionLabel`, `resolveAction` and `RaptorSecondary` are on `window`, and the
// `raptor-secondary:ready` event. Reference it from a page's TypeScript:
//   /// <reference types="raptor-secondary/loader" />
// Checked with tsc over tests/types/ in ./run_tests.sh.
import type {
  ActionResolution, AppointmentClient, ResolveActionOptions,
} from './raptor_secondary.js';

/** Codes of the errors the loader throws (an `Error` with this `code`). */
export type LoaderErrorCode =
  /** No longer thrown: before the module is ready the globals answer from the fallback. */
  | 'not_ready'
  /** `RaptorSecondary.AppointmentClient` was used without `data-client` on the script tag,
   *  or where the module cannot run (`reason` then says why); also `ready`'s rejection. */
  | 'not_loaded';

/** Why the JavaScript fallback answers: the module is still loading, or cannot run here. */
export type LoaderEngineReason = 'loading' | 'no_webassembly' | 'csp' | 'load_failed';

/** `window.RaptorSecondary`. */
export interface RaptorSecondaryGlobal {
  /** Resolves once the WebAssembly module answers; rejects (`code: 'not_loaded'`, with
   *  `reason`) where it cannot run, and the fallback goes on answering. Never an unhandled
   *  rejection. `null` in an engine without Promise. */
  readonly ready: Promise<RaptorSecondaryGlobal>;
  /** Whether `ready` has resolved. */
  readonly isReady: boolean;
  /** Which implementation answers `getActionLabel` and `resolveAction` now: the WebAssembly
   *  module, or the JavaScript fallback of the same contract (the same answers). */
  readonly engine: 'wasm' | 'fallback';
  /** Why the fallback answers (`null` once the module does). */
  readonly engineReason: LoaderEngineReason | null;
  /** The booking client class, once ready; with `data-client` on the script tag, else a
   *  constructor that throws `not_loaded`. */
  readonly AppointmentClient?: typeof AppointmentClient;
  /** Always 0: clicks are no longer held while loading (the fallback answers them). */
  readonly queuedClicks: number;
  readonly replayedClicks: number;
  /** Once ready: bytes of Wasm memory and externref table slots (for leak checks). */
  memoryBytes?(): number;
  externrefSlots?(): number;
}

declare global {
  /** The legacy helper's drop-in (see the ES module's `getActionLabel`); answers from the
   *  JavaScript fallback until the module is ready, and where it cannot run. */
  function getActionLabel(event: Event | object, attribute?: string): string;
  /** See the ES module's `resolveAction`; answers from the fallback as `getActionLabel` does. */
  function resolveAction(event: Event | object | null | undefined, options?: ResolveActionOptions): ActionResolution;
  // eslint-disable-next-line no-var
  var RaptorSecondary: RaptorSecondaryGlobal;
  interface DocumentEventMap {
    /** Dispatched on `document` once the module is ready. */
    'raptor-secondary:ready': CustomEvent<undefined>;
  }
}
