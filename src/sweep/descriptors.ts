/**
 * The sweep as operation descriptors: one generated OperationDescriptor per
 * swept operation of the documents under SPECS_DIR, its catalogue the
 * operation's auth_layer scenarios. The engine, the checks, the reporter and
 * the Playwright spec take them like any other operation; the sweep's own
 * rules come in through the descriptor's hooks: skip where no arranged token
 * fits or live mode did not opt in, a critical finding for a 2xx to a
 * mutating request, detail.scopes naming one of the operation's scopes.
 */
import path from 'node:path';
import { REPO_ROOT } from '../config/env.ts';
import type { HttpMethod, OperationDescriptor, Scenario } from '../operations/types.ts';
import type { StateName } from '../protocol/provider-states.ts';
import { sweepCatalogue, SCOPES_RULE, type AuthLayerScenario } from './catalogue.ts';
import { checkNotLetThrough, checkScopesNamed, revealedScopes, scopeMismatch } from './checks.ts';
import { loadAuthLayerOperations } from './load.ts';
import type { AuthLayerOperation } from './operations.ts';

const asSweep = (s: Scenario): AuthLayerScenario | undefined => (s.kind === 'auth_layer' ? (s as AuthLayerScenario) : undefined);

/** Live mode runs the sweep only when asked: it sends ~4 requests per documented operation to the deployment. */
export function sweepUnavailable(config: { mode: string; liveAuthSweep?: boolean }): string | undefined {
  if (config.mode === 'live' && !config.liveAuthSweep) {
    return 'the authentication-layer sweep is opt-in against a live deployment: set LIVE_AUTH_SWEEP=true to send each operation requests without a valid credential (or with a throwaway token lacking its scope), paced by LIVE_REQUESTS_PER_SECOND';
  }
  return undefined;
}

export function sweepDescriptor(op: AuthLayerOperation, catalogue: readonly AuthLayerScenario[]): OperationDescriptor {
  const requestPath = catalogue[0]?.request.path ?? op.path.replace(/^\/+/, '');
  return {
    id: op.id,
    method: op.method as HttpMethod,
    path: op.path,
    title: `${op.method} ${op.path} (authentication layer)`,
    spec: { document: op.document.replace(/^specs\//, ''), operationId: op.id },
    request: {
      path: () => requestPath,
      // The catalogue's bodies are already the harmless placeholders; nothing comes from a state.
      body: (spec) => (spec.kind === 'json' || spec.kind === 'raw' || spec.kind === 'empty' ? spec : { kind: 'none' }),
    },
    catalogue,
    flows: {},
    detailRules: {
      [SCOPES_RULE]: ({ detail, exchange }) =>
        checkScopesNamed(catalogue.find((s) => s.case === 'scope-not-granted')!, { code: 'scope_not_granted', detail }, exchange),
    },
    states: [...new Set(catalogue.map((s) => s.state).filter((s): s is StateName => s !== null))],
    unavailable: sweepUnavailable,
    skipReason: (scenario, state) => {
      const s = asSweep(scenario);
      if (!s) return undefined;
      return s.skip ?? scopeMismatch(s, revealedScopes(state));
    },
    responseChecks: (scenario, response) => {
      const s = asSweep(scenario);
      return s ? checkNotLetThrough(s, response.status, response.label) : [];
    },
  };
}

/** Operations whose own descriptor already holds the sweep's cases: not swept. */
export const OWN_DESCRIPTOR_OPERATIONS: readonly string[] = ['post:api_token_regenerate_secret'];

/** Every swept operation of the documents in `specsDir`, as descriptors, in document order. */
export function sweepDescriptors(specsDir: string, exclude: readonly string[] = OWN_DESCRIPTOR_OPERATIONS): OperationDescriptor[] {
  const ops = loadAuthLayerOperations(specsDir);
  const scenarios = sweepCatalogue(ops, { exclude });
  const byOperation = new Map<string, AuthLayerScenario[]>();
  for (const s of scenarios) byOperation.set(s.operation.id, [...(byOperation.get(s.operation.id) ?? []), s]);
  return ops.filter((op) => byOperation.has(op.id)).map((op) => sweepDescriptor(op, byOperation.get(op.id)!));
}

/** SPECS_DIR as the suite resolves it (default specs/). */
export function specsDirOf(env: NodeJS.ProcessEnv = process.env): string {
  const v = env.SPECS_DIR?.trim();
  return v ? path.resolve(REPO_ROOT, v) : path.join(REPO_ROOT, 'specs');
}

const memo = new Map<string, OperationDescriptor[]>();

/** The run's sweep descriptors (memoised per SPECS_DIR); none when the documents cannot be read (the global setup reports why). */
export function runSweepDescriptors(env: NodeJS.ProcessEnv = process.env): OperationDescriptor[] {
  const dir = specsDirOf(env);
  let found = memo.get(dir);
  if (!found) {
    try {
      found = sweepDescriptors(dir);
    } catch {
      found = [];
    }
    memo.set(dir, found);
  }
  return found;
}
