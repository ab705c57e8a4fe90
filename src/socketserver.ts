/**
 * The entry point `berkeley/socketserver`: Python's socketserver module.
 * @module berkeley/socketserver
 */
export { BaseServer, TCPServer, UDPServer, UnixStreamServer, UnixDatagramServer, type HandlerClass, type DatagramRequest } from './socketserver/server.js';
export { BaseRequestHandler, StreamRequestHandler, DatagramRequestHandler } from './socketserver/handlers.js';
export { BytesIO } from './socketserver/bytesio.js';
export { ThreadingMixIn, ForkingMixIn } from './socketserver/mixins.js';
export {
  ThreadingTCPServer,
  ThreadingUDPServer,
  ThreadingUnixStreamServer,
  ThreadingUnixDatagramServer,
  ForkingTCPServer,
  ForkingUDPServer,
} from './socketserver/classes.js';
