// The first hour's errors, through the built package in Node (needs pkg/: npm run build):
// a call before `init()` says to await it (`not_initialized`), not the glue's TypeError; a
// misspelt call option is refused, named; a type error names the type it got.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

const root = new URL('../../', import.meta.url);
const client = await import(new URL('pkg/raptor_secondary.js', root));
const dropIn = await import(new URL('pkg/raptor_secondary_drop_in.js', root));
const notInitialized = (e) => e instanceof Error && e.code === 'not_initialized' && /await init\(\)/.test(e.message);

test('every call before init() throws not_initialized, saying to await init() first', () => {
  const event = { target: null };
  assert.throws(() => client.getActionLabel(event), notInitialized);
  assert.throws(() => client.resolveAction(event), notInitialized);
  assert.throws(() => new client.AppointmentClient(), notInitialized);
  assert.throws(() => new client.AppointmentClient({ baseUrl: '/api/v2' }), notInitialized);
  assert.throws(() => client.AppointmentClient.bucket('g', 'u'), notInitialized);
  assert.throws(() => dropIn.getActionLabel(event), notInitialized);
  assert.throws(() => dropIn.resolveAction(event), notInitialized);
  // Once loaded, the same calls answer.
  client.initSync({ module: readFileSync(new URL('pkg/raptor_secondary_bg.wasm', root)) });
  dropIn.initSync({ module: readFileSync(new URL('pkg/raptor_secondary_lite_bg.wasm', root)) });
  assert.equal(client.getActionLabel(event), '');
  assert.equal(dropIn.getActionLabel({ srcElement: { getAttribute: () => 'book-appointment' } }), 'book-appointment');
  assert.equal(typeof client.AppointmentClient.bucket('g', 'u'), 'number');
  new client.AppointmentClient({ storage: 'none', fetch: async () => new Response('{}') }).free();
});

test('a misspelt call option is refused with invalid_options naming it; type errors name the type', async () => {
  const c = new client.AppointmentClient({ storage: 'none', fetch: async () => { throw new TypeError('offline'); }, attempts: 1 });
  const request = {
    calendarId: 'cal_1', slotStart: new Date(Date.now() + 86400000).toISOString(), durationMinutes: 30,
    patientName: 'Jane Doe', patientEmail: 'jane@example.org',
  };
  const unknownOption = (e) => e.code === 'invalid_options' && /unknown call option 'sigal'/.test(e.message) && /signal/.test(e.message);
  assert.throws(() => c.book(request, { sigal: new AbortController().signal }), unknownOption);
  assert.throws(() => c.cancel('apt_1', { sigal: 1 }), unknownOption);
  assert.throws(() => c.handle({ target: null }, request, { sigal: 1 }), unknownOption);
  assert.throws(() => c.book(request, { signal: 'stop' }), (e) => e.code === 'invalid_options' && /got signal as a string/.test(e.message));
  assert.throws(() => c.book(request, 5), (e) => e.code === 'invalid_options' && /got a number/.test(e.message));
  // The options that are right still work, and nothing was sent for the refused calls.
  const stopped = new AbortController();
  stopped.abort();
  assert.equal((await c.book(request, { signal: stopped.signal })).error.code, 'aborted');
  const typed = await c.book({ ...request, durationMinutes: '30' });
  assert.equal(typed.error.code, 'invalid_request');
  assert.equal(typed.error.message, 'durationMinutes must be a whole number from 5 to 240, got a string');
  assert.throws(() => new client.AppointmentClient({ attempts: '3' }), (e) => e.code === 'invalid_options' && /attempts must be a whole number from 1 to 10, got a string/.test(e.message));
  assert.throws(() => new client.AppointmentClient({ fetch: 5 }), (e) => /fetch must be a function; got a number/.test(e.message));
  assert.throws(() => new client.AppointmentClient({ storageKey: '' }), (e) => /storageKey must be a string of 1-200 characters; got a string of 0 characters/.test(e.message));
  c.free();
});
