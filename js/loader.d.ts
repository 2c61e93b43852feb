// Types of the classic-script loader's globals (raptor-secondary.js, one <script> tag): what
// `getActionLabel`, `resolveAction` and `RaptorSecondary` are on `window`, and the
// `raptor-secondary:ready` event. Reference it from a page's TypeScript:
//   /// <reference types="raptor-secondary/loader" />
// Checked with tsc over tests/types/ in ./run_tests.sh.
import type {
  ActionResolution, AppointmentClient, AppointmentClientConfig, BookingRequest, BookingResult, ReplayOptions, ReplayReport,
  ResolveActionOptions,
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

/** Where a booking goes under the rollout kit. */
export type RolloutStage = 'off' | 'shadow' | 'canary' | 'complete';
/** Why a shadowed click's new answer differs from the legacy rule's. */
export type ShadowReason =
  | 'srcElement_only' | 'text_node' | 'nested_child' | 'disabled' | 'shadow_dom' | 'read_failed' | 'other';

/** `RaptorSecondary.rollout.configure(options)`: each optional; a bad one throws
 *  `invalid_options` naming it. */
export interface RolloutOptions {
  /** Compare the labels on sampled clicks (data-shadow="label"). */
  shadow?: boolean;
  /** Whose label the page gets: the drop-in (default), the legacy rule (the rollback) or the
   *  resolver's walk. */
  primary?: 'dropin' | 'legacy' | 'resolver';
  /** The share of clicks compared, 0 to 1 (default 1). */
  sample?: number;
  /** At most this many compared clicks in a page's life (default 500). */
  cap?: number;
  /** Labels a report may name (each [a-z0-9-]{1,64}); others are never reported. */
  allow?: string[];
  /** A name for the page in reports (never its URL). */
  page?: string | null;
  /** Where reports go as beacons when the page is hidden. */
  reportUrl?: string | null;
  /** Also given each report; a throw is swallowed. */
  onReport?: ((report: RolloutReport) => void) | null;
  stage?: RolloutStage;
  /** The canary's share, 0 to 100: Unleash's bucket of `groupId:unit` at most this. */
  percent?: number;
  groupId?: string;
  /** The page's unit (default: a random id kept in this origin's localStorage). */
  unit?: string | null;
  /** The remote rollout config, the kill switch (data-rollout-url). */
  configUrl?: string | null;
  /** The new path's client, or the config to make one (default: one with no options). */
  client?: AppointmentClient | AppointmentClientConfig | null;
}

/** What a report holds: counters and codes, never URLs, text, attribute values or ids. */
export interface RolloutReport {
  v: 1;
  page: string | null;
  engine: 'wasm' | 'fallback';
  primary: 'dropin' | 'legacy' | 'resolver';
  sample: number;
  source: 'fresh' | 'cached' | 'local';
  version: number | null;
  killed: boolean;
  compared: number;
  matched: number;
  skipped: number;
  expected: Partial<Record<ShadowReason, number>>;
  mismatched: Partial<Record<ShadowReason, number>>;
  labels: Record<string, number>;
  costMs: number;
  bookings: {
    sticky: number;
    dryRuns: number;
    dryRunRefused: Record<string, number>;
    legacy: RolloutPathFigures;
    new: RolloutPathFigures;
  };
}

export interface RolloutPathFigures {
  completed: number;
  failed: Record<string, number>;
  p50: number | null;
  p95: number | null;
}

/** `RaptorSecondary.rollout`, once raptor-secondary-rollout.js ran. */
export interface RolloutApi {
  configure(options: RolloutOptions): RolloutSnapshot;
  snapshot(): RolloutSnapshot;
  /** Sends what was counted since the last report that got through; false if refused. */
  report(): boolean;
  /** Books down one path, decided once per booking and kept for its retries and reloads. */
  book<T>(request: BookingRequest, options: { legacy: () => T | Promise<T>; unit?: string }):
    Promise<{ path: 'legacy'; result: T } | { path: 'new'; result: BookingResult }>;
  /** The client's `replay`, where a booking that went down the legacy path is never sent
   *  again (`status: 'reconcile'`, `path: 'legacy'`). */
  replay(options?: ReplayOptions): Promise<ReplayReport>;
  /** Unleash's bucket of `unit` in `groupId` (1 to 100), or null before the client is ready. */
  bucket(unit: string, groupId: string): number | null;
  /** The legacy rule (srcElement ignored). */
  legacyLabel(event: Event | object, attribute?: string): string;
  readonly reasons: ShadowReason[];
  /** Fetches the remote config now. */
  refresh(): void;
}

export interface RolloutSnapshot {
  engine: 'wasm' | 'fallback';
  engineReason: LoaderEngineReason | null;
  label: { shadow: boolean; primary: string; sample: number; cap: number; comparedInPage: number; reports: number; refusedReports: number };
  booking: { stage: RolloutStage; percent: number; groupId: string; killed: boolean };
  config: { source: 'fresh' | 'cached' | 'local'; version: number | null; failures: number; lastError: string | null };
  counts: RolloutReport;
}

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
  /** The rollout kit, where raptor-secondary-rollout.js is on the page. */
  readonly rollout?: RolloutApi;
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
