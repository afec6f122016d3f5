import { useEffect, useState } from 'preact/hooks';

/** The page's monotonic clock, re-read every second: what live countdowns redraw with. */
export const useTick = (): number => {
  const [now, setNow] = useState(() => performance.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(performance.now()), 1_000);
    return () => clearInterval(timer);
  }, []);
  return now;
};
