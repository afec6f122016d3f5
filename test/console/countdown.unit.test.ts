import { describe, expect, it } from 'vitest';
import { countdownAt, formatDuration, type RunningDeadline } from '../../console/src/countdown.js';

const hour = 3_600_000;
/** Read at 17:00 UTC with 2 business hours left: one until 18:00, one from 09:00 the next day. */
const deadline: RunningDeadline = {
  kind: 'response-deadline',
  dueAt: '2026-11-24T10:00:00.000Z',
  leftMs: 17 * hour,
  businessLeftMs: 2 * hour,
  calendar: 'cn-business',
  windows: [
    { start: '2026-11-23T17:00:00.000Z', end: '2026-11-23T18:00:00.000Z' },
    { start: '2026-11-24T09:00:00.000Z', end: '2026-11-24T10:00:00.000Z' },
  ],
};
const at = '2026-11-23T17:00:00.000Z';

describe('countdownAt: business time left, stopped outside the windows', () => {
  it('runs inside a window', () => {
    expect(countdownAt(deadline, at, 0.5 * hour)).toEqual({ leftMs: 1.5 * hour, running: true });
  });
  it('stops between windows', () => {
    expect(countdownAt(deadline, at, 1 * hour)).toEqual({ leftMs: 1 * hour, running: false });
    expect(countdownAt(deadline, at, 10 * hour)).toEqual({ leftMs: 1 * hour, running: false });
  });
  it('runs again in the next window and ends at zero', () => {
    expect(countdownAt(deadline, at, 16.5 * hour)).toEqual({ leftMs: 0.5 * hour, running: true });
    expect(countdownAt(deadline, at, 20 * hour)).toEqual({ leftMs: 0, running: false });
  });
  it('counts only the part of a window after the instant it was read at', () => {
    const late = '2026-11-23T17:30:00.000Z';
    const read = { ...deadline, businessLeftMs: 1.5 * hour };
    expect(countdownAt(read, late, 0.25 * hour).leftMs).toBe(1.25 * hour);
  });
});

describe('formatDuration', () => {
  it('writes hours, minutes and seconds, and days when there are any', () => {
    expect(formatDuration(3_723_000)).toBe('01:02:03');
    expect(formatDuration(90_000_000)).toBe('1d 01:00:00');
  });
});
