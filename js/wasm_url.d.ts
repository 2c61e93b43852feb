// The `.wasm` entries (`raptor-secondary/raptor_secondary_bg.wasm`, `…/raptor_secondary_lite_bg.wasm`)
// as a bundler's file loader gives them (esbuild `--loader:.wasm=file`, Vite `?url`, webpack
// `asset/resource`): the URL of the file it copied, for `init({ module_or_path })`.
declare const url: string;
export default url;
