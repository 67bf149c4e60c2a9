/**
 * Starts examples/vendor-mock/server.mjs as a vendor would (`node server.mjs
 * --port 0`) in a child process and reads the URLs it prints.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from '../../src/config/env.ts';

export interface ExampleVendorMock {
  baseUrl: string;
  stateUrl: string;
  stop(): Promise<void>;
}

export const EXAMPLE_VENDOR_MOCK = path.join(REPO_ROOT, 'examples/vendor-mock/server.mjs');

export function startExampleVendorMock(timeoutMs = 30_000): Promise<ExampleVendorMock> {
  const child = spawn(process.execPath, [EXAMPLE_VENDOR_MOCK, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`the example vendor mock printed no URLs within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (d: Buffer) => {
      output += d;
      const baseUrl = /^BASE_URL=(\S+)$/m.exec(output)?.[1];
      const stateUrl = /^STATE_URL=(\S+)$/m.exec(output)?.[1];
      if (baseUrl && stateUrl) {
        clearTimeout(timer);
        child.stdout.off('data', onData);
        child.stdout.resume();
        resolve({ baseUrl, stateUrl, stop });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (d) => (output += d));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the example vendor mock exited (${code}) before printing its URLs:\n${output}`));
    });
  });
}
