import Database from 'better-sqlite3';
import type { TimerChanges } from '../application/timerBackend.js';
import { timerId } from '../application/timerBackend.js';
import type { TimerSchedule } from '../application/timerSchedule.js';
import { timerKinds, type CaseTimer, type TimerKind } from '../domain/case/caseTimers.js';

/**
 * Bumped when the rules that derive pending timers from the log change: a schedule written
 * under another version is dropped and the scheduler replays the log from the start.
 */
export const TIMER_SCHEDULE_VERSION = 1;

const schema = `
CREATE TABLE IF NOT EXISTS timers (
  id       TEXT    PRIMARY KEY,
  case_id  TEXT    NOT NULL,
  kind     TEXT    NOT NULL,
  revision INTEGER NOT NULL,
  due_at   INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS checkpoint (
  id       INTEGER PRIMARY KEY CHECK (id = 1),
  position INTEGER NOT NULL
);
`;

/**
 * The timer scheduler's state in its own SQLite file (`timers.db` beside the event store):
 * derived from the log, so it is written with synchronous=NORMAL: a power cut can lose the last
 * commits, never their consistency, and the scheduler then replays from the older checkpoint.
 */
export class SqliteTimerSchedule implements TimerSchedule {
  readonly #db: Database.Database;
  readonly #commit: (changes: TimerChanges, checkpoint: bigint) => void;

  constructor(path: string) {
    this.#db = new Database(path);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = NORMAL');
    this.#db.pragma('busy_timeout = 5000');
    const version = this.#db.pragma('user_version', { simple: true }) as number;
    this.#db
      .transaction(() => {
        if (version !== TIMER_SCHEDULE_VERSION)
          this.#db.exec('DROP TABLE IF EXISTS timers; DROP TABLE IF EXISTS checkpoint;');
        this.#db.exec(schema);
        this.#db.pragma(`user_version = ${TIMER_SCHEDULE_VERSION}`);
      })
      .immediate();
    const insert = this.#db.prepare(
      'INSERT OR REPLACE INTO timers (id, case_id, kind, revision, due_at) VALUES (?, ?, ?, ?, ?)',
    );
    const remove = this.#db.prepare('DELETE FROM timers WHERE id = ?');
    const checkpoint = this.#db.prepare(
      'INSERT INTO checkpoint (id, position) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET position = excluded.position',
    );
    this.#commit = this.#db.transaction((changes: TimerChanges, position: bigint) => {
      for (const t of changes.remove) remove.run(timerId(t));
      for (const t of changes.add) insert.run(timerId(t), t.caseId, t.kind, t.revision, t.dueAt);
      checkpoint.run(position);
    });
  }

  load(): Promise<{ checkpoint: bigint | undefined; timers: CaseTimer[] }> {
    const row = this.#db.prepare('SELECT position FROM checkpoint WHERE id = 1').get() as
      { position: number } | undefined;
    const rows = this.#db
      .prepare('SELECT case_id, kind, revision, due_at FROM timers')
      .all() as Array<{ case_id: string; kind: string; revision: number; due_at: number }>;
    const timers = rows
      .filter((r): r is typeof r & { kind: TimerKind } =>
        (timerKinds as readonly string[]).includes(r.kind),
      )
      .map((r) => ({ caseId: r.case_id, kind: r.kind, revision: r.revision, dueAt: r.due_at }));
    return Promise.resolve({
      checkpoint: row === undefined ? undefined : BigInt(row.position),
      timers,
    });
  }

  commit(changes: TimerChanges, checkpoint: bigint): Promise<void> {
    this.#commit(changes, checkpoint);
    return Promise.resolve();
  }

  rewrite(timers: readonly CaseTimer[], checkpoint: bigint): Promise<void> {
    this.#db.transaction(() => {
      this.#db.exec('DELETE FROM timers');
      this.#commit({ add: timers, remove: [] }, checkpoint);
    })();
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.#db.close();
    return Promise.resolve();
  }
}
