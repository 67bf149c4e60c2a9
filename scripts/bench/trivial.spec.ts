/** One API request against a local node:http server: the floor any Playwright API suite pays. */
import http from 'node:http';
import { test, expect } from '@playwright/test';

test('one API request', async ({ request }) => {
  const server = http.createServer((_req, res) => res.end('{"ok":true}'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  const res = await request.post(`http://127.0.0.1:${port}/`, { data: { a: 1 } });
  expect(res.status()).toBe(200);
  await new Promise((r) => server.close(r));
});
