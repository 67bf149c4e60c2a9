/**
 * Starts a reference mock (optionally with faults) on a free loopback port and
 * returns an in-process target for runCatalogue.
 */
import { createMock, type Mock, type MockOptions } from '../../src/mock/server.ts';
import { SecretRegistry } from '../../src/model/redact.ts';
import { ProviderStateArranger } from '../../src/arrange/provider-state-arranger.ts';
import { NoStateArranger } from '../../src/arrange/arranger.ts';
import type { InProcessTarget } from '../../src/runner/run-catalogue.ts';
import type { ErrorEnvelope } from '../../src/config/env.ts';
import { loadSchemas } from '../../src/operations/run-schemas.ts';

const schemas = loadSchemas();

export interface StartedTarget {
  mock: Mock;
  target: InProcessTarget;
  close(): Promise<void>;
}

export async function startMockTarget(options: MockOptions = {}, envelope: ErrorEnvelope = 'flat', withStates = true): Promise<StartedTarget> {
  const mock = createMock(options);
  const address = await mock.listen(0, '127.0.0.1');
  const secrets = new SecretRegistry();
  const target: InProcessTarget = {
    baseUrl: address.baseUrl,
    mode: withStates ? 'state' : 'base-only',
    envelope,
    requestTimeoutMs: 5000,
    schemas,
    secrets,
    arranger: withStates ? new ProviderStateArranger(address.stateUrl, secrets, 5000) : new NoStateArranger(),
  };
  return { mock, target, close: () => mock.close() };
}
