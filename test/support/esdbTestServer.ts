import { Server, ServerCredentials, type ServerWritableStream } from '@grpc/grpc-js';
import featuresGrpc from '@eventstore/db-client/generated/serverfeatures_grpc_pb.js';
import featuresPb from '@eventstore/db-client/generated/serverfeatures_pb.js';
import streamsGrpc from '@eventstore/db-client/generated/streams_grpc_pb.js';
import type streamsPb from '@eventstore/db-client/generated/streams_pb.js';
import { subscribeToAll } from './esdb/esdbAllSubscription.js';
import { append, batchAppend, softDelete, tombstone } from './esdb/esdbAppends.js';
import { EsdbFaults } from './esdb/esdbFaults.js';
import { EsdbLog, type EsdbLogOptions } from './esdb/esdbLog.js';
import { readAll, readStream } from './esdb/esdbReads.js';
import { faultError, type EsdbServerContext } from './esdb/esdbServerContext.js';
import { streamNameOf } from './esdb/esdbWire.js';

export type { EsdbFault } from './esdb/esdbFaults.js';

export interface EsdbTestServerOptions extends EsdbLogOptions {
  /** Bytes of events one append may carry. Default 1 MiB (the server's `MaxAppendSize`). */
  readonly maxAppendSize?: number;
}

const HOST = '127.0.0.1';

/** One read call as the server saw it: for tests of what the adapter asks. */
export interface ObservedRead {
  /** The stream read, or `$all`. */
  readonly stream: string;
  readonly subscription: boolean;
  /** The call carried `requires-leader: true`. */
  readonly requiresLeader: boolean;
  /** Records the server sent on it. */
  records: number;
}

/** The methods the server reports as supported (`ServerFeatures.cs`), with its features. */
const supportedMethods = (): featuresPb.SupportedMethods => {
  const methods = [
    ['event_store.client.streams.streams', 'read', ['position', 'events']],
    ['event_store.client.streams.streams', 'append', []],
    ['event_store.client.streams.streams', 'delete', []],
    ['event_store.client.streams.streams', 'tombstone', []],
    ['event_store.client.streams.streams', 'batchappend', ['deadline_duration']],
    ['event_store.client.server_features.serverfeatures', 'getsupportedmethods', []],
  ] as const;
  const result = new featuresPb.SupportedMethods();
  result.setEventStoreServerVersion('24.10.0');
  result.setMethodsList(
    methods.map(([service, method, features]) => {
      const supported = new featuresPb.SupportedMethod();
      supported.setServiceName(service);
      supported.setMethodName(method);
      supported.setFeaturesList([...features]);
      return supported;
    }),
  );
  return result;
};

/**
 * A protocol-level EventStoreDB for tests: a gRPC server on the client's own generated service
 * definitions (`@eventstore/db-client/generated`), serving streams, `$all`, filtered
 * subscriptions and server features over an in-memory log with the real server's commit rules,
 * plus planned faults. `docs/eventstoredb.md` lists each behaviour and where the real server
 * (v24.10.0) does the same. Single node, insecure: `esdb://127.0.0.1:<port>?tls=false`.
 */
export class EsdbTestServer {
  readonly log: EsdbLog;
  readonly faults = new EsdbFaults();
  /** Every read call since the start (or the last `observed.length = 0`). */
  readonly observed: ObservedRead[] = [];
  readonly #maxAppendSize: number;
  #server: Server | undefined;
  #port = 0;
  #listening: Promise<void> = Promise.resolve();
  #openReads = 0;
  readonly #readsSettled = new Set<() => void>();

  private constructor(options: EsdbTestServerOptions) {
    this.log = new EsdbLog(options);
    this.#maxAppendSize = options.maxAppendSize ?? 1_048_576;
  }

  /** Starts a server on a free port. */
  static async start(options: EsdbTestServerOptions = {}): Promise<EsdbTestServer> {
    const server = new EsdbTestServer(options);
    await server.#listen();
    return server;
  }

