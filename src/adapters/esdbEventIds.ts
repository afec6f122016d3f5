import { createHash } from 'node:crypto';

/** The UUID namespace of Docket's event ids (a v4 UUID chosen once; never change it). */
const NAMESPACE = Buffer.from('6f1b2c3e9a4d4e0f8b7c1d2e3f405162', 'hex');

/**
 * The ESDB event id of the `index`-th event a command appends to a stream: a name-based UUID
 * (RFC 9562 version 5) of the stream, the command id and the index. A retry of the same append
 * sends the same ids, so the server recognises it (positionally, for the exact revisions the
 * adapter expects) instead of refusing it as a conflict with itself.
 */
export const eventIdOf = (streamId: string, commandId: string, index: number): string => {
  const bytes = createHash('sha1')
    .update(NAMESPACE)
    .update(`${streamId}\n${commandId}\n${index}`)
    .digest()
    .subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};
