// Objects that structuredClone and postMessage must refuse. A Socket would
// otherwise arrive in the other thread as its public fields alone
// ({family, type, proto}), without a word. The structured clone algorithm
// reads every own enumerable property, getters included (V8's serializer,
// on every Node from 20 on), so a guard object with a throwing getter, held
// in an own property, makes the clone fail with a message of ours.
// worker_threads.markAsUncloneable (Node 22.10+) has no message of ours,
// and costs a call per object; a class field holding a shared guard costs
// one store.

/**
 * A guard for an own enumerable property of the objects it protects: cloning
 * one of them (structuredClone, postMessage, v8.serialize) throws a
 * DataCloneError (the platform's error for what cannot be cloned) with
 * message; JSON.stringify leaves the property out. One per class, shared.
 */
export function cloneGuard(message: string): object {
  const guard = {};
  Object.defineProperty(guard, 'clone', {
    enumerable: true,
    get: () => {
      throw new DOMException(message, 'DataCloneError');
    },
  });
  Object.defineProperty(guard, 'toJSON', { value: () => undefined });
  return Object.freeze(guard);
}
