/**
 * What the real suite runs of this folder share: a stack-frame pattern, the report files, a throwaway HTTP server.
 */
import http from 'node:http';

/** A line that is a stack frame ("    at fn (file.ts:12:3)"). */
export const STACK_FRAME = /^\s+at .+(\(.+:\d+:\d+\)|:\d+:\d+)$/m;

export const REPORT_FILES = ['conformance.html', 'conformance.json', 'junit.xml', 'playwright/index.html'];

export async function listen(handler: http.RequestListener, onConnection?: (s: import('node:net').Socket) => void): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(handler);
  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    onConnection?.(s);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as import('node:net').AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
