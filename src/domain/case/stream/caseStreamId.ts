/** Every case stream is named `case-<case id>`. */
export const CASE_STREAM_PREFIX = 'case-';

/** A case id as it may appear in a stream name and a URL. */
export const CASE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._~-]{0,127}$/;

/** The stream of case `caseId`. */
export const caseStreamId = (caseId: string): string => CASE_STREAM_PREFIX + caseId;

/** Whether `streamId` names a case stream. */
export const isCaseStream = (streamId: string): boolean => streamId.startsWith(CASE_STREAM_PREFIX);

/** The case id of a case stream. */
export const caseIdOf = (streamId: string): string => streamId.slice(CASE_STREAM_PREFIX.length);
