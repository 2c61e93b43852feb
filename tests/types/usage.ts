// Type tests of the ES module's declarations (pkg/raptor_secondary.d.ts, written by hand in
// js/): usage that must compile, and usage that must not (each `@ts-expect-error` line must be
// an error, or tsc fails with "Unused '@ts-expect-error' directive"). Run by the `types` tier
// of ./run_tests.sh after the build: `tsc -p tests/types`.
import init, {
  AppointmentClient, getActionLabel, initSync, resolveAction,
  type ActionResolution, type AppointmentClientConfig, type BookingRequest, type BookingResult,
  type ErrorCode, type LogRecord,
} from '../../pkg/raptor_secondary.js';
import initDropIn, * as dropIn from '../../pkg/raptor_secondary_drop_in.js';

export async function compiles(event: Event, list: Element): Promise<void> {
  await init();
  initSync({ module: new Uint8Array() });
  const label: string = getActionLabel(event);
  getActionLabel({ srcElement: list }, 'data-action');
  const found: ActionResolution = resolveAction(event, { attribute: 'data-id', maxDepth: 8, root: list });
  if (found.reason === 'disabled' && found.element !== null) found.element.getAttribute('data-id');
  resolveAction(null);

  const config: AppointmentClientConfig = {
    baseUrl: '/api/v2', attempts: 3, storage: 'local', log: (record: LogRecord) => record.event,
    fetch: (url, init) => fetch(url, init),
  };
  const client = new AppointmentClient(config);
  const request: BookingRequest = {
    calendarId: 'cal_1', slotStart: '2026-12-01T09:30:00Z', durationMinutes: 30,
    patientName: 'Jane Doe', patientEmail: 'jane@example.org',
  };
  const result: BookingResult = await client.book(request);
  if (result.state === 'failed' && result.error) {
    const code: ErrorCode = result.error.code;
    if (code === 'circuit_open') await client.flushOutbox();
  }
  await client.handle(event, { ...request, appointmentId: 'apt_1' });
  await new AppointmentClient({ storage: 'indexeddb' }).ready;
  await new AppointmentClient({ storage: 'none' }).ready;
  const controller = new AbortController();
  const stopped = await client.book(request, { signal: controller.signal });
  if (stopped.error?.code === 'aborted' && stopped.appointmentId) await client.cancel(stopped.appointmentId, {});
  const { successRate, p95Ms } = client.metrics();
  const rate: number | null = successRate ?? p95Ms;
  const state: 'closed' | 'open' | 'half_open' = client.breaker().state;
  const id: number = client.subscribe((record) => record.event === 'booking.completed' && record.correlation_id);
  client.unsubscribe(id);
  const plan = await client.replay({ since: new Date(Date.now() - 86_400_000), requests: [request] });
  for (const one of plan.unknown) if (one.expired) void one.idempotencyKey;
  const replayed = await client.replay({ dryRun: false, requests: [request] });
  if (replayed.requests[0].status === 'sent') void replayed.requests[0].result?.appointmentId;
  void replayed.outbox?.pending;
  client.free();
  await initDropIn();
  const alone: string = dropIn.getActionLabel(event) + dropIn.resolveAction(event).label;
  // @ts-expect-error the drop-in-only module has no booking client
  void dropIn.AppointmentClient;
  void [label, rate, state, alone];
}

export async function refuses(event: Event, client: AppointmentClient, request: BookingRequest): Promise<void> {
  // @ts-expect-error the attribute is a string
  getActionLabel(event, 5);
  // @ts-expect-error maxDepth is a number
  resolveAction(event, { maxDepth: '3' });
  // @ts-expect-error there is no such option
  resolveAction(event, { depth: 3 });
  // @ts-expect-error there is no such setting
  new AppointmentClient({ retries: 3 });
  // @ts-expect-error attempts is a number
  new AppointmentClient({ attempts: '3' });
  // @ts-expect-error durationMinutes is a number
  await client.book({ ...request, durationMinutes: '30' });
  // @ts-expect-error storage is one of the named ones or an object with getItem and setItem
  new AppointmentClient({ storage: 'disk' });
  // @ts-expect-error a signal is an AbortSignal
  await client.book(request, { signal: true });
  // @ts-expect-error there is no such call option
  await client.cancel('apt_1', { timeoutMs: 5 });
  // @ts-expect-error patientEmail is required
  await client.book({ calendarId: 'c', slotStart: 's', durationMinutes: 30, patientName: 'n' });
  const result = await client.book(request);
  // @ts-expect-error a result is completed or failed, nothing else
  if (result.state === 'done') return;
  // @ts-expect-error error codes are a closed set
  if (result.error?.code === 'not_an_error_code') return;
  // @ts-expect-error the reason may be null
  resolveAction(event).reason.length;
  // @ts-expect-error log events are a closed set (LogEvent)
  client.subscribe((record) => record.event === 'booking.done');
}
