// UDP segmentation offload: UDP_SEGMENT by setsockopt and as sendmsg's
// ancillary data (SOL_UDP, UDP_SEGMENT, a uint16), UDP_GRO on receive with
// the segment size in recvmsg's ancillary data, and splitSegments. On
// loopback against python3 peers, and across a veth pair between two
// network namespaces the test makes (skipped, with the reason, where the
// kernel refuses GSO or namespaces cannot be made).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as socket from 'berkeley';
import { bounded, isErrorNaming, Peer, runCommand, SYNC_TIMEOUT } from '../support/index.js';

const { AF_INET, SOCK_DGRAM, SOL_UDP, UDP_SEGMENT, UDP_GRO } = socket;
const SEGMENT = 1200;
/** 10 full segments and a short last one. */
const BULK = Buffer.from(Array.from({ length: SEGMENT * 10 + 100 }, (_, k) => (k * 7 + (k >> 8)) & 0xff));
const cut = (data: Buffer, size: number): Buffer[] => Array.from({ length: Math.ceil(data.length / size) }, (_, k) => data.subarray(k * size, (k + 1) * size));
/** The ancillary item that carries a GSO segment size: a uint16. */
const segmentItem = (size: number): [number, number, Uint16Array] => [SOL_UDP!, UDP_SEGMENT!, Uint16Array.of(size)];

/** A UDP socket on 127.0.0.1 with its Sync calls bounded. */
function udp(): socket.Socket<typeof AF_INET, typeof SOCK_DGRAM> {
  const s = socket.socket(AF_INET, SOCK_DGRAM);
  s.bind(['127.0.0.1', 0]);
  s.settimeout(SYNC_TIMEOUT);
  return s;
}

/** An errno by which the kernel says it has no UDP GSO/GRO (old kernels, or an offload turned off). */
const REFUSALS = new Set(['EINVAL', 'ENOPROTOOPT', 'EIO', 'EOPNOTSUPP']);

/** true, or why this kernel does not segment UDP on loopback (the skip reason). */
const gso: true | string = (() => {
  if (UDP_SEGMENT === undefined || UDP_GRO === undefined) return 'the C library defines no UDP_SEGMENT/UDP_GRO';
  try {
    using rx = udp();
    using tx = udp();
    rx.setsockopt(SOL_UDP!, UDP_GRO, 1);
    tx.sendmsgSync([Buffer.alloc(SEGMENT * 2)], [segmentItem(SEGMENT)], 0, rx.getsockname());
    return true;
  } catch (error) {
    if (error instanceof socket.SocketError && REFUSALS.has(error.code)) return `the kernel refuses UDP GSO/GRO: ${error.message}`;
    throw error;
  }
})();

/** The segment size a recvmsg's ancillary data gives (UDP_GRO), or undefined. */
function groSize(ancdata: socket.Ancillary[]): number | undefined {
  const item = ancdata.find(([level, type]) => level === SOL_UDP && type === UDP_GRO);
  return item?.[2].readInt32LE();
}

describe('splitSegments', () => {
  test('cuts every segmentSize bytes, the last shorter, each a view of the same memory', () => {
    const data = Buffer.from('abcdefghij');
    const parts = socket.splitSegments(data, 4);
    assert.deepEqual(parts.map(String), ['abcd', 'efgh', 'ij']);
    data[5] = 0x46;
    assert.equal(parts[1]!.toString(), 'eFgh');
    assert.deepEqual(socket.splitSegments(data, 10).map(String), ['abcdeFghij']);
    assert.deepEqual(socket.splitSegments(data, 65535).map(String), ['abcdeFghij']);
  });

  test('takes any view or ArrayBuffer; an empty datagram is one datagram', () => {
    const bytes = new Uint8Array([1, 2, 3, 4, 5, 6, 7]);
    assert.deepEqual(socket.splitSegments(new DataView(bytes.buffer, 1, 5), 2).map((b) => [...b]), [[2, 3], [4, 5], [6]]);
    assert.deepEqual(socket.splitSegments(bytes.buffer, 4).map((b) => [...b]), [[1, 2, 3, 4], [5, 6, 7]]);
    assert.deepEqual(socket.splitSegments(Buffer.alloc(0), 100), [Buffer.alloc(0)]);
  });

  test('a bad segmentSize is a RangeError naming it; data that is no bytes a TypeError', () => {
    for (const size of [0, -1, 65536, 1.5, NaN]) assert.throws(() => socket.splitSegments(Buffer.alloc(4), size), isErrorNaming(RangeError, 'segmentSize'));
    assert.throws(() => socket.splitSegments(Buffer.alloc(4), '2' as unknown as number), isErrorNaming(TypeError, 'segmentSize'));
    assert.throws(() => socket.splitSegments('abc' as unknown as Buffer, 2), isErrorNaming(TypeError, 'data'));
  });
});

