// The AppointmentClient's driver modules for tests/web_scenarios.rs, loaded one at a time, leaves
// first (each import fetches one file: its imports are loaded already). Loaded all at once, the
// test runner's server (tiny_http) can leave a new connection unserved: its task pool queues a
// connection when it counts a waiting thread that another new connection has just taken, and
// every thread stays with its keep-alive connection, so Chrome never finished loading the page.
export async function loadClient() {
  for (const leaf of ['guard', 'config', 'transport', 'storage', 'kinds', 'driver', 'tabs']) {
    await import(`../../js/${leaf}.js`);
  }
  return import('../../js/client.js');
}
