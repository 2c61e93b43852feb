// One line per figure for `npm run bench` (bench/run.mjs) to gather into its table:
// `bench-row: {"section", "what", "value", "baseline", "ratio"}`, values already formatted.
export function row(section, what, value, baseline = '', ratio = '') {
  console.log(`bench-row: ${JSON.stringify({ section, what, value, baseline, ratio })}`);
}

/** The median of numbers. */
export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** `x` as a ratio to `base`, e.g. `0.82x`. */
export const ratio = (x, base) => `${(x / base).toFixed(2)}x`;