describe('UDP GSO and GRO on loopback', { skip: gso !== true && gso }, () => {
  for (const sync of [false, true]) {
    const form = sync ? 'Sync' : '';
    test(`UDP_SEGMENT by setsockopt: one send${form} of ${BULK.length} bytes reaches a python3 receiver as 11 datagrams`, async (t) => {
      const peer = new Peer(t, `
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", 0))
        s.settimeout(20)
        out(s.getsockname()[1])
        out([s.recv(65536).hex() for _ in range(int(sys.argv[1]))])
      `, ['11']);
      const port = await peer.json<number>();
      using tx = udp();
      tx.setsockopt(SOL_UDP!, UDP_SEGMENT!, SEGMENT);
      assert.equal(tx.getsockopt(SOL_UDP!, UDP_SEGMENT!), SEGMENT);
      tx.connectSync(['127.0.0.1', port]);
      assert.equal(sync ? tx.sendSync(BULK) : await bounded(tx.send(BULK)), BULK.length);
      assert.deepEqual(await peer.json(), cut(BULK, SEGMENT).map((d) => d.toString('hex')));
      await peer.done();
    });

    test(`UDP_SEGMENT as sendmsg${form}'s ancillary data: a receiver without UDP_GRO takes the datagrams with one recvmmsg${form}`, async () => {
      using rx = udp();
      using tx = udp();
      const to = rx.getsockname();
      assert.equal(sync ? tx.sendmsgSync([BULK], [segmentItem(SEGMENT)], 0, to) : await bounded(tx.sendmsg([BULK], [segmentItem(SEGMENT)], 0, to)), BULK.length);
      const got = sync ? rx.recvmmsgSync(64, 2048) : await bounded(rx.recvmmsg(64, 2048));
      assert.deepEqual(got.map(([data]) => data), cut(BULK, SEGMENT));
      for (const [, from] of got) assert.deepEqual(from, tx.getsockname());
    });

    test(`UDP_GRO: a python3 GSO sender's batch comes whole to recvmsg${form}, its segment size in the ancillary data, and splitSegments gives the datagrams`, async (t) => {
      using rx = udp();
      rx.setsockopt(SOL_UDP!, UDP_GRO!, 1);
      assert.equal(rx.getsockopt(SOL_UDP!, UDP_GRO!), 1);
      const peer = new Peer(t, `
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_UDP, 103, ${SEGMENT})  # UDP_SEGMENT (python3 names no constant for it)
        out(s.sendto(bytes.fromhex(sys.argv[1]), ("127.0.0.1", int(sys.argv[2]))))
      `, [BULK.toString('hex'), String(rx.getsockname()[1])]);
      assert.equal(await peer.json(), BULK.length);
      await peer.done();
      const [data, ancdata] = sync ? rx.recvmsgSync(65535, socket.CMSG_SPACE(4)) : await bounded(rx.recvmsg(65535, socket.CMSG_SPACE(4)));
      const size = groSize(ancdata);
      assert.equal(size, SEGMENT);
      assert.deepEqual(socket.splitSegments(data, size!), cut(BULK, SEGMENT));
    });

    test(`UDP_GRO with recvmsgInto${form}: the batch lands in the caller's buffer, cut there without a copy`, async () => {
      using rx = udp();
      using tx = udp();
      rx.setsockopt(SOL_UDP!, UDP_GRO!, 1);
      tx.sendmsgSync([BULK.subarray(0, 5000)], [segmentItem(1000)], 0, rx.getsockname());
      const buffer = Buffer.alloc(65535);
      const [nbytes, ancdata] = sync ? rx.recvmsgIntoSync([buffer], socket.CMSG_SPACE(4)) : await bounded(rx.recvmsgInto([buffer], socket.CMSG_SPACE(4)));
      assert.equal(nbytes, 5000);
      const parts = socket.splitSegments(buffer.subarray(0, nbytes), groSize(ancdata)!);
      assert.deepEqual(parts, cut(BULK.subarray(0, 5000), 1000));
      assert.ok(parts.every((part) => part.buffer === buffer.buffer));
    });
  }

  test('sendmmsg of GSO-sized datagrams on a socket with UDP_SEGMENT set: each is cut, in order', () => {
    using rx = udp();
    using tx = udp();
    tx.setsockopt(SOL_UDP!, UDP_SEGMENT!, 500);
    const to = rx.getsockname();
    const batches = [BULK.subarray(0, 1500), BULK.subarray(1500, 1700), BULK.subarray(2000, 3100)];
    assert.equal(tx.sendmmsgSync(batches.map((b) => [b, to])), 3);
    const got = rx.recvmmsgSync(64, 600);
    assert.deepEqual(got.map(([data]) => data), batches.flatMap((b) => cut(b, 500)));
  });
});

