// UDP generic receive offload (UDP_GRO): one recvmsg may bring several
// datagrams of one sender back to back, all of the segment size its
// ancillary data gives but the last; splitSegments cuts them apart.
import { checkInt, typeError } from '../core/validate.js';

/**
 * The datagrams of a UDP GRO batch: `data` (what one recvmsg returned on a
 * socket with UDP_GRO set) cut every `segmentSize` bytes, the size its
 * ancillary item `[SOL_UDP, UDP_GRO, int]` gives (`data.readInt32LE()`
 * of that item's bytes). Each is a Buffer over data's own memory, no copy;
 * the last may be shorter. An empty datagram is one datagram.
 */
export function splitSegments(data: ArrayBufferView | ArrayBuffer, segmentSize: number): Buffer[] {
  let bytes: Buffer;
  if (data instanceof ArrayBuffer) bytes = Buffer.from(data);
  else if (ArrayBuffer.isView(data)) bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  else throw typeError('data', 'a Buffer, TypedArray, DataView or ArrayBuffer', data);
  const size = checkInt(segmentSize, 'segmentSize', 1, 0xffff);
  if (bytes.length === 0) return [bytes];
  const segments: Buffer[] = [];
  for (let offset = 0; offset < bytes.length; offset += size) segments.push(bytes.subarray(offset, offset + size));
  return segments;
}
