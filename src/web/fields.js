// How the booking core reads a driver-made record (`classify` in js/guard.js), one field at a
// time: `fieldKind` looks the field up and says what it holds, keeping the value here; Rust
// then takes it typed, a text as a string and a number as an f64. No field value crosses as an
// externref (a number held in the externref table breaks WebKit 2.38's Wasm JIT: reads.js), and
// the glue makes no type test of its own. Records are prototype-less, own data fields only:
// nothing here can throw.

let held;

/** Field `name` of `record`: 0 absent, 1 a text, 2 a number, 3 false, 4 true, 8 + k an odd of
 * kind k (`odd` in js/guard.js). */
export function fieldKind(record, name) {
  const value = (held = record[name]);
  switch (typeof value) {
    case 'string': return 1;
    case 'number': return 2;
    case 'boolean': return value ? 4 : 3;
    case 'object': return 8 + value.kind;
    default: return 0;
  }
}

/** The text `fieldKind` found (it answered 1). */
export const heldText = () => held;

/** The number `fieldKind` found (it answered 2). */
export const heldNumber = () => held;
