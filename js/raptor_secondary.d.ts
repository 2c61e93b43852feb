// Types of the raptor-secondary ES module (raptor_secondary.js): the Wasm exports
// (getActionLabel, resolveAction, init) and the AppointmentClient. Checked with tsc over
// tests/types/ in ./run_tests.sh; the field lists are checked against the Rust declarations
// by crates/core/tests/typescript.rs.
export { default, initSync } from './raptor_secondary_core.js';
export type { InitInput, InitOutput, SyncInitInput } from './raptor_secondary_core.js';

/**
 * Which action a UI event stands for: a drop-in for the legacy helper, `srcElement` fixed.
 * The element is `event.target`, else `event.srcElement`, else `event.currentTarget`; its
 * label is `getAttribute(attribute)` when it has `getAttribute`, else `dataset[camelCaseKey]`
 * for `data-*` names, else the property. Returns `''` when there is no label.
 * @throws {TypeError} when `event` is falsy.
 */
export function getActionLabel(event: Event | object, attribute?: string): string;
/** Where a label came from: the event field the walk started at. */
export type ActionSource = 'target' | 'srcElement' | 'currentTarget' | 'composedPath';

/** Why a label is empty. */
export type ActionReason =
  | 'no_event' | 'no_element' | 'not_an_element' | 'attribute_missing'
  | 'attribute_empty' | 'disabled' | 'depth_limit' | 'read_failed';

/** Options of `resolveAction`; every field is optional. */
export interface ResolveActionOptions {
  /** The attribute to read. Default `'data-action'`. */
  attribute?: string;
  /** Where the walk stops (inclusive). Default: `event.currentTarget`, the listening element. */
  root?: Element | null;
  /** Steps up from the clicked element before giving up with `depth_limit`. 0..1024, default 32. */
  maxDepth?: number;
}

/** The detailed answer of `resolveAction`. */
export interface ActionResolution {
  /** The label, `''` when there is none. */
  label: string;
  /** The event field the walk started from; `null` when the event had no element. */
  source: ActionSource | null;
  /** Why `label` is empty; `null` when there is a label. */
  reason: ActionReason | null;
  /** The element that answered: the one carrying the attribute, or the disabled control. */
  element: Element | null;
  /** Steps up from the clicked element to `element`. */
  depth: number;
}

/**
 * The label of a UI event with where it came from and, when empty, why. Never throws for a
 * bad event; throws an `Error` with `code: 'invalid_options'` for invalid options.
 */
export function resolveAction(event: Event | object | null | undefined, options?: ResolveActionOptions): ActionResolution;

/** The in-browser appointment client: idempotency keys, retries with backoff, timeouts, a
 *  circuit breaker, an outbox with compensation and masked structured logs, over `fetch`. */
export class AppointmentClient {
  /** Throws an `Error` with `code: 'invalid_options'` naming the option at fault. */
  constructor(config?: AppointmentClientConfig);
  /** Unleash's gradual-rollout bucket of `unit` in `groupId`: 1 to 100 (murmur3 x86 32 of
   *  `groupId:unit`, seed 0, `% 100 + 1`); `unit` is in a rollout of `p` percent when it is
   *  at most `p`. Non-empty strings of at most 256 characters, else `invalid_options`. */
  static bucket(groupId: string, unit: string): number;
  /** Resolves once the storage was read and the origin's secret agreed (at once with
   *  `storage: 'none'`, `'session'` or a Storage-like object; with IndexedDB, the default, and
   *  with `'local'` after a few milliseconds: calls made before wait for it, in order). */
  readonly ready: Promise<AppointmentClient>;
  /** Books an appointment. Resolves to a `BookingResult`; never rejects. `signal` stops it
   *  (`aborted`; an appointment that exists is kept and reported by `appointmentId`). Throws
   *  `invalid_options` for options that are not like `{ signal }`. */
  book(request: BookingRequest, options?: CallOptions): Promise<BookingResult>;
  /** Cancels an appointment by id (key `cancel:<id>`). Resolves to a `BookingResult`. */
  cancel(appointmentId: string, options?: CallOptions): Promise<BookingResult>;
  /** Resolves the click's label during dispatch, then books, cancels, or fails with
   *  `unknown_action`. Resolves to a `BookingResult`; never rejects. */
  handle(event: Event | { target?: unknown; srcElement?: unknown; currentTarget?: unknown }, request: BookingRequest & { appointmentId?: string }, options?: CallOptions): Promise<BookingResult>;
  /** Counters and latency percentiles. */
  metrics(): ClientMetrics;
  /** The most recent log records (`logCapacity` of them), oldest first. */
  logs(): LogRecord[];
  /** The circuit breaker. */
  breaker(): BreakerView;
  /** Follow-up events with their status. */
  outbox(): OutboxEntry[];
  /** The effective settings, defaults filled in. */
  config(): Required<Omit<AppointmentClientConfig, 'fetch' | 'log' | 'storage' | 'storageKey'>>;
  /** What was read back from storage. */
  restored(): { enabled: boolean; records: number; outbox: number; pending: number };
  /** Publishes events left pending; resolves to `{ published, pending }`. */
  flushOutbox(): Promise<{ published: number; pending: number }>;
  /**
   * The bookings whose outcome is unknown (ended at `since` or later), and what sending
   * `requests` again does. With `dryRun: false` (default `true`), each request whose record's
   * outcome is unknown is sent again under its key with the same body, then the outbox is
   * drained; a request with no such record, or one past `idempotencyTtlMs`, is never sent.
   * Throws `invalid_options` for an unknown option or a value of the wrong type.
   */
  replay(options?: ReplayOptions): Promise<ReplayReport>;
  /** A fresh idempotency key (UUID v4). */
  newIdempotencyKey(): string;
  /** Calls `listener(record)` for every log record; returns an id for `unsubscribe`. */
  subscribe(listener: (record: LogRecord) => void): number;
  /** Calls `listener(record)` for booking state and breaker changes; returns an id. */
  onStateChange(listener: (record: LogRecord) => void): number;
  /** Removes a listener; `false` if the id is unknown. */
  unsubscribe(id: number): boolean;
  /** Ends the client: waiting calls are answered (abandoned), calls in flight aborted. */
  free(): void;
}

