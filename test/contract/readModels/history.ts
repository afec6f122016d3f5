/*
 * Given, for the read-model contract: a scripted history made by the real command handler on a
 * virtual clock, and stores that deliver it in the ways a projector must cope with.
 */
import { setImmediate as tick } from 'node:timers/promises';
import { MemoryEventStore } from '../../../src/adapters/memoryEventStore.js';
import { createDocketServices } from '../../../src/application/docketServices.js';
import type {
  EventMetadata,
  EventStore,
  RecordedEvent,
} from '../../../src/application/eventStore.js';
import { policyRegistry } from '../../../src/application/policyRegistry.js';
import { projectionContext } from '../../../src/application/projectionContext.js';
import type { Actor } from '../../../src/domain/actor.js';
import type { CommandType } from '../../../src/domain/case/caseCommands.js';
import { VirtualClock } from '../../../src/domain/clock.js';
import { defaultPolicy } from '../../../src/domain/policy/defaultPolicy.js';
import { parsed } from '../../specs/caseCommands.js';

export const context = projectionContext(policyRegistry(defaultPolicy));
const root: Actor = { role: 'admin', id: 'root' };
const li: Actor = { role: 'agent', id: 'li' };
const mei: Actor = { role: 'agent', id: 'mei' };
const scheduler: Actor = { role: 'timer', id: 'scheduler' };
const customer = (tenant: string): Actor => ({
  role: 'customer-admin',
  tenant,
  id: `${tenant}-admin`,
});
export const categoryOf: Record<string, string> = {
  technical: 'sso',
  billing: 'licenses',
  presales: 'plan-comparison',
};
/** `z('23T02:00')` is 2026-11-23T02:00:00.000Z: every instant of the history is in that month. */
export const z = (dayAndTime: string) => `2026-11-${dayAndTime}:00.000Z`;

/**
 * Fifteen cases through every event type of the case lifecycle. Phase 1 is Monday 23 November 2026
 * (10:00 in Beijing at 02:00Z); phase 2 is a week later: an auto-close, a late first response,
 * a survey after closing.
 */
export const scriptedHistory = async () => {
  const store = new MemoryEventStore();
  const clock = new VirtualClock(Date.parse(z('23T02:00')));
  const services = await createDocketServices(store, clock, defaultPolicy);
  if (!services.ok) throw services.error;
  const { commands, tenants } = services.value;
  for (const tenant of [
    { id: 'contoso', offering: '21vianet', advancedAgreement: true },
    { id: 'fabrikam', offering: '21vianet', advancedAgreement: false },
    { id: 'kontor', offering: 'office365-germany', advancedAgreement: true },
  ]) {
    const registered = await tenants.register(root, tenant);
    if (!registered.ok) throw registered.error;
  }
  const at = (dayAndTime: string) => clock.advanceTo(Date.parse(z(dayAndTime)));
  const run = async (type: CommandType, caseId: string, actor: Actor, input: unknown = {}) => {
    const result = await commands.handle(parsed({ type, caseId, actor, input }));
    if (!result.ok) throw new Error(`${type} ${caseId}: ${result.error.message}`);
    if (result.value.events.length === 0) throw new Error(`${type} ${caseId}: no events`);
  };
  const open = (caseId: string, tenant: string, line: string, severity: 'A' | 'B' | 'C') =>
    run('open', caseId, customer(tenant), {
      line,
      severity,
      category: categoryOf[line],
      title: `Title ${caseId}`,
      contact: { name: 'Ada', email: 'ada@example.com', phone: '+86 21 5555 0100' },
      businessImpact: 'Mail is down for everyone.',
    });

  const phase1 = async () => {
    at('23T02:00');
    await open('q-breach', 'contoso', 'technical', 'A');
    await open('q-open', 'contoso', 'technical', 'B');
    await run('assign', 'q-open', li, { agent: 'li' });
    await open('q-fab', 'fabrikam', 'technical', 'A'); // no advanced agreement: opened as B
    await open('q-sev', 'contoso', 'technical', 'B');
    await open('q-down', 'contoso', 'technical', 'A');
    await open('q-gone', 'contoso', 'technical', 'A');
    await open('q-info', 'contoso', 'billing', 'B');
    await open('q-reply', 'contoso', 'technical', 'C');
    await open('q-resolved', 'fabrikam', 'presales', 'C');
    await open('q-withdrawn', 'contoso', 'technical', 'C');
    await open('q-reopened', 'contoso', 'technical', 'B');
    await open('q-closed', 'contoso', 'technical', 'B');
    at('23T02:10');
    await run('requestInfo', 'q-down', li, { message: 'Logs, please.' });
    at('23T02:30');
    await run('assign', 'q-fab', mei, { agent: 'mei' });
    await run('respond', 'q-fab', mei, { message: 'Looking.' });
    await run('requestInfo', 'q-info', li, { message: 'Which invoice?' });
    await run('assign', 'q-reply', mei, { agent: 'mei' });
    await run('requestInfo', 'q-reply', mei, { message: 'Which version?' });
    await run('respond', 'q-resolved', li, { message: 'See the plan comparison.' });
    await run('resolve', 'q-resolved', li, { reason: 'advice-given', summary: 'Docs.' });
    await run('respond', 'q-reopened', li, { message: 'Try this.' });
    await run('resolve', 'q-reopened', li, { reason: 'fixed', summary: 'Fixed.' });
    await run('respond', 'q-closed', li, { message: 'Fixed.' });
    await run('resolve', 'q-closed', li, { reason: 'fixed', summary: 'Fixed.' });
    await run('withdraw', 'q-withdrawn', customer('contoso'), { reason: 'Found it.' });
    at('23T03:30');
    await run('checkResponseDeadline', 'q-breach', scheduler);
    await run('checkResponseDeadline', 'q-gone', scheduler);
    await run('resolve', 'q-gone', li, { reason: 'duplicate', summary: 'See q-breach.' });
    // Raised to A after the A due instant passed: SeverityChanged and the breach at once.
    await run('changeSeverity', 'q-sev', li, { severity: 'A', reason: 'Outage.' });
    await run('customerReply', 'q-reply', customer('contoso'), { message: '16.0' });
    await run('reopen', 'q-reopened', customer('contoso'), { reason: 'Back again.' });
    at('23T06:15'); // past q-down's 4 h nonresponse period (due 06:10)
    await run('checkCustomerNonresponse', 'q-down', scheduler);
    at('23T17:30'); // 01:30 on the 24th in Beijing
    await open('q-late', 'contoso', 'technical', 'C');
    at('23T23:30'); // 00:30 on the 24th in Berlin
    await open('k-late', 'kontor', 'technical', 'B');
    return headPosition(store);
  };

  const phase2 = async () => {
    at('30T03:00'); // resolved 23T02:30 + 7 days has passed
    await run('checkAutoClose', 'q-closed', scheduler);
    await run('respond', 'q-open', li, { message: 'Sorry for the wait.' });
    at('30T04:00');
    await run('submitSurvey', 'q-closed', customer('contoso'), { rating: 4 });
    await run('submitSurvey', 'q-resolved', customer('fabrikam'), { rating: 2 });
    return headPosition(store);
  };

  /** An event no projection cares about (a directory stream): moves the log, not the rows. */
  const unrelated = async () => {
    const registered = await tenants.register(root, {
      id: 'northwind',
      offering: '21vianet',
      advancedAgreement: false,
    });
    if (!registered.ok) throw registered.error;
    return headPosition(store);
  };

  return { store, phase1, phase2, unrelated };
};

