/**
 * The entry point `berkeley/selectors`: Python's selectors and select.select.
 * @module berkeley/selectors
 */
export { DefaultSelector, EVENT_READ, EVENT_WRITE, KeyError, select, selectSync } from './selectors/selector.js';
export type { FileObject, SelectOptions, SelectorKey } from './selectors/selector.js';
