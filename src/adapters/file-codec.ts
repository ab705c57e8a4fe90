// makefile()'s text options: the encodings, newline modes and errors=
// policies it accepts, checked as Python's io.open checks them; the
// incremental decoder a text file reads through; and the kinds of line
// ending it has read (Python's newlines attribute).
import { StringDecoder } from 'node:string_decoder';
import { typeError, valueError, withCode } from '../core/validate.js';

const ENCODINGS: ReadonlyMap<string, BufferEncoding> = new Map([
  ['utf8', 'utf8'],
  ['utf16le', 'utf16le'],
  ['ucs2', 'utf16le'],
  ['latin1', 'latin1'],
  ['iso88591', 'latin1'],
  ['binary', 'latin1'],
  ['ascii', 'ascii'],
]);
const NEWLINES = new Set(['', '\n', '\r', '\r\n']);

/** Decodes a byte stream piece by piece: a sequence split across pieces is kept for the next. */
export interface Decoder {
  write(bytes: Uint8Array): string;
  end(): string;
}

function invalidData(encoding: string): TypeError {
  return withCode(new TypeError(`The encoded data was not valid for encoding ${encoding}`), 'ERR_ENCODING_INVALID_ENCODED_DATA');
}

/** The decoder for an encoding and Python's errors= policy. */
export function makeDecoder(encoding: BufferEncoding, errors: 'strict' | 'replace'): Decoder {
  if (encoding === 'ascii') {
    // Node's 'ascii' drops the high bit; Python's fails or replaces the byte.
    const latin1 = new StringDecoder('latin1');
    return {
      write: (bytes) => {
        if (!bytes.some((b) => b > 0x7f)) return latin1.write(bytes as Buffer);
        if (errors === 'strict') throw invalidData('ascii');
        return latin1.write(bytes as Buffer).replace(/[\x80-\xff]/g, '\ufffd');
      },
      end: () => '',
    };
  }
  if (errors === 'replace' || encoding === 'latin1') return new StringDecoder(encoding);
  const fatal = new TextDecoder(encoding === 'utf16le' ? 'utf-16le' : 'utf-8', { fatal: true, ignoreBOM: true });
  return { write: (bytes) => fatal.decode(bytes, { stream: true }), end: () => fatal.decode() };
}

/** The errors= policy: null or undefined is 'strict'. */
export function checkErrors(value: unknown): 'strict' | 'replace' {
  if (value === undefined || value === null) return 'strict';
  if (value === 'strict' || value === 'replace') return value;
  if (typeof value !== 'string') throw typeError('errors', "'strict', 'replace' or null", value);
  throw valueError(`The "errors" argument must be 'strict' or 'replace'. Received '${value}'`);
}

/** The Node encoding for an encoding= name (Python spellings: utf-8, latin-1, ...); null or undefined is UTF-8. */
export function checkEncoding(value: unknown): BufferEncoding {
  if (value === undefined || value === null) return 'utf8';
  if (typeof value !== 'string') throw typeError('encoding', 'a string or null', value);
  const encoding = ENCODINGS.get(value.toLowerCase().replace(/[-_]/g, ''));
  if (encoding === undefined) throw valueError(`The "encoding" argument must be one of utf-8, utf-16-le, latin-1, ascii. Received '${value}'`);
  return encoding;
}

/** The newline= mode: null or undefined is universal newlines (null). */
export function checkNewline(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw typeError('newline', 'a string or null', value);
  if (!NEWLINES.has(value)) throw valueError(`The "newline" argument must be null, '', '\\n', '\\r' or '\\r\\n'. Received ${JSON.stringify(value)}`);
  return value;
}

// Python's IncrementalNewlineDecoder bits, and its newlines value for each set of them.
const LF = 1;
const CR = 2;
const CRLF = 4;
const several = (...endings: string[]): readonly string[] => Object.freeze(endings);
const SEEN: readonly (string | readonly string[] | null)[] = [null, '\n', '\r', several('\r', '\n'), '\r\n', several('\n', '\r\n'), several('\r', '\r\n'), several('\r', '\n', '\r\n')];

/** seen with the kinds of line ending in text added (text as decoded, before newline translation). */
export function newlineKinds(text: string, seen: number): number {
  if (seen === (LF | CR | CRLF)) return seen;
  if (!text.includes('\r')) return text.includes('\n') ? seen | LF : seen;
  if (text.includes('\r\n')) seen |= CRLF;
  if (/\r(?!\n)/.test(text)) seen |= CR;
  if (/(?<!\r)\n/.test(text)) seen |= LF;
  return seen;
}

/** Python's newlines for a set of kinds seen: null, one ending, or several in Python's order. */
export function newlinesSeen(seen: number): string | readonly string[] | null {
  return SEEN[seen]!;
}