  get port(): number {
    return this.#port;
  }

  get connectionString(): string {
    return `esdb://${HOST}:${this.#port}?tls=false`;
  }

  /** Resolves once the server accepts connections again after a drop or restart. */
  whenListening(): Promise<void> {
    return this.#listening;
  }

  /** Read calls (not subscriptions) the server is still serving: a reader that stops early must cancel. */
  get openReads(): number {
    return this.#openReads;
  }

  /** Resolves when no read call is open (at once if none is). */
  readsSettled(): Promise<void> {
    if (this.#openReads === 0) return Promise.resolve();
    return new Promise((resolve) => this.#readsSettled.add(resolve));
  }

  /** Cuts every connection at once, as a crashed node; the log survives. Restart with `restart()`. */
  kill(): void {
    this.#server?.forceShutdown();
    this.#server = undefined;
  }

  /** Listens again on the same port, with the same log. */
  restart(): Promise<void> {
    this.#listening = this.#listen();
    return this.#listening;
  }

  /** Cuts every connection and accepts new ones straight away (`whenListening()`). */
  dropConnections(): void {
    this.kill();
    void this.restart();
  }

  async stop(): Promise<void> {
    await this.#listening;
    const server = this.#server;
    this.#server = undefined;
    if (server === undefined) return;
    server.forceShutdown();
  }

  async #listen(): Promise<void> {
    const server = new Server();
    const context: EsdbServerContext = {
      log: this.log,
      faults: this.faults,
      maxAppendSize: this.#maxAppendSize,
      host: HOST,
      port: () => this.#port,
      dropConnections: () => this.dropConnections(),
    };
    server.addService(streamsGrpc.StreamsService, {
      read: (call: ServerWritableStream<streamsPb.ReadReq, streamsPb.ReadResp>) =>
        this.#read(context, call),
      append: append(context),
      batchAppend: batchAppend(context),
      delete: softDelete(context),
      tombstone: tombstone(context),
    });
    server.addService(featuresGrpc.ServerFeaturesService, {
      getSupportedMethods: (
        _call: unknown,
        callback: (error: null, value: featuresPb.SupportedMethods) => void,
      ) => callback(null, supportedMethods()),
    });
    this.#port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(
        `${HOST}:${this.#port}`,
        ServerCredentials.createInsecure(),
        (error, port) => (error === null ? resolve(port) : reject(error)),
      ),
    );
    this.#server = server;
  }

  #track(call: ServerWritableStream<streamsPb.ReadReq, streamsPb.ReadResp>): void {
    this.#openReads++;
    let open = true;
    const settle = () => {
      if (!open) return;
      open = false;
      if (--this.#openReads > 0) return;
      for (const resolve of this.#readsSettled) resolve();
      this.#readsSettled.clear();
    };
    for (const event of ['finish', 'cancelled', 'error', 'close']) call.once(event, settle);
  }

  #read(
    context: EsdbServerContext,
    call: ServerWritableStream<streamsPb.ReadReq, streamsPb.ReadResp>,
  ): void {
    const options = call.request.getOptions()!;
    const fault = this.faults.take(options.hasSubscription() ? 'subscribe' : 'read');
    if (fault?.kind === 'drop-connection') {
      this.dropConnections();
      return;
    }
    if (!options.hasSubscription()) this.#track(call);
    const seen: ObservedRead = {
      stream: options.hasStream()
        ? streamNameOf(options.getStream()!.getStreamIdentifier())
        : '$all',
      subscription: options.hasSubscription(),
      requiresLeader: call.metadata.get('requires-leader')[0] === 'true',
      records: 0,
    };
    this.observed.push(seen);
    const onRecord = () => void seen.records++;
    const failed = faultError(context, fault);
    if (failed !== undefined) call.emit('error', failed);
    else if (options.hasSubscription()) subscribeToAll(this.log, options, call);
    else if (options.hasStream()) readStream(this.log, options, call, onRecord);
    else readAll(this.log, options, call, onRecord);
  }
}
