// Python's select.select over poll(2), both forms a call of the call helper
// on an FdSet (fdset.ts): the async form waits on the fds' watchers, the
// Sync form in poll(2), so both report alike.
import { checkTimeout, signalOf, typeError, type WaitOptions } from '../core/validate.js';
import { PRIORITY, READ, WRITE } from '../io/waiters.js';
import { FdSet, refuseClosed } from './fdset.js';
import { fdOf, type FileObject } from './keys.js';

/** Options of the async select calls: `signal` ends the wait with an AbortError. */
export type SelectOptions = WaitOptions;

/** select()'s result: `[readable, writable, exceptional]`, each a subset of its list. @inline */
type Lists<R, W, X> = [R[], W[], X[]];

function selectArguments<R extends FileObject, W extends FileObject, X extends FileObject>(rlist: R[], wlist: W[], xlist: X[], timeout: unknown) {
  const lists = [rlist, wlist, xlist].map((list, i) => {
    if (!Array.isArray(list)) throw typeError(['rlist', 'wlist', 'xlist'][i]!, 'an array', list);
    return list.map((fileobj) => [fileobj, fdOf(fileobj)] as const);
  });
  const seconds = checkTimeout(timeout ?? null);
  const wanted = new Map<number, number>();
  lists.forEach((list, i) => list.forEach(([, fd]) => wanted.set(fd, (wanted.get(fd) ?? 0) | [READ, WRITE, PRIORITY][i]!)));
  const fds = Int32Array.from(wanted.keys());
  refuseClosed(fds, [...wanted.values()]);
  const pick = (ready: Int32Array): Lists<R, W, X> => {
    const byFd = new Map([...fds].map((fd, k) => [fd, ready[k]!]));
    return lists.map((list, i) => list.filter(([, fd]) => byFd.get(fd)! & [READ, WRITE, PRIORITY][i]!).map(([f]) => f)) as Lists<R, W, X>;
  };
  return { set: new FdSet(fds, [...wanted.values()]), seconds, pick };
}

/** Python's select.select on the event loop: `[readable, writable, exceptional]`. */
export async function select<R extends FileObject, W extends FileObject, X extends FileObject>(rlist: R[], wlist: W[], xlist: X[], timeout?: number | null, options?: SelectOptions): Promise<Lists<R, W, X>> {
  const { set, seconds, pick } = selectArguments(rlist, wlist, xlist, timeout);
  return pick(await set.select(seconds).async(signalOf(options)));
}

/** select() on the calling thread (poll(2)); returns `[readable, writable, exceptional]`. */
export function selectSync<R extends FileObject, W extends FileObject, X extends FileObject>(rlist: R[], wlist: W[], xlist: X[], timeout?: number | null): Lists<R, W, X> {
  const { set, seconds, pick } = selectArguments(rlist, wlist, xlist, timeout);
  return pick(set.select(seconds).sync());
}
