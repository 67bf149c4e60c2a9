/**
 * A reference mock in its live-framework personality, with what the project's
 * tests need to drive the suite's live mode against it: the credentials, an
 * in-process live target for runCatalogue, and the organization's token list
 * through the list operation (as a QA engineer would count it on staging).
 */
import { createMock, type LiveAccount, type Mock, type MockAddress, type MockOptions } from '../../src/mock/server.ts';
import { SecretRegistry } from '../../src/model/redact.ts';
import type { ErrorEnvelope } from '../../src/config/env.ts';
import type { InProcessTarget } from '../../src/runner/run-catalogue.ts';
import { Pacer } from '../../src/engine/pacer.ts';
import { LiveArranger, type LiveArrangerOptions } from '../../src/arrange/live-arranger.ts';
import { newRunId } from '../../src/arrange/live-names.ts';
import { loadSchemas } from '../../src/operations/run-schemas.ts';

export interface LiveTarget {
  mock: Mock;
  address: MockAddress;
  account: LiveAccount;
  /** Environment of a live run against this mock (credentials by sub-domain). */
  env: Record<string, string>;
  /** The organization's tokens (id and name) through the list operation, with the admin token. */
  listTokens(): Promise<{ id: string; name: string }[]>;
  /** Whether the admin token's original secret still authenticates (the list answers 200). */
  adminSecretWorks(): Promise<boolean>;
  /** A live arranger and in-process target against this mock. */
  arranger(options?: Partial<LiveArrangerOptions>, envelope?: ErrorEnvelope): { arranger: LiveArranger; target: InProcessTarget; secrets: SecretRegistry };
  close(): Promise<void>;
}

export async function startLiveTarget(options: MockOptions = {}): Promise<LiveTarget> {
  const mock = createMock({ ...options, personality: 'live' });
  const address = await mock.listen(0, '127.0.0.1');
  const account = mock.live!;
  const list = () =>
    fetch(`${address.baseUrl}/organizations/organization/api_tokens?organization[id]=${account.organization.id}&per_page=200`, {
      headers: { authorization: `Bearer ${account.adminToken}` },
    });
  return {
    mock,
    address,
    account,
    env: {
      BASE_URL: address.baseUrl,
      KATAPULT_API_TOKEN: account.adminToken,
      KATAPULT_ORGANIZATION: account.organization.sub_domain,
    },
    async listTokens() {
      const res = await list();
      if (res.status !== 200) throw new Error(`the token list answered ${res.status}: ${await res.text()}`);
      const body = (await res.json()) as { api_tokens: { id: string; name: string }[] };
      return body.api_tokens.map((t) => ({ id: t.id, name: t.name }));
    },
    async adminSecretWorks() {
      const res = await list();
      await res.arrayBuffer();
      return res.status === 200;
    },
    arranger(overrides = {}, envelope = 'wrapped') {
      const secrets = new SecretRegistry();
      const arranger = new LiveArranger({
        baseUrl: address.baseUrl,
        credentials: { token: account.adminToken, organization: account.organization.sub_domain },
        secrets,
        timeoutMs: 5000,
        pacer: new Pacer(1000),
        runId: newRunId(),
        burst: false,
        burstMax: 1000,
        ...overrides,
      });
      const target: InProcessTarget = {
        baseUrl: address.baseUrl,
        mode: 'live',
        envelope,
        requestTimeoutMs: 5000,
        schemas: loadSchemas(),
        secrets,
        arranger,
        pace: arranger.pace,
        guard: arranger.guard,
      };
      return { arranger, target, secrets };
    },
    close: () => mock.close(),
  };
}
