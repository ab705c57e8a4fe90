// A certificate in the shape of Python's SSLSocket.getpeercert(): names as
// lists of relative distinguished names of [longName, value] pairs, in
// certificate order, from Node's X509Certificate text forms.
import type { X509Certificate } from 'node:crypto';

/** One relative distinguished name: usually one [attribute, value] pair. */
export type RDN = [string, string][];

/** Python's decoded certificate dict. */
export interface PeerCertificate {
  /** The subject's distinguished name, one RDN per entry. */
  subject: RDN[];
  /** The issuer's distinguished name, one RDN per entry. */
  issuer: RDN[];
  /** The X.509 version: 1, 2 or 3. */
  version: number;
  /** The serial number in upper-case hex. */
  serialNumber: string;
  /** Start of validity, as OpenSSL prints it (`Jan  1 00:00:00 2025 GMT`). */
  notBefore: string;
  /** End of validity, in the same form. */
  notAfter: string;
  /** Such as `[['DNS', 'localhost'], ['IP Address', '127.0.0.1']]`. */
  subjectAltName?: [string, string][];
  /** The OCSP responders' URIs (Authority Information Access). */
  OCSP?: string[];
  /** The issuer certificates' URIs (Authority Information Access). */
  caIssuers?: string[];
}

// OpenSSL's short names (which Node prints) to its long names (which Python uses).
const longNames = new Map([
  ['C', 'countryName'],
  ['ST', 'stateOrProvinceName'],
  ['L', 'localityName'],
  ['O', 'organizationName'],
  ['OU', 'organizationalUnitName'],
  ['CN', 'commonName'],
  ['DC', 'domainComponent'],
  ['UID', 'userId'],
  ['street', 'streetAddress'],
  ['SN', 'surname'],
  ['GN', 'givenName'],
  ['jurisdictionC', 'jurisdictionCountryName'],
  ['jurisdictionST', 'jurisdictionStateOrProvinceName'],
  ['jurisdictionL', 'jurisdictionLocalityName'],
]);

// Node prints names one RDN per line, multi-valued RDNs joined by " + ",
// with RFC 2253 backslash escapes (\, \+ …, and \XX for other bytes).
function parseName(text: string): RDN[] {
  const rdns: RDN[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const rdn: RDN = [];
    for (const part of splitUnescaped(line, ' + ')) {
      const eq = part.indexOf('=');
      const key = part.slice(0, eq);
      rdn.push([longNames.get(key) ?? key, unescape(part.slice(eq + 1))]);
    }
    rdns.push(rdn);
  }
  return rdns;
}

function splitUnescaped(text: string, separator: string): string[] {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text.startsWith(separator, i)) {
      parts.push(text.slice(start, i));
      start = i + separator.length;
      i = start - 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

// Hex escapes are raw bytes (possibly parts of one UTF-8 sequence), so the
// value is rebuilt as bytes.
function unescape(value: string): string {
  if (!value.includes('\\')) return value;
  const parts: Buffer[] = [];
  let last = 0;
  for (const match of value.matchAll(/\\([0-9A-Fa-f]{2}|[\s\S])/g)) {
    const escaped = match[1]!;
    parts.push(Buffer.from(value.slice(last, match.index)), escaped.length === 2 ? Buffer.from([parseInt(escaped, 16)]) : Buffer.from(escaped));
    last = match.index! + match[0].length;
  }
  parts.push(Buffer.from(value.slice(last)));
  return Buffer.concat(parts).toString('utf8');
}

// Node's list forms ("DNS:a, IP Address:b"): a value with a separator in it
// is a JSON string.
function parseList(text: string, separator: string, pair: string): [string, string][] {
  const entries: [string, string][] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i <= text.length; i++) {
    if (quoted) {
      if (text[i] === '\\') i++;
      else if (text[i] === '"') quoted = false;
    } else if (text[i] === '"') {
      quoted = true;
    } else if (i === text.length || text.startsWith(separator, i)) {
      const entry = text.slice(start, i);
      const at = entry.indexOf(pair);
      if (at > 0) {
        const value = entry.slice(at + pair.length);
        entries.push([entry.slice(0, at), value.startsWith('"') ? (JSON.parse(value) as string) : value]);
      }
      start = i + separator.length;
      i = start - 1;
    }
  }
  return entries;
}

// The X.509 version from DER: Certificate ::= SEQUENCE { tbs SEQUENCE { [0] version? ... } }.
function x509Version(der: Buffer): number {
  let offset = 0;
  const enter = (): void => {
    const first = der[offset + 1]!;
    offset += 2 + (first & 0x80 ? first & 0x7f : 0);
  };
  enter(); // Certificate
  enter(); // TBSCertificate
  if (der[offset] !== 0xa0) return 1; // v1 omits the version
  enter(); // [0] EXPLICIT
  return der[offset + 2]! + 1; // INTEGER, one byte: 0 = v1, 2 = v3
}

/** Python's getpeercert() dict for a certificate. */
export function decodeCertificate(cert: X509Certificate): PeerCertificate {
  const decoded: PeerCertificate = {
    subject: parseName(cert.subject),
    issuer: parseName(cert.issuer),
    version: x509Version(cert.raw),
    serialNumber: cert.serialNumber.toUpperCase(),
    notBefore: cert.validFrom,
    notAfter: cert.validTo,
  };
  if (cert.subjectAltName !== undefined) decoded.subjectAltName = parseList(cert.subjectAltName, ', ', ':');
  if (cert.infoAccess !== undefined) {
    for (const [method, location] of parseList(cert.infoAccess.replace(/\n$/, ''), '\n', ' - ')) {
      const uri = location.startsWith('URI:') ? location.slice(4) : location;
      if (method === 'OCSP') (decoded.OCSP ??= []).push(uri);
      else if (method === 'CA Issuers') (decoded.caIssuers ??= []).push(uri);
    }
  }
  return decoded;
}
