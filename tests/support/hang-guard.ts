/**
 * The one time limit the project's tests know: a guard that only catches a
 * hang. A test means "it ends by itself and does the right thing"; on a busy
 * machine that may take many times longer than on an idle one, so nothing in
 * tests/ compares a duration with anything tighter than this. How fast things
 * are is a figure of `npm run bench` / `npm run reliability`.
 */
export const HANG_GUARD_MS = 60_000;

/** Resolves as `p` does, or rejects naming `what` when it is still pending after the guard: a hang. */
export async function withHangGuard<T>(p: Promise<T>, what: string, ms = HANG_GUARD_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: still pending after ${ms} ms (a hang)`)), ms)));
  try {
    return await Promise.race([p, guard]);
  } finally {
    clearTimeout(timer);
  }
}
