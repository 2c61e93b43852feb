'use strict';
// The Wasm getActionLabel for Node, as the loader exposes it to pages: run_tests.sh points the
// legacy project's own tests here (ACTION_LABEL_IMPL) to show they pass on the replacement.
// Needs the release package in pkg/ (npm run build) and Node >= 20.19 (require of an ES module).
const { readFileSync } = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');

const root = path.join(__dirname, '..', '..');
const glue = require(path.join(root, 'pkg', 'raptor_secondary.js'));
glue.initSync({ module: readFileSync(path.join(root, 'pkg', 'raptor_secondary_bg.wasm')) });
vm.runInThisContext(readFileSync(path.join(root, 'js', 'loader.js'), 'utf8'));

module.exports = globalThis.RaptorSecondary.fromGlue(glue);
