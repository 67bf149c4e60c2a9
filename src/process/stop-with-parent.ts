/**
 * The npm scripts' servers (`npm run mock`, `npm run fault-proxy`) stop with
 * whoever started them. `npm run mock &` then `kill $!` signals npm, not the
 * server; npm forwards SIGTERM to its child when it can, but a killed npm
 * (SIGKILL, a closed CI step) leaves the server reparented and serving on its
 * port. So the server watches its parent: once it has been reparented (its
 * parent process is gone), it stops as it would on SIGTERM.
 */

/** Calls `stop` once this process's original parent is gone; returns a function that ends the watch. */
export function stopWithParent(stop: () => void, intervalMs = 100): () => void {
  const original = process.ppid;
  // Started by init itself (a container's first process): there is no parent to outlive.
  if (original <= 1) return () => undefined;
  const timer = setInterval(() => {
    if (process.ppid === original) return;
    clearInterval(timer);
    stop();
  }, intervalMs);
  // The watch alone must not keep the process alive.
  timer.unref();
  return () => clearInterval(timer);
}

/** The line both servers print, so that a user who started one in the background can stop exactly it. */
export function pidLine(): string {
  return `PID=${process.pid} (stop it with kill ${process.pid}, or Ctrl+C)\n`;
}
