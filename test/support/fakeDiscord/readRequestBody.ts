/**
 * Reads a REST request body: JSON, or multipart/form-data the way discord.js sends files
 * (`payload_json` + `files[n]` parts).
 */
import type { IncomingMessage } from 'node:http';

export interface RecordedFile {
  field: string;
  filename: string;
  contentType?: string;
  size: number;
  data: Buffer;
}

export interface RequestBody {
  /** Parsed JSON (or payload_json), the raw text when it is not JSON, undefined when empty. */
  body: unknown;
  files: RecordedFile[];
  /** The body was meant to be JSON but did not parse (Discord: 50109). */
  invalidJson: boolean;
}

export function readRawBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function parseRequestBody(raw: Buffer, contentType: string | undefined): RequestBody {
  if (raw.length === 0) return { body: undefined, files: [], invalidJson: false };
  const type = (contentType ?? '').toLowerCase();
  const boundary = /multipart\/form-data;.*boundary="?([^";]+)"?/i.exec(contentType ?? '')?.[1];
  if (boundary) return parseMultipart(raw, boundary);
  const text = raw.toString('utf8');
  if (type.includes('application/json')) {
    try {
      return { body: JSON.parse(text), files: [], invalidJson: false };
    } catch {
      return { body: text, files: [], invalidJson: true };
    }
  }
  return { body: text, files: [], invalidJson: false };
}

function parseMultipart(raw: Buffer, boundary: string): RequestBody {
  const delimiter = Buffer.from(`--${boundary}`);
  const files: RecordedFile[] = [];
  let body: unknown;
  let invalidJson = false;
  let start = raw.indexOf(delimiter);
  while (start >= 0) {
    const next = raw.indexOf(delimiter, start + delimiter.length);
    if (next < 0) break;
    // Part = CRLF headers CRLF CRLF data CRLF
    const part = raw.subarray(start + delimiter.length + 2, next - 2);
    const split = part.indexOf('\r\n\r\n');
    if (split >= 0) {
      const headers = part.subarray(0, split).toString('utf8');
      const data = part.subarray(split + 4);
      const field = /name="([^"]*)"/i.exec(headers)?.[1] ?? '';
      const filename = /filename="([^"]*)"/i.exec(headers)?.[1];
      const contentType = /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1];
      if (filename !== undefined) files.push({ field, filename, size: data.length, data: Buffer.from(data), ...(contentType ? { contentType } : {}) });
      else if (field === 'payload_json') {
        try {
          body = JSON.parse(data.toString('utf8'));
        } catch {
          invalidJson = true;
        }
      }
    }
    start = next;
  }
  return { body, files, invalidJson };
}
