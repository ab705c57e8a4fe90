// The ready-made servers Python's socketserver names: a mix-in over a server.
import { ForkingMixIn, ThreadingMixIn } from './mixins.js';
import { TCPServer, UDPServer, UnixDatagramServer, UnixStreamServer } from './server.js';

export class ThreadingTCPServer extends ThreadingMixIn(TCPServer) {}
export class ThreadingUDPServer extends ThreadingMixIn(UDPServer) {}
export class ThreadingUnixStreamServer extends ThreadingMixIn(UnixStreamServer) {}
export class ThreadingUnixDatagramServer extends ThreadingMixIn(UnixDatagramServer) {}
export class ForkingTCPServer extends ForkingMixIn(TCPServer) {}
export class ForkingUDPServer extends ForkingMixIn(UDPServer) {}
