import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { sqliteEventsSchema } from '../src/adapters/sqliteEventsSchema.js';

/**
 * The raw append ceiling the benchmarks compare against: rows like Docket's events inserted
 * straight through better-sqlite3 into the event table, one transaction (one fsync) each, WAL
 * with synchronous=FULL. Returns events per second.
 */
export const rawAppendCeiling = (path: string, events = 3_000): number => {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(sqliteEventsSchema);
  const insert = db.prepare(
    `INSERT INTO events (stream_id, revision, event_id, type, schema_version, data, metadata,
       command_id, previous_hash, hash) VALUES (?, 0, ?, 'AgentResponded', 1, ?, ?, ?, ?, ?)`,
  );
  const hash = 'f'.repeat(64);
  const one = db.transaction((i: number) => {
    const commandId = randomUUID();
    const metadata = {
      commandId,
      causationId: commandId,
      correlationId: randomUUID(),
      actor: { role: 'agent', id: 'li' },
      occurredAt: '2026-11-23T02:00:00.000Z',
      caseId: `c${i}`,
      policyVersion: 'seed-2026.1',
      machineVersion: 1,
    };
    const data = { message: `We are looking into it (${i}).`, respondedAt: metadata.occurredAt };
    insert.run(
      `case-r${i}`,
      randomUUID(),
      JSON.stringify(data),
      JSON.stringify(metadata),
      commandId,
      hash,
      hash,
    );
  });
  const start = performance.now();
  for (let i = 0; i < events; i++) one(i);
  const rate = events / ((performance.now() - start) / 1000);
  db.close();
  return rate;
};
