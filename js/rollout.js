/*!
 * raptor-secondary rollout kit: watch the new helper against the legacy one on real clicks, move
 * a share of bookings over, and switch back without a deploy. A classic script, after the loader:
 *
 *   <script src="/pkg/raptor-secondary.js" data-client data-shadow="label"
 *           data-report-url="/rollout/report" data-rollout-url="/rollout/config.json"></script>
 *   <script src="/pkg/raptor-secondary-rollout.js"></script>
 *
 * Defines `RaptorSecondary.rollout` ({ configure, snapshot, report, book, bucket, config }).
 * - Label shadow (GitHub Scientist's control and candidate): on a sampled click the legacy
 *   answer (the legacy rule, which ignores srcElement) is computed beside the new ones, the page
 *   gets the configured primary's, and divergences are counted by reason. Reports hold counters
 *   and reason codes only; labels only when on the allow-list.
 * - Bookings: `rollout.book(request, { legacy })` sends each booking down one path, decided once
 *   and kept for its retries, double clicks and reloads: stages off, shadow (a dry run of the new
 *   client: nothing sent), canary (Unleash's bucket of the unit, in the Rust core) and complete.
 *   Never both: the legacy call carries no idempotency key, so a dual write double-books.
 * - Kill switch: remote JSON (data-rollout-url), cached with its time; a click never waits for it.
 * This file is ES5 (legacy pages); where Promise or fetch is missing, bookings go the legacy way.
 * docs/user-guide.md, "Rolling it out", has the stages, the config, what is reported and the precedence.
 */
