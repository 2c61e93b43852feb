// Builds event-like objects from the shape language of data/action_label_corpus.json, and
// checks a result against a case's expectation. ES module; used by the browser tests
// (wasm-bindgen-test and the drop-in page test) and by the Node tests.

const UNDEFINED = '$undefined';

/** A value spec: a string or number as is, or { $repeat: [text, n] }, or { $object: s }. */
export function buildValue(spec) {
  if (spec && typeof spec === 'object' && '$repeat' in spec) return spec.$repeat[0].repeat(spec.$repeat[1]);
  if (spec && typeof spec === 'object' && '$object' in spec) {
    const text = spec.$object;
    return { toString: () => text };
  }
  return spec;
}

function hostile(kind) {
  const boom = () => { throw new Error(`hostile ${kind}`); };
  switch (kind) {
    case 'throwing-target-getter': return Object.defineProperty({}, 'target', { get: boom });
    case 'throwing-getAttribute': return { getAttribute: boom };
    case 'throwing-dataset': return Object.defineProperty({}, 'dataset', { get: boom });
    case 'proxy': {
      const traps = {};
      for (const trap of ['get', 'has', 'set', 'ownKeys', 'getOwnPropertyDescriptor', 'getPrototypeOf',
        'defineProperty', 'deleteProperty', 'apply', 'construct', 'isExtensible', 'preventExtensions', 'setPrototypeOf']) {
        traps[trap] = boom;
      }
      return new Proxy({}, traps);
    }
    case 'revoked-proxy': {
      const { proxy, revoke } = Proxy.revocable({}, {});
      revoke();
      return proxy;
    }
    default: throw new Error(`unknown hostile kind ${kind}`);
  }
}

/** An element spec: a primitive as is, { $hostile }, or { attrs, dataset, props, getAttributeReturns }. */
export function buildElement(spec) {
  if (spec === null || typeof spec !== 'object') return spec;
  if (spec.$hostile) return hostile(spec.$hostile);
  const element = {};
  if (spec.attrs) {
    const attrs = Object.fromEntries(Object.entries(spec.attrs).map(([k, v]) => [k, buildValue(v)]));
    element.getAttribute = (name) => (Object.hasOwn(attrs, name) ? attrs[name] : null);
  }
  if ('getAttributeReturns' in spec) {
    const value = buildValue(spec.getAttributeReturns);
    element.getAttribute = () => value;
  }
  if (spec.dataset) {
    element.dataset = Object.fromEntries(Object.entries(spec.dataset).map(([k, v]) => [k, buildValue(v)]));
  }
  for (const [k, v] of Object.entries(spec.props ?? {})) element[k] = buildValue(v);
  return element;
}

/** An event spec: a primitive, '$undefined', '$symbol', { $hostile }, or fields of elements. */
export function buildEvent(spec) {
  if (spec === UNDEFINED) return undefined;
  if (spec === '$symbol') return Symbol('event');
  if (spec === null || typeof spec !== 'object') return spec;
  if (spec.$hostile) return hostile(spec.$hostile);
  const event = {};
  for (const [field, element] of Object.entries(spec)) event[field] = buildElement(element);
  return event;
}

/** The arguments for getActionLabel: one (attribute absent) or two. */
export function buildArgs(testCase) {
  const event = buildEvent(testCase.event);
  if (!('attribute' in testCase)) return [event];
  return [event, testCase.attribute === UNDEFINED ? undefined : testCase.attribute];
}

/** Calls `fn` with the case's arguments: { value } or { error }. */
export function run(fn, testCase) {
  try {
    return { value: fn(...buildArgs(testCase)) };
  } catch (error) {
    return { error };
  }
}

/** Whether an outcome of `run` meets the case's expectation; a string saying why not, or ''. */
export function mismatch(testCase, outcome) {
  const expect = testCase.expect;
  if (expect && typeof expect === 'object' && 'throws' in expect) {
    if (!outcome.error) return `expected a ${expect.throws}, got ${describe(outcome.value)}`;
    return outcome.error.name === expect.throws ? '' : `expected a ${expect.throws}, got ${outcome.error}`;
  }
  if (expect && typeof expect === 'object' && expect.throwsOrEmpty) {
    return outcome.error || outcome.value === '' ? '' : `expected a throw or '', got ${describe(outcome.value)}`;
  }
  if (outcome.error) return `expected ${describe(buildValue(expect))}, threw ${outcome.error}`;
  const want = buildValue(expect);
  return Object.is(outcome.value, want) ? '' : `expected ${describe(want)}, got ${describe(outcome.value)}`;
}

function describe(value) {
  if (typeof value === 'string') return value.length > 40 ? `'${value.slice(0, 40)}…' (${value.length} units)` : `'${value}'`;
  return String(value);
}

/**
 * The differential check over a corpus: `candidate` must meet every expectation; `legacy`
 * must meet every expectation except on the cases marked `fixes: 'srcElement'`, where it
 * must fail. Returns a list of problems (empty when all is well) and counts.
 */
export function differential(corpus, legacy, candidate) {
  const problems = [];
  let fixed = 0;
  for (const testCase of corpus.cases) {
    const got = mismatch(testCase, run(candidate, testCase));
    if (got) problems.push(`${testCase.id}: candidate ${got}`);
    const legacyGot = mismatch(testCase, run(legacy, testCase));
    if (testCase.fixes === 'srcElement') {
      if (!legacyGot) problems.push(`${testCase.id}: the legacy helper was expected to fail here but passed`);
      else if (!got) fixed += 1;
    } else if (legacyGot) {
      problems.push(`${testCase.id}: legacy ${legacyGot} (the corpus says the legacy helper is right here)`);
    }
  }
  return { problems, cases: corpus.cases.length, fixed };
}

/** Loads the legacy CommonJS helper from its source text (the browser has no require). */
export function loadCommonJs(source) {
  const module = { exports: {} };
  new Function('module', 'exports', source)(module, module.exports);
  return module.exports;
}
