// The ready-made servers Python's socketserver names: a mix-in over a server.
import { ForkingMixIn, ThreadingMixIn } from './mixins.js';
import { TCPServer, UDPServer, UnixDatagramServer, UnixStreamServer } from './server.js';

/** A TCPServer serving each connection as its own task. */
export class ThreadingTCPServer extends ThreadingMixIn(TCPServer) {}
/** A UDPServer serving each datagram as its own task. */
export class ThreadingUDPServer extends ThreadingMixIn(UDPServer) {}
/** A UnixStreamServer serving each connection as its own task. */
export class ThreadingUnixStreamServer extends ThreadingMixIn(UnixStreamServer) {}
/** A UnixDatagramServer serving each datagram as its own task. */
export class ThreadingUnixDatagramServer extends ThreadingMixIn(UnixDatagramServer) {}
/** A TCPServer serving in worker processes. */
export class ForkingTCPServer extends ForkingMixIn(TCPServer) {}
/** A UDPServer serving in worker processes. */
export class ForkingUDPServer extends ForkingMixIn(UDPServer) {}