(function (global) {
  'use strict';

  var api = global.RaptorSecondary;
  var doc = global.document;
  var console = global.console;
  var storage = (function () { try { return global.localStorage; } catch (e) { return null; } })();
  if (!api) {
    if (console) console.warn('raptor-secondary-rollout: load raptor-secondary.js first; nothing is rolled out');
    return;
  }

  var PREFIX = 'raptor-secondary:rollout:';
  var REASONS = ['srcElement_only', 'text_node', 'nested_child', 'disabled', 'shadow_dom', 'read_failed', 'other'];
  // What the fix is meant to change (Scientist's `ignore`): counted as expected, not mismatched.
  var EXPECTED = { srcElement_only: 1, nested_child: 1 };
  var PRIMARIES = { dropin: 1, legacy: 1, resolver: 1 };
  var STAGES = { off: 1, shadow: 1, canary: 1, complete: 1 };
  var LABEL = /^[a-z0-9-]{1,64}$/;
  var MAX_REPORT = 4096;
  var DEFAULTS = {
    shadow: false, primary: 'dropin', sample: 1, cap: 500, allow: [], page: null, reportUrl: null, onReport: null,
    stage: 'off', percent: 0, groupId: 'booking', unit: null, configUrl: null, client: null,
  };
  var warned = {};
  function warnOnce(key, text) {
    if (warned[key] || !console) return;
    warned[key] = 1;
    console.warn('raptor-secondary-rollout: ' + text);
  }
  function coded(message) {
    return Object.defineProperty(new Error('raptor-secondary-rollout: ' + message), 'code',
      { value: 'invalid_options', enumerable: true, writable: true, configurable: true });
  }
  function own(o, key) { return Object.prototype.hasOwnProperty.call(o, key) ? o[key] : undefined; }
  function now() { return global.performance && global.performance.now ? global.performance.now() : Date.now(); }
  function read(key) { try { return storage ? storage.getItem(PREFIX + key) : null; } catch (e) { return null; } }
  function write(key, value) { try { if (storage) storage.setItem(PREFIX + key, value); } catch (e) { /* full or blocked */ } }

  // ---- Settings: checked one by one; a bad value is an error naming it (configure) or a
  // warning and the default (attributes, remote).
  var CHECKS = {
    shadow: function (v) { return typeof v === 'boolean'; },
    primary: function (v) { return PRIMARIES[v] === 1; },
    sample: function (v) { return typeof v === 'number' && v >= 0 && v <= 1; },
    cap: function (v) { return typeof v === 'number' && v >= 0 && v <= 1e9 && v % 1 === 0; },
    allow: function (v) {
      if (!Array.isArray(v) || v.length > 100) return false;
      for (var i = 0; i < v.length; i++) if (typeof v[i] !== 'string' || !LABEL.test(v[i])) return false;
      return true;
    },
    page: function (v) { return v === null || typeof v === 'string' && LABEL.test(v); },
    reportUrl: function (v) { return v === null || typeof v === 'string' && v.length > 0 && v.length <= 2048; },
    onReport: function (v) { return v === null || typeof v === 'function'; },
    stage: function (v) { return STAGES[v] === 1; },
    percent: function (v) { return typeof v === 'number' && v >= 0 && v <= 100 && v % 1 === 0; },
    groupId: function (v) { return typeof v === 'string' && v.length > 0 && v.length <= 256; },
    unit: function (v) { return v === null || typeof v === 'string' && v.length > 0 && v.length <= 256; },
    configUrl: function (v) { return v === null || typeof v === 'string' && v.length > 0 && v.length <= 2048; },
    client: function (v) { return v === null || typeof v === 'object'; },
  };
  var HINTS = {
    shadow: 'a boolean', primary: "'dropin', 'legacy' or 'resolver'", sample: 'a number from 0 to 1',
    cap: 'an integer from 0 to 1e9', allow: 'an array of at most 100 labels matching [a-z0-9-]{1,64}',
    page: 'null or a name matching [a-z0-9-]{1,64}', reportUrl: 'null or a URL', onReport: 'null or a function',
    stage: "'off', 'shadow', 'canary' or 'complete'", percent: 'an integer from 0 to 100',
    groupId: 'a string of 1 to 256 characters', unit: 'null or a string of 1 to 256 characters',
    configUrl: 'null or a URL', client: 'null, an AppointmentClient or its config',
  };

  // data-* attributes: on the loader's tag, then on this script's own tag.
  var ATTRIBUTES = {
    'data-shadow': ['shadow', function (v) { return v === 'label' || v === '' ? true : v === 'off' ? false : v; }],
    'data-shadow-primary': ['primary'],
    'data-shadow-sample': ['sample', Number],
    'data-shadow-cap': ['cap', Number],
    'data-shadow-allow': ['allow', function (v) { return v ? v.split(',') : []; }],
    'data-shadow-page': ['page'],
    'data-report-url': ['reportUrl'],
    'data-rollout-url': ['configUrl'],
    'data-rollout-stage': ['stage'],
    'data-rollout-percent': ['percent', Number],
    'data-rollout-group': ['groupId'],
    'data-rollout-unit': ['unit'],
  };
  function fromAttributes() {
    var found = {};
    var tags = [];
    if (doc) {
      var scripts = doc.getElementsByTagName('script');
      for (var i = 0; i < scripts.length; i++) {
        if (/raptor-secondary\.js(?:[?#]|$)/.test(scripts[i].src || '')) tags.push(scripts[i]);
      }
      if (doc.currentScript) tags.push(doc.currentScript);
    }
    for (var t = 0; t < tags.length; t++) {
      for (var name in ATTRIBUTES) {
        if (!tags[t].hasAttribute(name)) continue;
        var spec = ATTRIBUTES[name];
        var value = tags[t].getAttribute(name);
        value = spec[1] ? spec[1](value) : value;
        if (CHECKS[spec[0]](value)) found[spec[0]] = value;
        else warnOnce(name, name + ' must be ' + HINTS[spec[0]] + '; using the default');
      }
    }
    return found;
  }

  var layers = { attributes: fromAttributes(), page: {}, remote: null };
  var killed = false;
  var current;

  // The settings in force: defaults < data-* attributes < configure() < the remote config
  // (fresh, or cached within its max staleness).
  function settle() {
    var c = {};
    var key;
    for (key in DEFAULTS) c[key] = DEFAULTS[key];
    for (key in layers.attributes) c[key] = layers.attributes[key];
    for (key in layers.page) c[key] = layers.page[key];
    var remote = usableRemote();
    killed = false;
    c.source = remote ? remote.state : 'local';
    c.version = remote ? remote.config.version : null;
    if (remote) {
      var r = remote.config;
      if (r.label) for (key in r.label) c[key] = r.label[key];
      if (r.booking) for (key in r.booking) c[key] = r.booking[key];
      killed = r.killed === true;
    }
    if (killed) {
      // New bookings go the legacy way and the comparisons stop; bookings in flight finish on
      // their own path (never aborted: an aborted create may exist at the provider).
      c.stage = 'off';
      c.shadow = false;
    }
    c.killed = killed;
    current = c;
    return c;
  }

  function configure(options) {
    if (typeof options !== 'object' || options === null) throw coded('configure takes an object');
    var next = {};
    var keys = Object.keys(options);
    for (var i = 0; i < keys.length; i++) {
      var key = keys[i];
      if (own(CHECKS, key) === undefined) throw coded('unknown option ' + JSON.stringify(key) + ' (known: ' + Object.keys(CHECKS).join(', ') + ')');
      var value = options[key];
      if (!CHECKS[key](value)) throw coded(key + ' must be ' + HINTS[key] + ', got ' + (value === null ? 'null' : typeof value));
      next[key] = value;
    }
    for (var k in next) layers.page[k] = next[k];
    if (next.client !== undefined) client = null;
    settle();
    if (next.configUrl !== undefined) refresh();
    return snapshot();
  }

  // ---- The kill switch: remote JSON, cached with its time. A click never waits for it.
  var remoteState = { failures: 0, timer: 0, fetchedAt: 0, inFlight: false, lastError: null };
  function parseRemote(json) {
    if (typeof json !== 'object' || json === null || Array.isArray(json)) return null;
    var version = own(json, 'version');
    if (typeof version !== 'number' || version % 1 !== 0 || version < 0) return null;
    var out = { version: version, killed: own(json, 'killed') === true, ttlSeconds: 60, maxStaleSeconds: 86400 };
    if (own(json, 'killed') !== undefined && typeof json.killed !== 'boolean') return null;
    var ttl = own(json, 'ttlSeconds');
    if (ttl !== undefined) { if (typeof ttl !== 'number' || ttl < 1 || ttl > 86400) return null; out.ttlSeconds = ttl; }
    var stale = own(json, 'maxStaleSeconds');
    if (stale !== undefined) { if (typeof stale !== 'number' || stale < 0 || stale > 2678400) return null; out.maxStaleSeconds = stale; }
    var groups = { label: ['primary', 'sample', 'shadow'], booking: ['stage', 'percent', 'groupId'] };
    for (var group in groups) {
      var part = own(json, group);
      if (part === undefined) continue;
      if (typeof part !== 'object' || part === null) return null;
      out[group] = {};
      for (var i = 0; i < groups[group].length; i++) {
        var key = groups[group][i];
        var value = own(part, key);
        if (value === undefined) continue;
        if (!CHECKS[key](value)) return null;
        out[group][key] = value;
      }
    }
    return out;
  }
  function loadCache() {
    try {
      var cached = JSON.parse(read('config'));
      var config = cached && parseRemote(cached.config);
      if (config && typeof cached.fetchedAt === 'number') return { config: config, fetchedAt: cached.fetchedAt, url: cached.url };
    } catch (e) { /* no cache */ }
    return null;
  }
  // The remote config in force: fresh (within its ttl), else the cache within its max
  // staleness, else none.
  function configUrl() {
    return layers.page.configUrl !== undefined ? layers.page.configUrl : layers.attributes.configUrl || null;
  }
  function usableRemote() {
    var r = layers.remote;
    if (!r || !configUrl() || r.url !== configUrl()) return null;
    var age = (Date.now() - r.fetchedAt) / 1000;
    if (age <= r.config.ttlSeconds) return { config: r.config, state: 'fresh' };
    if (age <= r.config.maxStaleSeconds) return { config: r.config, state: 'cached' };
    return null;
  }
  function schedule(seconds) {
    clearTimeout(remoteState.timer);
    remoteState.timer = setTimeout(refresh, seconds * 1000);
  }
  function refresh() {
    var url = current.configUrl;
    if (!url || remoteState.inFlight || typeof fetch !== 'function') return;
    remoteState.inFlight = true;
    var abort = typeof AbortController === 'function' ? new AbortController() : null;
    var timer = setTimeout(function () { if (abort) abort.abort(); }, 2000);
    var ttl = layers.remote ? layers.remote.config.ttlSeconds : 60;
    var done = function () { clearTimeout(timer); remoteState.inFlight = false; };
    var failed = function (why) {
      done();
      remoteState.failures += 1;
      remoteState.lastError = why;
      if (why === 'malformed') warnOnce('malformed', 'the rollout config at ' + url + ' is malformed; using the cache or the defaults');
      settle();
      // Unleash's back-off: interval x (failures + 1), at most 10 x; never given up for good.
      schedule(ttl * Math.min(remoteState.failures + 1, 10));
    };
    fetch(url, { cache: 'no-store', credentials: 'same-origin', signal: abort ? abort.signal : undefined }).then(function (response) {
      if (!response.ok) return failed('status ' + response.status);
      return response.text().then(function (text) {
        var config;
        try { config = parseRemote(JSON.parse(text)); } catch (e) { config = null; }
        if (!config) return failed('malformed');
        done();
        remoteState.failures = 0;
        remoteState.lastError = null;
        layers.remote = { config: config, fetchedAt: Date.now(), url: url };
        write('config', JSON.stringify({ fetchedAt: layers.remote.fetchedAt, url: url, config: config }));
        settle();
        schedule(config.ttlSeconds);
      });
    })['catch'](function () { failed('unreachable'); });
  }

  // ---- The label shadow.
  // The legacy rule (LEGACY.md), srcElement ignored: the control.
  function legacyLabel(event, attribute) {
    if (attribute === undefined) attribute = 'data-action';
    if (!event) throw new TypeError('getActionLabel: an event-like object is required');
    var element = event.target || event.currentTarget;
    if (!element) return '';
    if (typeof element.getAttribute === 'function') {
      var value = element.getAttribute(attribute);
      return typeof value === 'string' ? value : '';
    }
    if (element.dataset && typeof attribute === 'string' && attribute.slice(0, 5) === 'data-') {
      return element.dataset[attribute.slice(5).replace(/-([a-z])/g, function (_, c) { return c.toUpperCase(); })] || '';
    }
    if (attribute in element) return typeof element[attribute] === 'string' ? element[attribute] : '';
    return '';
  }
  function resolverLabel(event, attribute) {
    return global.resolveAction(event, attribute === undefined ? undefined : { attribute: attribute });
  }
  function attempt(fn, event, attribute) {
    try { return { value: fn(event, attribute) }; } catch (error) { return { error: error }; }
  }
  function same(a, b) {
    if ('error' in a || 'error' in b) {
      if (!('error' in a && 'error' in b)) return false;
      // The same object, or errors of one kind (by name: another realm's TypeError is one too).
      try { return a.error === b.error || a.error.constructor.name === b.error.constructor.name; } catch (e) { return false; }
    }
    return a.value === b.value;
  }
  // Why the new answer differs from the legacy one, from the resolver's account of the click.
  function reasonOf(event, control, candidate, resolved) {
    if ('error' in resolved) return 'read_failed';
    var r = resolved.value;
    // The element came from srcElement alone: the fix at work (even where reading it throws,
    // which the legacy rule never did, since it never read it).
    if (r.source === 'srcElement') return 'srcElement_only';
    // The resolver answers '' for no event where the legacy rule throws: a change, not a fault.
    if (r.reason === 'no_event') return 'other';
    if (r.reason === 'read_failed') return 'read_failed';
    if (r.source === 'composedPath') return 'shadow_dom';
    if (r.reason === 'disabled') return 'disabled';
    var start;
    try { start = event.target; } catch (e) { return 'read_failed'; }
    if (start && start.nodeType === 3) return 'text_node';
    if (r.depth > 0) return 'nested_child';
    if ('error' in control || 'error' in candidate) return 'read_failed';
    return 'other';
  }

  var counts;
  function resetCounts() {
    counts = { compared: 0, matched: 0, expected: {}, mismatched: {}, labels: {}, costMs: 0, skipped: 0 };
  }
  resetCounts();
  var stats = { compared: 0, reports: 0, refused: 0 }; // for the page's lifetime (the cap)
  var inner;

  function answer(primary, event, attribute) {
    if (primary === 'legacy') return legacyLabel(event, attribute);
    if (primary === 'resolver') return resolverLabel(event, attribute).label;
    return inner(event, attribute);
  }

  function shadowed(event, attribute) {
    var c = current;
    if (!c.shadow || stats.compared >= c.cap || !(Math.random() < c.sample)) {
      if (c.shadow) counts.skipped += 1;
      return answer(c.primary, event, attribute);
    }
    var started = now();
    var control = attempt(legacyLabel, event, attribute);
    var dropin = attempt(inner, event, attribute);
    var resolved = attempt(resolverLabel, event, attribute);
    var resolverAnswer = 'error' in resolved ? resolved : { value: resolved.value.label };
    var candidate = c.primary === 'resolver' ? resolverAnswer : dropin;
    var out = c.primary === 'legacy' ? control : candidate;
    stats.compared += 1;
    counts.compared += 1;
    if (same(control, candidate)) {
      counts.matched += 1;
    } else {
      var reason = reasonOf(event, control, candidate, resolved);
      var bucket = EXPECTED[reason] ? counts.expected : counts.mismatched;
      bucket[reason] = (bucket[reason] || 0) + 1;
    }
    var label = 'value' in candidate ? candidate.value : null;
    if (typeof label === 'string' && c.allow.indexOf(label) >= 0) counts.labels[label] = (counts.labels[label] || 0) + 1;
    counts.costMs += now() - started;
    if ('error' in out) throw out.error;
    return out.value;
  }

  // The loader swaps the globals when the module is ready: wrap whichever is in place.
  function wrap() {
    if (global.getActionLabel === shadowed) return;
    inner = global.getActionLabel;
    global.getActionLabel = shadowed;
  }

  function summary() {
    var c = current;
    return {
      v: 1, page: c.page, engine: api.engine, primary: c.primary, sample: c.sample, source: c.source, version: c.version,
      killed: c.killed, compared: counts.compared, matched: counts.matched, skipped: counts.skipped,
      expected: copy(counts.expected), mismatched: copy(counts.mismatched), labels: copy(counts.labels),
      costMs: Math.round(counts.costMs * 1000) / 1000, bookings: copyPaths(),
    };
  }
  function copy(o) { var out = {}; for (var k in o) out[k] = o[k]; return out; }

  // Sends what was counted since the last report that got through: to onReport and, when a
  // report URL is set, as a beacon (under 4 KB). A refused beacon keeps the counters.
  function report() {
    var c = current;
    var booked = paths.legacy.ms.length + paths['new'].ms.length + paths.dryRuns;
    if (!counts.compared && !counts.skipped && !booked) return true; // nothing new to say
    var body = summary();
    var text = JSON.stringify(body);
    if (text.length > MAX_REPORT) { body.labels = {}; text = JSON.stringify(body); }
    if (c.onReport) {
      try { c.onReport(JSON.parse(text)); } catch (e) { warnOnce('onReport', 'onReport threw; reports go on'); }
    }
    var sent = !c.reportUrl;
    if (c.reportUrl && global.navigator && typeof global.navigator.sendBeacon === 'function') {
      try { sent = global.navigator.sendBeacon(c.reportUrl, text); } catch (e) { sent = false; }
    }
    if (sent) { resetCounts(); resetPaths(); stats.reports += 1; } else stats.refused += 1;
    return sent;
  }

  // ---- Bookings: one path per booking, decided once.
  var paths; // per path: completed, failed by code, durations
  function resetPaths() {
    paths = { legacy: { completed: 0, failed: {}, ms: [] }, new: { completed: 0, failed: {}, ms: [] }, dryRuns: 0, dryRunRefused: {}, sticky: 0 };
  }
  resetPaths();
  function copyPaths() {
    var out = { sticky: paths.sticky, dryRuns: paths.dryRuns, dryRunRefused: copy(paths.dryRunRefused) };
    for (var p in { legacy: 1, 'new': 1 }) {
      var ms = paths[p].ms.slice().sort(function (a, b) { return a - b; });
      out[p] = {
        completed: paths[p].completed, failed: copy(paths[p].failed),
        p50: ms.length ? Math.round(ms[Math.floor((ms.length - 1) * 0.5)]) : null,
        p95: ms.length ? Math.round(ms[Math.floor((ms.length - 1) * 0.95)]) : null,
      };
    }
    return out;
  }

  var client = null;
  function theClient() {
    if (client) return client;
    var given = current.client;
    if (given && typeof given.book === 'function') return (client = given);
    var Client = api.isReady && api.AppointmentClient;
    if (!Client) return null;
    try { client = new Client(given || {}); } catch (e) { warnOnce('client', 'the appointment client could not be made (' + e.message + '); bookings go the legacy way'); }
    return client;
  }

  function unitId() {
    if (current.unit) return current.unit;
    var kept = read('unit');
    if (kept && kept.length <= 256) return kept;
    var id = '';
    var bytes = global.crypto && global.crypto.getRandomValues ? global.crypto.getRandomValues(new Uint8Array(16)) : null;
    for (var i = 0; i < 16; i++) id += ((bytes ? bytes[i] : Math.random() * 256) | 0x100).toString(16).slice(-2);
    write('unit', id);
    return id;
  }

  function bucketOf(unit, groupId) {
    var Client = api.AppointmentClient;
    try { return Client && typeof Client.bucket === 'function' ? Client.bucket(groupId, unit) : null; } catch (e) { return null; }
  }

  // A booking's identity for its path: a salted SHA-256 of its fields (no personal data is
  // stored: the salt stays in this origin's storage), or the fields themselves in memory where
  // SubtleCrypto is missing (then reloads may not keep the path).
  var decided = {};
  var FIELDS = ['calendarId', 'slotStart', 'durationMinutes', 'patientName', 'patientEmail', 'patientPhone', 'notes', 'idempotencyKey'];
  function identity(request) {
    var fields = [];
    for (var i = 0; i < FIELDS.length; i++) fields.push(own(request, FIELDS[i]));
    var text = JSON.stringify(fields);
    var subtle = global.crypto && global.crypto.subtle;
    var inMemory = 'memory:' + text;
    if (!subtle || typeof TextEncoder !== 'function') return Promise.resolve(inMemory);
    var salt = read('salt');
    if (!salt) { salt = unitId() + Math.random().toString(36).slice(2); write('salt', salt); }
    return subtle.digest('SHA-256', new TextEncoder().encode(salt + '\n' + text)).then(function (digest) {
      var bytes = new Uint8Array(digest);
      var hex = '';
      for (var j = 0; j < 16; j++) hex += (bytes[j] | 0x100).toString(16).slice(-2);
      return hex;
    }, function () { return inMemory; });
  }
  var PATH_TTL_MS = 24 * 3600 * 1000;
  function keptPath(id) {
    if (decided[id]) return decided[id];
    if (id.indexOf('memory:') === 0) return null;
    try {
      var kept = JSON.parse(read('path:' + id));
      if (kept && (kept.p === 'legacy' || kept.p === 'new') && Date.now() - kept.t < PATH_TTL_MS) return kept.p;
    } catch (e) { /* none */ }
    return null;
  }
  function keepPath(id, path) {
    decided[id] = path;
    if (id.indexOf('memory:') !== 0) write('path:' + id, JSON.stringify({ p: path, t: Date.now() }));
  }
  function choose(unit) {
    var c = current;
    if (c.killed || c.stage === 'off' || c.stage === 'shadow') return 'legacy';
    if (!theClient()) return 'legacy';
    if (c.stage === 'complete') return 'new';
    var b = bucketOf(unit || unitId(), c.groupId);
    return b !== null && b <= c.percent ? 'new' : 'legacy';
  }

  // Error codes as reason codes only: whatever else a page's error says stays out of reports.
  function codeOf(value) { return typeof value === 'string' && /^[a-z0-9_]{1,40}$/.test(value) ? value : 'other'; }
  function time(path, started, promise) {
    return Promise.resolve(promise).then(function (value) {
      var failed = value && value.state === 'failed';
      if (failed) {
        var code = codeOf(value.error && value.error.code);
        paths[path].failed[code] = (paths[path].failed[code] || 0) + 1;
      } else {
        paths[path].completed += 1;
      }
      paths[path].ms.push(now() - started);
      if (paths[path].ms.length > 1000) paths[path].ms.shift();
      return { path: path, result: value };
    }, function (error) {
      var code = error && error.code !== undefined ? codeOf(error.code) : 'threw';
      paths[path].failed[code] = (paths[path].failed[code] || 0) + 1;
      throw error;
    });
  }

  // The new client run dry: it checks the request and builds what it would send; a fetch that
  // sends nothing answers it, so nothing reaches any provider.
  var dryClient = null;
  function dryRun(request) {
    var Client = api.isReady && api.AppointmentClient;
    if (!Client) return;
    try {
      dryClient = dryClient || new Client({ storage: 'none', attempts: 1, fetch: function () {
        return Promise.resolve(new Response('{"error":{"code":"dry_run","message":"not sent"}}',
          { status: 400, headers: { 'content-type': 'application/json' } }));
      } });
      paths.dryRuns += 1;
      dryClient.book(request).then(function (result) {
        var code = result.error && result.error.code;
        // What the new client would refuse before sending anything.
        if (code === 'invalid_request' || code === 'idempotency_key_reused' || code === 'invalid_options') {
          paths.dryRunRefused[code] = (paths.dryRunRefused[code] || 0) + 1;
        }
      }, function () {});
    } catch (e) { /* a dry run never disturbs the booking */ }
  }

  function book(request, options) {
    var legacy = options && typeof options === 'object' ? own(options, 'legacy') : undefined;
    if (typeof legacy !== 'function') throw coded('book(request, { legacy }) needs the page\'s own booking function as legacy');
    // The unit this booking is for (a patient's pseudonym, say), else the page's.
    var unit = own(options, 'unit');
    if (unit !== undefined && !CHECKS.unit(unit)) throw coded('unit must be ' + HINTS.unit);
    if (typeof Promise !== 'function') return legacy();
    return identity(request).then(function (id) {
      var path = keptPath(id);
      if (path) paths.sticky += 1;
      else keepPath(id, (path = choose(unit)));
      // A booking decided for the new client goes there even when the client went away since
      // (its record and key are there); one decided legacy is never sent by the new client.
      var started = now();
      if (path === 'new' && theClient()) return time('new', started, theClient().book(request));
      if (current.stage === 'shadow' && !current.killed) dryRun(request);
      return time('legacy', started, legacy());
    });
  }

  // ---- Replay: bookings whose outcome is unknown are sent again only by the client that
  // sent them, under their key; one that went down the legacy path is never re-sent (its
  // call carried no key: sending it again could book twice), it is for reconciliation.
  function replay(options) {
    var given = options === undefined || options === null ? {} : options;
    if (typeof given !== 'object' || Object.prototype.toString.call(given) === '[object Array]') throw coded('replay takes { since, dryRun, requests }');
    var keys = Object.keys(given);
    for (var k = 0; k < keys.length; k++) {
      if (keys[k] !== 'since' && keys[k] !== 'dryRun' && keys[k] !== 'requests') throw coded('replay has no option ' + keys[k].slice(0, 40) + ': it takes since, dryRun and requests');
    }
    var list = own(given, 'requests');
    if (list === undefined) list = [];
    if (Object.prototype.toString.call(list) !== '[object Array]') throw coded('requests must be an array of the booking requests to send again');
    var passed = { since: own(given, 'since'), dryRun: own(given, 'dryRun') };
    if (passed.dryRun === undefined) passed.dryRun = true;
    if (typeof Promise !== 'function') throw coded('replay needs Promise');
    list = list.slice();
    // A request that cannot be read has no path: the client refuses it as invalid.
    var ids = list.map(function (r) { try { return identity(r); } catch (e) { return 'memory:unreadable'; } });
    return Promise.all(ids).then(function (ids) {
      var toClient = [];
      var where = [];
      for (var i = 0; i < list.length; i++) {
        if (keptPath(ids[i]) === 'legacy') where.push(-1);
        else { where.push(toClient.length); toClient.push(list[i]); }
      }
      passed.requests = toClient;
      var c = theClient();
      var run = c && typeof c.replay === 'function' ? c.replay(passed)
        : Promise.resolve({ dryRun: passed.dryRun, unknown: [], requests: toClient.map(function () { return { status: 'not_found' }; }) });
      return run.then(function (out) {
        var merged = [];
        for (var j = 0; j < list.length; j++) {
          var one = where[j] < 0 ? { status: 'reconcile' } : out.requests[where[j]];
          one.path = where[j] < 0 ? 'legacy' : 'new';
          merged.push(one);
        }
        out.requests = merged;
        return out;
      });
    });
  }

  function snapshot() {
    var c = current;
    return {
      engine: api.engine, engineReason: api.engineReason,
      label: { shadow: c.shadow, primary: c.primary, sample: c.sample, cap: c.cap, comparedInPage: stats.compared, reports: stats.reports, refusedReports: stats.refused },
      booking: { stage: c.stage, percent: c.percent, groupId: c.groupId, killed: c.killed },
      config: { source: c.source, version: c.version, failures: remoteState.failures, lastError: remoteState.lastError },
      counts: summary(),
    };
  }

  // ---- Start.
  var cached = loadCache();
  if (cached) layers.remote = cached;
  settle();
  wrap();
  if (doc) {
    doc.addEventListener('raptor-secondary:ready', wrap);
    // Reports when the page is hidden (pagehide for bfcache and mobile, not unload); the
    // config is refreshed when the page comes back, if it is past its ttl.
    doc.addEventListener('visibilitychange', function () {
      if (doc.visibilityState === 'hidden') report();
      else if (layers.remote === null || (Date.now() - layers.remote.fetchedAt) / 1000 > layers.remote.config.ttlSeconds) refresh();
    });
    global.addEventListener('pagehide', report);
  }
  refresh();

  api.rollout = {
    configure: configure,
    snapshot: snapshot,
    report: report,
    book: book,
    /** Bookings whose outcome is unknown, sent again on the new path only (see the docs). */
    replay: replay,
    /** Unleash's bucket (1 to 100) of `unit` in `groupId`, from the Rust core (null before the
     *  client module is ready). */
    bucket: bucketOf,
    /** The legacy rule (srcElement ignored), for comparisons. */
    legacyLabel: legacyLabel,
    reasons: REASONS.slice(),
    refresh: refresh,
  };
})(typeof window !== 'undefined' ? window : globalThis);
