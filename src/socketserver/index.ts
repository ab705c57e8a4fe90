// berkeley/socketserver: Python's socketserver module.
import { ForkingMixIn, ThreadingMixIn } from './mixins.js';
import { TCPServer, UDPServer, UnixDatagramServer, UnixStreamServer } from './server.js';

export { BaseServer, TCPServer, UDPServer, UnixStreamServer, UnixDatagramServer, type HandlerClass, type DatagramRequest } from './server.js';
export { BaseRequestHandler, StreamRequestHandler, DatagramRequestHandler } from './handlers.js';
export { BytesIO } from './bytesio.js';
export { ThreadingMixIn, ForkingMixIn };

export class ThreadingTCPServer extends ThreadingMixIn(TCPServer) {}
export class ThreadingUDPServer extends ThreadingMixIn(UDPServer) {}
export class ThreadingUnixStreamServer extends ThreadingMixIn(UnixStreamServer) {}
export class ThreadingUnixDatagramServer extends ThreadingMixIn(UnixDatagramServer) {}
export class ForkingTCPServer extends ForkingMixIn(TCPServer) {}
export class ForkingUDPServer extends ForkingMixIn(UDPServer) {}
