import type { ServiceError } from '@grpc/grpc-js';
import type { EsdbFault, EsdbFaults } from './esdbFaults.js';
import type { EsdbLog } from './esdbLog.js';
import { RpcErrors } from './esdbWire.js';

/** What the test server's call handlers share. */
export interface EsdbServerContext {
  readonly log: EsdbLog;
  readonly faults: EsdbFaults;
  /** Bytes of one append's events (`MaxAppendSize`, 1 MiB by default on the real server). */
  readonly maxAppendSize: number;
  readonly host: string;
  readonly port: () => number;
  /** Cuts every open connection; the server accepts new ones straight away. */
  dropConnections(): void;
}

/** The error a fault fails a call with, if it is one that only fails the call. */
export const faultError = (
  context: EsdbServerContext,
  fault: EsdbFault | undefined,
): ServiceError | undefined => {
  switch (fault?.kind) {
    case 'not-leader':
      return RpcErrors.notLeader(context.host, context.port());
    case 'deadline-exceeded':
      return RpcErrors.deadlineExceeded();
    case 'unavailable':
      return RpcErrors.unavailable();
    case 'access-denied':
      return RpcErrors.accessDenied();
    case 'drop-connection':
    case 'slow-commit':
    case undefined:
      return undefined;
  }
};
