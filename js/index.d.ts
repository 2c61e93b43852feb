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
  /** Attempts per step, first one included, 1–10; default 3. */
  attempts?: number;
  /** Backoff base delay, ms, 1–60 000; default 100. */
  baseDelayMs?: number;
  /** Backoff delay cap, ms, ≥ base, ≤ 300 000; default 2 000. */
  maxDelayMs?: number;
  /** Longest `Retry-After` honoured, ms; a longer one ends retrying; default 30 000. */
  maxRetryAfterMs?: number;
  /** Per-attempt timeout, ms, 1–120 000; default 5 000. */
  attemptTimeoutMs?: number;
  /** Overall deadline of a booking (create and polling), ms, 1–600 000; default 20 000. */
  deadlineMs?: number;
  /** Wait between polls of a pending booking, ms, 1–60 000; default 500. */
  pollIntervalMs?: number;
  /** Consecutive failures that open the breaker, 1–100; default 3. */
  breakerThreshold?: number;
  /** Breaker cool-down, ms, 1–3 600 000; default 5 000. */
  breakerCooldownMs?: number;
  /** How long finished idempotency records are kept, ms, up to 7 days; default 24 h. */
  idempotencyTtlMs?: number;
  /** Most idempotency records kept, 1–100 000; default 500. */
  idempotencyMaxEntries?: number;
  /** Log records kept for `logs()`, 0–100 000; default 1 000. */
  logCapacity?: number;
}

/** A booking. See docs/user-guide.md for the field constraints. */
export interface BookingRequest {
  /** The provider's calendar: 1-64 letters, digits, `_` or `-`. */
  calendarId: string;
  /** Slot start: RFC 3339 with an offset, in the future, at most 365 days ahead. */
  slotStart: string;
  /** Slot length in minutes, a whole number from 5 to 240. */
  durationMinutes: number;
  /** The patient's name, 1-100 characters (personal data: masked in logs, never stored). */
  patientName: string;
  /** The patient's e-mail, `local@domain.tld` (personal data: masked in logs, never stored). */
  patientEmail: string;
  /** The patient's phone, 7-15 digits with an optional leading `+`; optional (personal data: masked
   * in logs, never stored).
   */
  patientPhone?: string;
  /** Free text, at most 500 characters; optional (never logged, never stored). */
  notes?: string;
  /** Your own idempotency key (8-128 letters, digits, `.`, `_`, `:` or `-`), to make retries across
   * reloads and devices safe; default: one per booking.
   */
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
  /** The key it ran under (the one a replay sends again). */
  idempotencyKey: string;
  /** Why it ended without an outcome (`timeout`, `network_error`, ...). */
  code: ErrorCode;
  /** When it ended, in ms since the epoch. */
  endedAt: number;
  /** Past `idempotencyTtlMs`: never sent again, to be reconciled at the provider. */
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
  /** What went wrong, as a stable code. */
  code: ErrorCode;
  /** What went wrong, for people; names the offending field where there is one. */
  message: string;
  /** The request field at fault (`invalid_request` only), in its JavaScript spelling. */
  field?: string;
  /** The HTTP status the provider answered, where one caused this error. */
  status?: number;
  /** The failure behind this one: the last attempt's for `retry_exhausted`. */
  cause?: ClientError;
}

export interface BookingResult {
  /** Which operation; `null` when the click's label named none (`unknown_action`). */
  operation: 'book' | 'cancel' | null;
  /** `completed` or `failed`. */
  state: 'completed' | 'failed';
  /** The provider's appointment id, when one exists (also on a compensated failure). */
  appointmentId: string | null;
  /** Why it failed; `null` when completed. */
  error: ClientError | null;
  /** Calls made for the main step (create or cancel), 0 for a replay or a rejection. */
  attempts: number;
  /** Waits before a further attempt, over every step (create, poll, publish, compensation). */
  retries: number;
  /** The result was stored or joined under this idempotency key, not produced by this call. */
  idempotentReplay: boolean;
  /** This call's correlation id (also sent as `X-Correlation-Id`). */
  correlationId: string;
  /** The idempotency key the booking ran (or replayed) under. */
  idempotencyKey: string;
  /** A follow-up failure cancelled the appointment again. */
  compensated: boolean;
  /** The action label of the click that started it, for `handle`. */
  actionLabel: string | null;
  /** Wall time of this call in milliseconds. */
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
  /** RFC 3339 UTC with milliseconds. */
  ts: string;
  /** Severity. */
  level: 'info' | 'warn' | 'error';
  /** What happened, dotted: `booking.requested`, `attempt.failed`, ... */
  event: LogEvent;
  /** The call's correlation id. */
  correlation_id: string;
  /** The booking's idempotency key. */
  idempotency_key: string;
  /** The click's action label, when the call came from `handle`. */
  action_label: string | null;
  /** The attempt number within the current step, from 1. */
  attempt: number | null;
  /** Retries so far in this call. */
  retries: number;
  /** The provider's appointment id, once known. */
  appointment_id: string | null;
  /** The booking's state. */
  state: 'init' | 'in_progress' | 'completed' | 'failed';
  /** The error's stable code, on failures. */
  error_code: ErrorCode | null;
  /** Time since the call started. */
  duration_ms: number | null;
  /** The step: `create`, `poll`, `publish`, `compensate`, `cancel`. */
  step?: 'create' | 'poll' | 'publish' | 'compensate' | 'cancel';
  /** HTTP status of a provider answer. */
  status?: number;
  /** Wait before the next attempt or poll. */
  delay_ms?: number;
  /** State before, for `state.changed`. */
  from?: 'init' | 'in_progress' | 'completed' | 'failed';
  /** A breaker state change. */
  breaker?: { from: BreakerState; to: BreakerState };
  /** The request's personal fields, masked (on `booking.requested`). */
  patient?: { patientName: string; patientEmail: string; patientPhone?: string; notes?: string };
}

export type BreakerState = 'closed' | 'open' | 'half_open';

export interface BreakerView {
  /** `closed`, `open` or `half_open`. */
  state: BreakerState;
  /** Consecutive failures counted. */
  failures: number;
  /** Time before a probe may go through, when open. */
  retryInMs: number;
  /** Times it opened. */
  opens: number;
  /** Failures that open it. */
  threshold: number;
  /** Its cool-down. */
  cooldownMs: number;
}

export interface ClientMetrics {
  /** Calls to `book`/`cancel`/`handle`. */
  bookings: number;
  /** Ended completed. */
  completed: number;
  /** Ended failed. */
  failed: number;
  /** `completed / (completed + failed)`; `null` before the first result. */
  successRate: number | null;
  /** Waits before a further attempt. */
  retries: number;
  /** Answered from the idempotency store. */
  idempotentHits: number;
  /** Times the breaker opened. */
  breakerOpens: number;
  /** Bookings cancelled by compensation. */
  compensations: number;
  /** Failures that need reconciliation. */
  reconciliations: number;
  p50Ms: number | null;
  p95Ms: number | null;
}

export interface OutboxEntry {
  /** The event. */
  event: { id: string; type: 'appointment.created'; appointmentId: string; calendarId: string; slotStart: string; occurredAt: string; correlationId: string };
  /** The booking it follows. */
  bookingKey: string;
  /** Where it is. */
  status: 'pending' | 'published' | 'compensated' | 'needs_reconciliation';
}
