/**
 * Decodes a CDR file's bytes: UTF-8, or ISO-8859-1 (Latin-1) when the file says so (BroadWorks'
 * `encoding=ISO-8859-1` line) or its first 64 KiB are not valid UTF-8 (Asterisk writes caller names
 * as raw bytes). Every byte of Latin-1 is a character, so nothing is lost.
 */
import { StringDecoder } from 'node:string_decoder';

export type TextEncoding = 'utf8' | 'latin1';

const SNIFF_BYTES = 64 * 1024;

/** The encoding of a file from its first bytes. */
export function sniffEncoding(head: Buffer): TextEncoding {
  const firstLine = head.subarray(0, Math.min(head.length, 200)).toString('latin1');
  if (/^version=.*encoding=ISO-8859-1/i.test(firstLine)) return 'latin1';
  // leave out a multi-byte sequence cut at the end of the sample
  let end = head.length;
  for (let i = 1; i <= 3 && end - i >= 0; i++) {
    const byte = head[end - i]!;
    if ((byte & 0xc0) === 0xc0) {
      end -= i;
      break;
    }
    if ((byte & 0x80) === 0) break;
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, end));
    return 'utf8';
  } catch {
    return 'latin1';
  }
}

/** Decoded text chunks of a byte stream, the encoding chosen from its head. */
export async function* decodeText(bytes: AsyncIterable<Buffer>, onEncoding?: (e: TextEncoding) => void): AsyncGenerator<string> {
  let head: Buffer[] = [];
  let headLength = 0;
  let decoder: StringDecoder | undefined;
  for await (const chunk of bytes) {
    if (decoder) {
      yield decoder.write(chunk);
      continue;
    }
    head.push(chunk);
    headLength += chunk.length;
    if (headLength < SNIFF_BYTES) continue;
    const buffer = Buffer.concat(head);
    head = [];
    const encoding = sniffEncoding(buffer);
    onEncoding?.(encoding);
    decoder = new StringDecoder(encoding);
    yield decoder.write(buffer);
  }
  if (!decoder) {
    const buffer = Buffer.concat(head);
    const encoding = sniffEncoding(buffer);
    onEncoding?.(encoding);
    decoder = new StringDecoder(encoding);
    yield decoder.write(buffer);
  }
  const rest = decoder.end();
  if (rest) yield rest;
}
