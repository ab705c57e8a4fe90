// --tls: the client's and the server's SSLContext from the flags
// (berkeley/ssl, on OpenSSL), the handshake, and what -v says about it.
import * as ssl from '../ssl.js';
import type * as socket from '../index.js';
import { at, located, UsageError } from './failure.js';
import type { Log } from './log.js';

/** The TLS flags of connect. */
export const CLIENT_TLS_FLAGS = {
  tls: { help: 'speak TLS over the connection (verifying the server, as browsers do)' },
  ca: { value: 'FILE', help: 'trust the CA certificates of FILE (PEM) instead of the system ones' },
  insecure: { help: 'do not verify the server certificate nor its name' },
  sni: { value: 'NAME', help: 'the server name to send and verify (default: HOST)' },
  alpn: { value: 'LIST', help: 'offer these ALPN protocols, comma-separated (h2,http/1.1)' },
} as const;

/** The TLS flags of listen. */
export const SERVER_TLS_FLAGS = {
  tls: { help: 'speak TLS over each connection (needs --cert and --key)' },
  cert: { value: 'FILE', help: 'the certificate chain (PEM) for --tls' },
  key: { value: 'FILE', help: 'the private key (PEM) for --tls' },
  alpn: { value: 'LIST', help: 'the ALPN protocols to accept, comma-separated, by preference' },
} as const;

/** Values of the client's TLS flags. */
export interface ClientTls {
  tls?: boolean | undefined;
  ca?: string | undefined;
  insecure?: boolean | undefined;
  sni?: string | undefined;
  alpn?: string | undefined;
}

/** Values of the server's TLS flags. */
export interface ServerTls {
  tls?: boolean | undefined;
  cert?: string | undefined;
  key?: string | undefined;
  alpn?: string | undefined;
}

/** The client context the flags ask for, or null without --tls. */
export function clientContext(values: ClientTls): ssl.SSLContext | null {
  if (!values.tls) {
    const stray = (['ca', 'insecure', 'sni', 'alpn'] as const).find((flag) => values[flag] !== undefined);
    if (stray !== undefined) throw new UsageError(`--${stray} needs --tls`);
    return null;
  }
  const ca = values.ca;
  const context = loading(`load ${ca ?? 'the system CA certificates'}`, () => ssl.createDefaultContext(ssl.Purpose.SERVER_AUTH, ca === undefined ? {} : { cafile: ca }));
  if (values.insecure) {
    context.checkHostname = false;
    context.verifyMode = ssl.CERT_NONE;
  }
  if (values.alpn !== undefined) context.setAlpnProtocols(alpnList(values.alpn));
  return context;
}

/** The server context the flags ask for, or null without --tls. */
export function serverContext(values: ServerTls): ssl.SSLContext | null {
  if (!values.tls) {
    const stray = (['cert', 'key', 'alpn'] as const).find((flag) => values[flag] !== undefined);
    if (stray !== undefined) throw new UsageError(`--${stray} needs --tls`);
    return null;
  }
  if (values.cert === undefined || values.key === undefined) throw new UsageError('--tls needs --cert FILE and --key FILE');
  const { cert, key } = values;
  const context = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
  loading(`load ${cert} and ${key}`, () => context.loadCertChain(cert, key));
  if (values.alpn !== undefined) context.setAlpnProtocols(alpnList(values.alpn));
  return context;
}

/** Runs load(); a failure to read or parse a file names the files. */
function loading<T>(where: string, load: () => T): T {
  try {
    return load();
  } catch (error) {
    throw located(where, error);
  }
}

function alpnList(text: string): string[] {
  const list = text.split(',').filter((name) => name !== '');
  if (list.length === 0) throw new UsageError(`--alpn takes protocol names separated by commas, not '${text}'`);
  return list;
}

/** How a side shakes hands: as the server, or as a client verifying serverHostname (null: none to verify, with --insecure). */
export type Side = { serverSide: true } | { serverHostname: string | null };

/** The TLS handshake over sock (which the SSLSocket takes over); -v tells the outcome. */
export async function handshake(context: ssl.SSLContext, sock: socket.Socket, peer: string, side: Side, log: Log, signal: AbortSignal): Promise<ssl.SSLSocket> {
  const wrapped = await at(`handshake ${peer}`, context.wrapSocket(sock, { ...side, signal }));
  const cipher = wrapped.cipher();
  const alpn = wrapped.selectedAlpnProtocol();
  log.note(`tls with ${peer}: ${wrapped.version() ?? '?'}, ${cipher?.[0] ?? '?'}${alpn === null ? '' : `, alpn ${alpn}`}`);
  return wrapped;
}
