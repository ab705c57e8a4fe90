// getServerCertificate (Python's ssl.get_server_certificate): connect,
// handshake, and keep the server's certificate as PEM. The certificate is
// verified only against caCerts when they are given, as Python's.
import { createConnection, createConnectionSync } from '../socket/connection.js';
import { checkObject, checkTimeout, typeError, type WaitOptions } from '../core/validate.js';
import { abortableEither, start, steps, wait, type Steps } from '../io/blocking.js';
import { CERT_NONE, CERT_REQUIRED, PROTOCOL_TLS_CLIENT } from './constants.js';
import { SSLContext } from './context.js';
import { DERCertToPEMCert } from './module.js';

/** getServerCertificate()'s options. */
export interface ServerCertificateOptions extends WaitOptions {
  /** A PEM file of CA certificates: the server's certificate must verify against them (its host name is not checked). Without it, nothing is verified. */
  caCerts?: string | null;
  /** Seconds for the connection and for the handshake (default: the module's default timeout). */
  timeout?: number | null;
}

function* fetching(addr: unknown, options: ServerCertificateOptions): Steps<string> {
  checkObject(options, 'options');
  if (!Array.isArray(addr) || addr.length !== 2 || typeof addr[0] !== 'string') throw typeError('addr', 'a [host, port] tuple', addr);
  const [host, port] = addr as [string, number];
  const timeout = options.timeout === undefined ? undefined : checkTimeout(options.timeout);
  const { caCerts } = options;
  if (caCerts !== undefined && caCerts !== null && typeof caCerts !== 'string') throw typeError('caCerts', 'a string (a path) or null', caCerts);
  const context = new SSLContext(PROTOCOL_TLS_CLIENT);
  context.checkHostname = false;
  context.verifyMode = typeof caCerts === 'string' ? CERT_REQUIRED : CERT_NONE;
  if (typeof caCerts === 'string') context.loadVerifyLocations({ cafile: caCerts });
  const sock = yield* wait(
    abortableEither(
      (signal) => createConnection([host, port], timeout, null, { signal }),
      () => createConnectionSync([host, port], timeout),
    ),
  );
  try {
    const tls = yield* wait(
      abortableEither(
        (signal) => context.wrapSocket(sock, { serverHostname: host, signal }),
        () => context.wrapSocketSync(sock, { serverHostname: host }),
      ),
    );
    try {
      return DERCertToPEMCert(tls.getpeercert(true)!);
    } finally {
      tls.close();
    }
  } finally {
    sock.close(); // wrapping detached it; a failed wrap may not have
  }
}

/**
 * The certificate of the TLS server at addr (`[host, port]`), as PEM text:
 * connects, runs the handshake (sending host as SNI), and closes. With
 * `caCerts` the certificate must verify against them, else
 * SSLCertVerificationError.
 */
export function getServerCertificate(addr: [string, number], options: ServerCertificateOptions = {}): Promise<string> {
  return start(() => steps(() => fetching(addr, options)), options);
}

/** getServerCertificate() on the calling thread. */
export function getServerCertificateSync(addr: [string, number], options: ServerCertificateOptions = {}): string {
  return steps(() => fetching(addr, options)).sync();
}
