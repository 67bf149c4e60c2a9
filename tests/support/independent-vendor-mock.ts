/**
 * An independent vendor mock, written only from the public contract
 * (docs/conformance-contract.md) and the API documentation page, without
 * looking at the project's reference mock. It deliberately makes different,
 * equally valid choices, so that a run of the suite against it proves the
 * suite judges the contract and not one implementation:
 *
 * - base path `/api/core/v1`, provider states at `/pact/provider-states`;
 * - short numeric-looking string ids ("4711") and 40-hex-digit secrets;
 * - `token_can_regenerate` is self-regeneration: the bearer IS the token's own
 *   secret, so the bearer stops working once the secret is regenerated;
 * - `scope_not_granted` names the scope in its OAuth2 form
 *   (`api.katapult.io/core/v1/api_tokens`);
 * - `detail.ip_address` is the caller as a dual-stack socket reports it,
 *   the IPv4-mapped IPv6 form `::ffff:127.0.0.1`;
 * - capabilities tokens travel in `X-Katapult-Capabilities`, announced through
 *   the states' `headers` (optional on a request; when present it must be valid);
 * - `organization_id: null` and `expires_at: null` (a token that never expires);
 * - undocumented extra fields: `created_at` and `last_used_at` in the token,
 *   `retry_after` at the top of the 503 body, `resets_at` in the 429 detail;
 * - `Content-Type: application/json` with no charset parameter;
 * - bad input: 422 `validation_error` with `detail.errors`, except a body that
 *   is not JSON, which is a 400 `bad_request` in the documented error shape;
 * - a real per-token, per-minute rate limit, and teardown that deletes what its
 *   setup created.
 *
 * `startIndependentMock({ bug })` plants a single deliberate contract violation.
 * `tokenCount()` tells how many tokens the mock still holds (teardown removes
 * what its setup created).
 * No imports from src/: this file (with its parts in independent-vendor-mock/:
 * store.ts, http.ts, regenerate.ts, provider-states.ts) stands on its own like
 * a vendor's would.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody, send } from './independent-vendor-mock/http.ts';
import { providerState } from './independent-vendor-mock/provider-states.ts';
import { regenerate, type IndependentMockBug } from './independent-vendor-mock/regenerate.ts';
import { BASE_PATH, createStore, OPERATION, STATE_PATH } from './independent-vendor-mock/store.ts';

export type { IndependentMockBug } from './independent-vendor-mock/regenerate.ts';

export interface IndependentMockOptions {
  bug?: IndependentMockBug;
}

export interface IndependentMock {
  baseUrl: string;
  stateUrl: string;
  close(): Promise<void>;
  /** How many tokens the mock still holds (teardown removes what setup created). */
  tokenCount(): number;
}

export async function startIndependentMock(options: IndependentMockOptions = {}): Promise<IndependentMock> {
  const bug = options.bug;
  const store = createStore();

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const handle = async () => {
      if (path === OPERATION && req.method === 'POST') return regenerate(store, bug, req, res);
      if (path === STATE_PATH && req.method === 'POST') return providerState(store, req, res);
      await readBody(req);
      return send(res, 404, { code: 'route_not_found', description: 'No route matches this request', detail: {} });
    };
    handle().catch((e) => {
      if (!res.headersSent) send(res, 500, { code: 'internal_error', description: String(e), detail: {} });
      else res.destroy();
    });
  });
  // Node's 5 s default races the client's keep-alive reuse on a starved machine:
  // the client sends on a connection the server has just closed (a "reset"
  // that no vendor would see from a real network). close() drops idle ones.
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    baseUrl: `${origin}${BASE_PATH}`,
    stateUrl: `${origin}${STATE_PATH}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
    tokenCount: () => store.tokens.size,
  };
}
