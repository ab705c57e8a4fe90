/**
 * The entry point `berkeley/selectors`: Python's selectors, and select's
 * select(), poll() and epoll() with its constants.
 * @module berkeley/selectors
 */
export { BaseSelector } from './selectors/base.js';
export * from './selectors/constants.js';
export { Epoll, epoll } from './selectors/epoll.js';
export { EVENT_READ, EVENT_WRITE, KeyError } from './selectors/keys.js';
export type { FileObject, SelectorKey } from './selectors/keys.js';
export { Poll, poll } from './selectors/poll.js';
export { select, selectSync } from './selectors/select.js';
export type { SelectOptions } from './selectors/select.js';
export { DefaultSelector, EpollSelector, PollSelector, SelectSelector } from './selectors/selector.js';
