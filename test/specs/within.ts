/** `promise`, or a rejection naming `what` if it has not settled within `ms` (real time). */
export const within = <T>(promise: Promise<T>, ms: number, what: string): Promise<T> => {
  let timeout: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timeout = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timeout));
};
