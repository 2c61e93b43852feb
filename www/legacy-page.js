/* exported onAction -- called from the page's inline onclick handlers */
// The page's own code, written as legacy pages are: a classic script with globals.
// Every label goes into the page as text, never as HTML.
var clicks = 0;

function cell(row, text) {
  var td = document.createElement('td');
  td.textContent = text;
  row.appendChild(td);
}

function onAction(event) {
  var label = getActionLabel(event);
  var detail = resolveAction(event);
  var row = document.createElement('tr');
  row.setAttribute('data-label', label);
  cell(row, String(++clicks));
  cell(row, label === '' ? "'' (no label)" : label);
  cell(row, detail.label ? detail.label + ' (' + detail.source + ', depth ' + detail.depth + ')'
    : "'' (" + detail.reason + ')');
  document.getElementById('log').appendChild(row);
}

function showEngine() {
  var status = document.getElementById('status');
  status.textContent = RaptorSecondary.engine === 'wasm' ? 'Ready: getActionLabel is served by WebAssembly.'
    : 'getActionLabel answers from the JavaScript fallback (' + RaptorSecondary.engineReason + ').';
  status.className = 'status ' + (RaptorSecondary.engine === 'wasm' ? 'ready' : 'fallback');
}

document.addEventListener('raptor-secondary:ready', showEngine);
if (RaptorSecondary.ready) RaptorSecondary.ready.then(null, showEngine);
else showEngine();
