import { describe, expect, it } from 'vitest';
import { eventIdOf } from '../../src/adapters/esdbEventIds.js';

describe('esdb event ids', () => {
  it('are name-based UUIDs (version 5) of stream, command and index: the same append, the same ids', () => {
    const id = eventIdOf('case-c1', 'cmd-1', 0);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(eventIdOf('case-c1', 'cmd-1', 0)).toBe(id);
    const others = [
      eventIdOf('case-c2', 'cmd-1', 0),
      eventIdOf('case-c1', 'cmd-2', 0),
      eventIdOf('case-c1', 'cmd-1', 1),
    ];
    expect(new Set([id, ...others]).size).toBe(4);
  });
});