/** Options of `new AppointmentClient(config)`; every one is optional. */
export interface AppointmentClientConfig {
  /** Provider base URL, default `/api/v2`. */
  baseUrl?: string;
  /** A `fetch`-compatible function, default the global `fetch`. */
  fetch?: (input: string, init: RequestInit) => Promise<Response>;
  /** Receives every log record (already masked). */
  log?: (record: LogRecord) => void;
  /** Where idempotency records, the outbox and the breaker are kept across reloads and tabs.
   *  Default (absent): IndexedDB where it opens, else localStorage, else page memory.
   *  `'none'` keeps them in page memory only (a reload then books again). */
  storage?: 'indexeddb' | 'local' | 'session' | 'none' | { getItem(key: string): string | null; setItem(key: string, value: string): void };
  /** The prefix of the storage items; default `raptor-secondary:v1:<baseUrl>`. */
  storageKey?: string;
  /** Attempts per step, first included, 1-10 (3). */
  attempts?: number;
  /** Backoff base delay in ms (100). */
  baseDelayMs?: number;
  /** Backoff delay cap in ms (2000). */
  maxDelayMs?: number;
  /** Longest Retry-After honoured in ms; a longer one ends retrying (30000). */
  maxRetryAfterMs?: number;
  /** Per-attempt timeout in ms (5000). */
  attemptTimeoutMs?: number;
  /** Overall deadline of a booking in ms (20000). */
  deadlineMs?: number;
  /** Wait between polls of a pending booking in ms (500). */
  pollIntervalMs?: number;
  /** Consecutive failures that open the breaker (3). */
  breakerThreshold?: number;
  /** Breaker cool-down in ms (5000). */
  breakerCooldownMs?: number;
  /** How long finished idempotency records are kept in ms (86400000). */
  idempotencyTtlMs?: number;
  /** Most idempotency records kept (500). */
  idempotencyMaxEntries?: number;
  /** Log records kept for `logs()` (1000). */
  logCapacity?: number;
}

/** A booking. See docs/user-guide.md for the field constraints. */
export interface BookingRequest {
  calendarId: string;
  /** RFC 3339 with an offset, in the future. */
  slotStart: string;
  durationMinutes: number;
  patientName: string;
  patientEmail: string;
  patientPhone?: string;
  notes?: string;
  /** Supply your own to make retries across reloads safe; default: one per booking. */
  idempotencyKey?: string;
}

/** Options of `replay`. */
export interface ReplayOptions {
  /** Only bookings that ended at this time or later (ms since the epoch, or a Date); default 0. */
  since?: number | Date;
  /** List and plan only, send nothing; default `true`. */
  dryRun?: boolean;
  /** The requests to send again (records keep no request: the page brings them). */
  requests?: BookingRequest[];
}

/** A booking whose outcome is unknown (no personal data). */
export interface UnknownBooking {
  idempotencyKey: string;
  /** Why it ended without an outcome: `timeout`, `network_error`, `retry_exhausted`, ... */
  code: ErrorCode;
  /** When it ended, ms since the epoch. */
  endedAt: number;
  /** Past `idempotencyTtlMs`: never sent again; reconcile it at the provider. */
  expired: boolean;
}

