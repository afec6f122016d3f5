import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { MemoryEventStore } from '../../src/adapters/memoryEventStore.js';
import { openPostgresReadModels } from '../../src/adapters/readModelDb.js';
import { VirtualClock } from '../../src/domain/clock.js';
import { buildApp } from '../../src/http/buildApp.js';
import { isUnavailableDependency } from '../../src/http/unavailableDependency.js';
import { EventStoreUnavailableError } from '../../src/application/eventStoreFaults.js';
import { UnavailableError } from '@eventstore/db-client';
import { Metadata } from '@grpc/grpc-js';
import { servicesWith } from '../specs/servicesSpec.js';

/** A local port nothing listens on (bound, then closed). */
const closedPort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

describe('a dependency that is down', () => {
  it('a read that needs it answers 503 unavailable with Retry-After; the rest of the API serves', async () => {
    const services = await servicesWith(new MemoryEventStore(), new VirtualClock(Date.now()));
    const readModels = openPostgresReadModels(
      `postgres://postgres@127.0.0.1:${await closedPort()}/test`,
    );
    const app = await buildApp(services, { readModels });
    const root = await services.tokens.issue(
      { role: 'admin', id: 'root' },
      { role: 'agent', name: 'li' },
    );
    if (!root.ok) throw root.error;
    const headers = { authorization: `Bearer ${root.value.token}` };
    try {
      const queue = await app.inject({ method: 'GET', url: '/queues/agent', headers });
      expect(queue.statusCode).toBe(503);
      expect(queue.headers['retry-after']).toBe('5');
      expect(queue.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(queue.json()).toMatchObject({ code: 'unavailable' });
      expect(queue.body).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/); // no internals
      const offerings = await app.inject({ method: 'GET', url: '/offerings', headers });
      expect(offerings.statusCode).toBe(200);
    } finally {
      await app.close();
      await readModels.destroy();
    }
  });

  it('tells unreachable dependencies from other faults', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(isUnavailableDependency(refused)).toBe(true);
    expect(isUnavailableDependency(new AggregateError([refused]))).toBe(true);
    // The EventStoreDB client's errors are named "Error": known by class and gRPC status.
    const grpc = { code: 14, details: 'No connection established', metadata: new Metadata() };
    expect(isUnavailableDependency(new UnavailableError(grpc as never))).toBe(true);
    expect(isUnavailableDependency(new EventStoreUnavailableError('store away'))).toBe(true);
    expect(isUnavailableDependency(Object.assign(new Error('x'), { code: '57P01' }))).toBe(true);
    expect(isUnavailableDependency(new Error('wrapped', { cause: refused }))).toBe(true);
    expect(isUnavailableDependency(Object.assign(new Error('syntax'), { code: '42601' }))).toBe(
      false,
    );
    expect(isUnavailableDependency(new TypeError('bug'))).toBe(false);
  });
});
