'use strict';
// The loader's JavaScript fallback for Node, as a page gets it where the WebAssembly module
// cannot run: run_tests.sh points the legacy project's own tests here (ACTION_LABEL_IMPL).
// Needs the release package in pkg/ (npm run build).
const { readFileSync } = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');

const context = vm.createContext({ Promise, console });
vm.runInContext(readFileSync(path.join(__dirname, '..', '..', 'pkg', 'raptor-secondary.js'), 'utf8'), context);
if (context.RaptorSecondary.engine !== 'fallback') throw new Error('the loader did not fall back without WebAssembly');

module.exports = { getActionLabel: context.getActionLabel };
