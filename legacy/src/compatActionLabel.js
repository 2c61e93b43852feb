'use strict';
// A faithful re-implementation of the legacy helper, written from ../shared/LEGACY.md.
// It keeps the legacy bug on purpose: `event.srcElement` is never consulted, so IE11-style
// events (and event-like objects that carry the element only there) give ''. This is the
// "before" baseline of the comparison; do not fix it here.

function toDatasetKey(attribute) {
  return attribute.slice('data-'.length).replace(/-([a-z])/g, (_, letter) => letter.toUpperCase());
}

function getActionLabel(event, attribute = 'data-action') {
  if (!event) {
    throw new TypeError('getActionLabel: an event-like object is required');
  }
  const element = event.target || event.currentTarget || null;
  if (!element) {
    return '';
  }
  if (typeof element.getAttribute === 'function') {
    const value = element.getAttribute(attribute);
    return typeof value === 'string' ? value : '';
  }
  if (element.dataset && typeof attribute === 'string' && attribute.startsWith('data-')) {
    return element.dataset[toDatasetKey(attribute)] || '';
  }
  if (attribute in element) {
    const value = element[attribute];
    return typeof value === 'string' ? value : '';
  }
  return '';
}

module.exports = { getActionLabel };