/** The whole history, as recorded (for tests that feed it to a store at their own pace). */
export const recordedHistory = async (): Promise<RecordedEvent[]> => {
  const history = await scriptedHistory();
  await history.phase1();
  await history.phase2();
  return collect(history.store.readAll());
};

const collect = async (source: AsyncIterable<RecordedEvent>): Promise<RecordedEvent[]> => {
  const out: RecordedEvent[] = [];
  for await (const event of source) out.push(event);
  return out;
};

const headPosition = async (store: EventStore): Promise<bigint> => {
  for await (const event of store.readAll({ direction: 'backwards', maxCount: 1 })) {
    return event.position;
  }
  return 0n;
};

/** Appends recorded events to `target` in order (one append per command); the new head. */
export const copyEvents = async (events: readonly RecordedEvent[], target: EventStore) => {
  let head = 0n;
  for (let i = 0; i < events.length;) {
    const first = events[i]!;
    let end = i + 1;
    while (
      end < events.length &&
      events[end]!.streamId === first.streamId &&
      events[end]!.metadata.commandId === first.metadata.commandId
    )
      end++;
    const result = await target.append(
      first.streamId,
      events.slice(i, end).map((e) => {
        const metadata: Partial<Record<string, unknown>> = { ...e.metadata };
        delete metadata.previousHash; // the target store chains its own hashes
        delete metadata.hash;
        return {
          type: e.type,
          schemaVersion: e.schemaVersion,
          data: e.data,
          metadata: metadata as unknown as EventMetadata,
        };
      }),
      { expectedRevision: 'any' },
    );
    head = result.position;
    i = end;
  }
  return head;
};

/** A store whose subscriptions report how far they have delivered. */
export const observedStore = (inner: EventStore) => {
  let yielded = -1n;
  const store: EventStore = {
    append: (streamId, events, options) => inner.append(streamId, events, options),
    readStream: (streamId, options) => inner.readStream(streamId, options),
    readAll: (options) => inner.readAll(options),
    readByStream: () => inner.readByStream(),
    close: () => inner.close(),
    subscribe: (options) => {
      const subscription = inner.subscribe(options);
      return {
        close: () => subscription.close(),
        async *[Symbol.asyncIterator]() {
          for await (const event of subscription) {
            yielded = event.position;
            yield event;
          }
        },
      };
    },
  };
  /** Resolves once the consumer has received (and synchronously handled) `position`. */
  const delivered = async (position: bigint) => {
    for (let i = 0; yielded < position; i++) {
      if (i > 100_000) throw new Error(`position ${position} was never delivered`);
      await tick();
    }
    await tick();
  };
  return { store, delivered };
};

/** A store that hands every subscriber the whole log again, whatever checkpoint it asks for. */
export const redeliveringStore = (inner: EventStore): EventStore => ({
  append: (streamId, events, options) => inner.append(streamId, events, options),
  readStream: (streamId, options) => inner.readStream(streamId, options),
  readAll: (options) => inner.readAll(options),
  readByStream: () => inner.readByStream(),
  close: () => inner.close(),
  subscribe: () => inner.subscribe({}),
});

export const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};
