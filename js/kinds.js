// The words of the boundary with the core (src/web/core.rs): the kinds of its `input`, `call`
// and `view` exports, written once here for the driver's modules.

// The kinds of the core's one `input` export, for every input that carries no page object
// (`Core::input` in src/web/core.rs says what each reads): core.input(now, kind, id, n, a, b).
export const TIMER = 0;
export const WAKE = 1;
export const LOADED = 2;
export const FLUSH = 3;
export const ABANDON = 4;
export const REFUSE_ABORTED = 5;
export const REFUSE_CLICK = 6;
export const REFUSE_REQUEST = 7;
export const ITEM = 8;
export const CLAIMED = 9;
export const CHANGED = 10;
export const AGREED = 11;
export const LOGS = 12;
// The page calls with a request, of its `call` export: core.call(now, kind, id, label, record).
export const BOOK = 0;
export const REPLAY = 1;
export const CLICK = 2;
export const PLAN = 3;
export const CANCEL = 4;
// The views of its one `view` export: core.view(which, now).
export const METRICS = 0;
export const BREAKER = 1;
export const OUTBOX = 2;
export const CONFIG = 3;
export const RESTORED = 4;
export const NEW_KEY = 5;
export const UNKNOWN = 6;
