// One line per figure for `npm run bench` (bench/run.mjs) to gather into its table:
// `bench-row: {"section", "what", "value", "baseline", "ratio", "engine"}`, values already
// formatted; `engine` is the browser the figure was measured in (none: the same in every one).
export function row(section, what, value, baseline = '', ratio = '', engine = undefined) {
  console.log(`bench-row: ${JSON.stringify({ section, what, value, baseline, ratio, engine })}`);
}

/** The median of numbers. */
export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** `x` as a ratio to `base`, e.g. `0.82x`. */
export const ratio = (x, base) => `${(x / base).toFixed(2)}x`;

/** Tells bench/run.mjs which version of `browser` ran (for the table's stamp). */
export function browserVersion(browser) {
  console.log(`bench-browser: ${JSON.stringify({ [browser.engine]: String(browser.version).replace(/^[a-z]+\//i, '') })}`);
}
