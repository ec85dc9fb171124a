import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { createLogger } from '../src/log.js';

function capture(): { stream: Writable; lines: () => string[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) { chunks.push(String(chunk)); cb(); },
  });
  return { stream, lines: () => chunks.join('').split('\n').filter(Boolean) };
}

describe('logger', () => {
  it('never writes secrets, at the top level or nested', () => {
    const out = capture();
    const log = createLogger({ destination: out.stream, level: 'info' });
    log.info({ apiKey: 'AK-123', venue: { secret: 'S3CR3T', passphrase: 'pp' } }, 'credentials loaded');
    log.info({ headers: { 'X-MBX-APIKEY': 'AK-456', 'content-type': 'json' } }, 'request');
    const text = out.lines().join('\n');
    expect(text).not.toContain('AK-123');
    expect(text).not.toContain('S3CR3T');
    expect(text).not.toContain('"pp"');
    expect(text).not.toContain('AK-456');
    expect(text).toContain('[redacted]');
    expect(text).toContain('content-type');
  });
});