/**
 * What one request of `replay` did (or, in a dry run, would do): `would_send` / `sent` under
 * its record's key; `answered` from a known outcome; `reconcile` (past its time to live, or,
 * through the rollout kit, booked on the legacy path): never sent; `not_found`: no record of
 * it here, nothing sent; `invalid`: the request does not validate.
 */
export interface ReplayedRequest {
  status: 'would_send' | 'sent' | 'answered' | 'reconcile' | 'not_found' | 'invalid';
  idempotencyKey?: string;
  /** `invalid` in a dry run: the error code. */
  code?: ErrorCode;
  /** The call's result (not in a dry run). */
  result?: BookingResult;
  /** Through `RaptorSecondary.rollout.replay`: the path the booking took. */
  path?: 'legacy' | 'new';
}

export interface ReplayReport {
  dryRun: boolean;
  unknown: UnknownBooking[];
  requests: ReplayedRequest[];
  /** After a replay that sent: the outbox drained. */
  outbox?: { published: number; pending: number };
}

export type ErrorCode =
  | 'invalid_options' | 'invalid_request' | 'idempotency_key_reused' | 'retry_exhausted'
  | 'circuit_open' | 'timeout' | 'network_error' | 'provider_unavailable' | 'rate_limited'
  | 'request_in_progress' | 'provider_rejected' | 'bad_response' | 'outbox_publish_failed'
  | 'unknown_action' | 'invalid_transition' | 'aborted'
  | 'idempotency_expired' | 'nothing_to_replay';

/** Options of one `book`, `cancel` or `handle` call. */
export interface CallOptions {
  /** Stops waiting and retrying: the call resolves with `code: 'aborted'`. */
  signal?: AbortSignal;
}

export interface ClientError {
  code: ErrorCode;
  message: string;
  /** The request field at fault (`invalid_request`). */
  field?: string;
  /** The provider's HTTP status, where one caused the error. */
  status?: number;
  /** The failure behind this one (the last attempt's for `retry_exhausted`). */
  cause?: ClientError;
}

export interface BookingResult {
  operation: 'book' | 'cancel' | null;
  state: 'completed' | 'failed';
  appointmentId: string | null;
  error: ClientError | null;
  attempts: number;
  retries: number;
  idempotentReplay: boolean;
  correlationId: string;
  idempotencyKey: string;
  compensated: boolean;
  actionLabel: string | null;
  durationMs: number;
}

/** What a log record reports (`LogRecord.event`). */
export type LogEvent =
  | 'booking.requested' | 'cancel.requested' | 'booking.rejected' | 'state.changed'
  | 'state.invalid_transition' | 'attempt.started' | 'attempt.succeeded' | 'attempt.failed'
  | 'retry.scheduled' | 'call.short_circuited' | 'breaker.changed' | 'poll.scheduled'
  | 'appointment.confirmed' | 'idempotency.replayed' | 'idempotency.joined' | 'outbox.written'
  | 'outbox.published' | 'outbox.publish_failed' | 'outbox.flush' | 'compensation.started'
  | 'compensation.succeeded' | 'reconciliation.needed' | 'booking.completed'
  | 'booking.failed';

export interface LogRecord {
  ts: string;
  level: 'info' | 'warn' | 'error';
  event: LogEvent;
  correlation_id: string;
  idempotency_key: string;
  action_label: string | null;
  attempt: number | null;
  retries: number;
  appointment_id: string | null;
  state: 'init' | 'in_progress' | 'completed' | 'failed';
  error_code: ErrorCode | null;
  duration_ms: number | null;
  step?: 'create' | 'poll' | 'publish' | 'compensate' | 'cancel';
  status?: number;
  delay_ms?: number;
  from?: 'init' | 'in_progress' | 'completed' | 'failed';
  breaker?: { from: BreakerState; to: BreakerState };
  patient?: { patientName: string; patientEmail: string; patientPhone?: string; notes?: string };
}

export type BreakerState = 'closed' | 'open' | 'half_open';

export interface BreakerView {
  state: BreakerState;
  failures: number;
  /** Time before a probe may go through, when open. */
  retryInMs: number;
  opens: number;
  threshold: number;
  cooldownMs: number;
}

export interface ClientMetrics {
  bookings: number;
  completed: number;
  failed: number;
  successRate: number | null;
  retries: number;
  idempotentHits: number;
  breakerOpens: number;
  compensations: number;
  reconciliations: number;
  p50Ms: number | null;
  p95Ms: number | null;
}

export interface OutboxEntry {
  event: { id: string; type: 'appointment.created'; appointmentId: string; calendarId: string; slotStart: string; occurredAt: string; correlationId: string };
  bookingKey: string;
  status: 'pending' | 'published' | 'compensated' | 'needs_reconciliation';
}