// ---- across a veth pair between two network namespaces --------------------

/** true, or why two network namespaces with a veth pair cannot be made here. */
const namespaces: true | string = (() => {
  try {
    execFileSync('unshare', ['-mn', 'sh', '-c', 'mount -t tmpfs none /run && ip netns add peer && ip link add v0 type veth peer name v1 netns peer'], { stdio: 'pipe', timeout: 10000 });
    return true;
  } catch (error) {
    return `no network namespaces with a veth pair here (${(error as Error).message.split('\n')[0]})`;
  }
})();

// The sender's namespace (v0, 10.77.0.1) and "peer" (v1, 10.77.0.2), both
// made by this test, in a mount namespace of its own; they end with the child.
const SETUP = [
  'mount -t tmpfs none /run',
  'ip netns add peer',
  'ip link set lo up',
  'ip link add v0 type veth peer name v1 netns peer',
  'ip addr add 10.77.0.1/24 dev v0',
  'ip link set v0 up',
  'ip netns exec peer ip link set lo up',
  'ip netns exec peer ip addr add 10.77.0.2/24 dev v1',
  'ip netns exec peer ip link set v1 up',
].join(' && ');

/**
 * Sends BULK with UDP_SEGMENT from the sender's namespace to a receiver in
 * "peer" (UDP_GRO on or off) and returns the datagrams it rebuilt.
 */
async function acrossVeth(gro: boolean): Promise<string[]> {
  const berkeley = JSON.stringify(import.meta.resolve('berkeley'));
  const receiver = `
    const socket = await import(${berkeley});
    const rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
    rx.bind(['10.77.0.2', 9000]);
    rx.settimeout(10);
    if (${gro}) rx.setsockopt(socket.SOL_UDP, socket.UDP_GRO, 1);
    console.log('ready');
    const datagrams = [];
    while (datagrams.length < ${Math.ceil(BULK.length / SEGMENT)}) {
      const [data, ancdata] = rx.recvmsgSync(65535, socket.CMSG_SPACE(4));
      const gro = ancdata.find(([level, type]) => level === socket.SOL_UDP && type === socket.UDP_GRO);
      datagrams.push(...(gro ? socket.splitSegments(data, gro[2].readInt32LE()) : [data]));
    }
    console.log(JSON.stringify(datagrams.map((d) => d.toString('hex'))));`;
  const sender = `
    import { spawn } from 'node:child_process';
    import { once } from 'node:events';
    const socket = await import(${berkeley});
    const rx = spawn('ip', ['netns', 'exec', 'peer', process.execPath, '--input-type=module', '-e', ${JSON.stringify(receiver)}], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    rx.stdout.setEncoding('utf8');
    await new Promise((resolve) => rx.stdout.on('data', (chunk) => { out += chunk; if (out.startsWith('ready\\n')) resolve(); }));
    const tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
    tx.setsockopt(socket.SOL_UDP, socket.UDP_SEGMENT, ${SEGMENT});
    tx.sendtoSync(Buffer.from(${JSON.stringify(BULK.toString('hex'))}, 'hex'), ['10.77.0.2', 9000]);
    await once(rx, 'close');
    console.log(out.split('\\n')[1]);`;
  const result = await runCommand(['unshare', '-mn', 'sh', '-c', `${SETUP} && exec "$@"`, 'sh', process.execPath, '--input-type=module', '-e', sender], { ms: 30_000 });
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout.trim().split('\n').at(-1)!) as string[];
}

describe('UDP GSO across a veth pair between two network namespaces', { skip: (gso !== true && gso) || (namespaces !== true && namespaces) }, () => {
  test('a receiver without UDP_GRO gets each 1,200-byte datagram, in order', async () => {
    assert.deepEqual(await acrossVeth(false), cut(BULK, SEGMENT).map((d) => d.toString('hex')));
  });

  test('a receiver with UDP_GRO rebuilds the same datagrams with splitSegments, however the stack coalesced them', async () => {
    assert.deepEqual(await acrossVeth(true), cut(BULK, SEGMENT).map((d) => d.toString('hex')));
  });
});
