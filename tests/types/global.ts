// Type tests of the loader's global declarations (pkg/raptor-secondary.d.ts, written by hand in
// js/): a legacy page's script using the globals. Usage that must compile, and usage that
// must not (each `@ts-expect-error` line must be an error).
/// <reference path="../../pkg/raptor-secondary.d.ts" />
import type { LoaderEngineReason, LoaderErrorCode, ShadowReason } from '../../pkg/raptor-secondary.js';

export async function compiles(event: MouseEvent, button: HTMLButtonElement): Promise<void> {
  document.addEventListener('raptor-secondary:ready', (e) => { void e.detail; });
  const api = await RaptorSecondary.ready;
  const label: string = getActionLabel(event, 'data-action');
  getActionLabel({ srcElement: button });
  const found = resolveAction(event, { root: button });
  if (found.reason === 'disabled') void found.element;
  if (api.isReady && RaptorSecondary.AppointmentClient) {
    const client = new RaptorSecondary.AppointmentClient({ storage: 'indexeddb' });
    await client.ready;
  }
  try {
    window.getActionLabel(event);
  } catch (error) {
    const code = (error as { code?: LoaderErrorCode }).code;
    if (code === 'not_ready' || code === 'not_loaded') void code;
  }
  const held: number = RaptorSecondary.queuedClicks + RaptorSecondary.replayedClicks;
  if (RaptorSecondary.engine === 'fallback') {
    const why: LoaderEngineReason | null = RaptorSecondary.engineReason;
    void why;
  }
  const rollout = RaptorSecondary.rollout;
  if (rollout) {
    rollout.configure({ shadow: true, primary: 'legacy', sample: 0.05, stage: 'canary', percent: 5, groupId: 'g' });
    const booked = await rollout.book({ calendarId: 'c', slotStart: 's', durationMinutes: 30, patientName: 'p', patientEmail: 'e' },
      { legacy: () => 42 });
    if (booked.path === 'new') void booked.result.idempotencyKey;
    else { const n: number = booked.result; void n; }
    const again = await rollout.replay({ dryRun: false, requests: [] });
    if (again.requests.some((r) => r.path === 'legacy' && r.status === 'reconcile')) void again.unknown.length;
    const reason: ShadowReason = rollout.reasons[0];
    void reason;
  }
  void [label, held];
}

export function refuses(event: MouseEvent): void {
  // @ts-expect-error the attribute is a string
  getActionLabel(event, 1);
  // @ts-expect-error the globals are read-only views
  RaptorSecondary.isReady = true;
  // @ts-expect-error no such code
  const code: LoaderErrorCode = 'not_found';
  // @ts-expect-error no such stage
  RaptorSecondary.rollout?.configure({ stage: 'half' });
  // @ts-expect-error no such engine
  if (RaptorSecondary.engine === 'js') void 0;
  // @ts-expect-error resolveAction's options are typed
  resolveAction(event, { depth: 3 });
  void code;
}
