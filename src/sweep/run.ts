/**
 * Runs one scenario of the authentication-layer sweep: one request, without a
 * valid credential (or with a state's token lacking the operation's scopes),
 * carrying only placeholders; the response goes through every check of
 * src/checks/response.ts against THAT operation's derived schemas, and the
 * sweep's own (critical 2xx, detail.scopes).
 */
import { randomUUID } from 'node:crypto';
import { checkResponse, type CheckContext } from '../checks/response.ts';
import { send, toRecord, type Auth, type RequestBody } from '../engine/exchange.ts';
import { SafetyGuardError, type EngineContext, type ScenarioResult } from '../engine/run-scenario.ts';
import type { StateAnswer } from '../states/arranger.ts';
import type { AuthLayerScenario } from './catalogue.ts';
import { checkNotLetThrough, checkScopesNamed, revealedScopes, scopeMismatch } from './checks.ts';

const BASIC = `Basic ${Buffer.from('conformance:not-a-bearer-token').toString('base64')}`;

/** The request's credentials for a case; every value is registered mask-only before it is sent. */
function credentials(s: AuthLayerScenario, state: StateAnswer | null, ctx: EngineContext): { auth: Auth; headers?: Record<string, string> } {
  switch (s.case) {
    case 'no-authorization':
      return { auth: { kind: 'none' } };
    case 'non-bearer-scheme':
      ctx.secrets.add(BASIC, 'mask-only');
      return { auth: { kind: 'raw', value: BASIC } };
    case 'unknown-bearer': {
      const secret = `conformance-unknown-${randomUUID()}`;
      ctx.secrets.add(secret, 'mask-only');
      return { auth: { kind: 'bearer', secret } };
    }
    case 'scope-not-granted':
      return { auth: { kind: 'bearer', secret: state!.bearer }, headers: state!.headers };
  }
}

/** Why a scenario cannot run with this state answer (a skip, with the reason), or undefined. */
export function sweepSkipReason(s: AuthLayerScenario, state: StateAnswer | null): string | undefined {
  if (s.skip) return s.skip;
  return scopeMismatch(s, revealedScopes(state));
}

export async function runAuthLayerScenario(s: AuthLayerScenario, state: StateAnswer | null, ctx: EngineContext): Promise<ScenarioResult> {
  const skip = sweepSkipReason(s, state);
  if (skip) return { id: s.id, outcome: 'skipped', findings: [], exchanges: [], reason: skip };
  const { auth, headers } = credentials(s, state, ctx);
  const body: RequestBody = s.request.body === undefined ? { kind: 'none' } : { kind: 'json', value: s.request.body };
  const label = `${s.operation.method} ${s.operation.path}`;
  const refusal = ctx.guard?.({ auth, body });
  if (refusal !== undefined) throw new SafetyGuardError(ctx.secrets.redactText(refusal));
  if (ctx.pace) await ctx.pace();
  const x = await send({ label, auth, headers, body }, { baseUrl: ctx.baseUrl, path: s.request.path, method: s.operation.method, timeoutMs: ctx.requestTimeoutMs });
  const checkCtx: CheckContext = { operationId: s.operation.id, schemas: ctx.schemas, envelope: ctx.envelope, secrets: ctx.secrets };
  const verdict = checkResponse(x, { statuses: [s.status], code: s.variant }, checkCtx);
  const findings = [...verdict.findings, ...checkNotLetThrough(s, x.response?.status, label)];
  if (x.response?.status === s.status) findings.push(...checkScopesNamed(s, verdict.error, label));
  // The critical finding first: it is what a reader must see.
  findings.sort((a, b) => Number(b.critical === true) - Number(a.critical === true));
  const failed = findings.some((f) => f.severity === 'error');
  // As in every scenario: against a real deployment a shared rate limit can
  // answer anything with 429; that spoils the scenario, it does not fail it.
  const json = x.response?.json as { code?: unknown; error?: { code?: unknown } } | undefined;
  const rateLimited = x.response?.status === 429 && (json?.code === 'rate_limit_reached' || json?.error?.code === 'rate_limit_reached');
  const spoiled = rateLimited && (ctx.mode === 'live' || ctx.mode === 'base-only') && !findings.some((f) => f.critical);
  return {
    id: s.id,
    outcome: spoiled ? 'inconclusive' : failed ? 'failed' : 'passed',
    ...(spoiled ? { reason: `"${label}" met 429 rate_limit_reached: the target's shared rate limit spoiled this scenario, so it proves nothing either way` } : {}),
    findings: ctx.secrets.redact(findings),
    exchanges: [toRecord(x, ctx.secrets)],
  };
}
