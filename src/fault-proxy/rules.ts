/**
 * The fault proxy's rules: a mode (how the transport is broken) and a scope
 * (which requests), parsed from `MODE[@SCOPE]`, and the first rule that
 * selects a request.
 */
import type { Attribution } from './attributions.ts';

export const FAULT_MODES = {
  stall: 'accept the request and never answer (until the client gives up, or --max-stall-ms)',
  'non-json': 'forward, then answer the target\'s status with an HTML page (Content-Type text/html) instead of its body',
  'huge-body': 'forward, then answer the target\'s status with a JSON body of --huge-bytes bytes (default 50 MiB)',
  reset: 'reset the connection (TCP RST) without answering',
  redirect: 'answer 307 Temporary Redirect to another path of this proxy, without forwarding',
} as const;

export type FaultMode = keyof typeof FAULT_MODES;
export const FAULT_MODE_NAMES = Object.keys(FAULT_MODES) as FaultMode[];

export type FaultScope = { kind: 'all' } | { kind: 'path'; prefix: string } | { kind: 'state'; name: string } | { kind: 'scenario'; id: string };

export interface FaultRule {
  mode: FaultMode;
  scope: FaultScope;
}

export class FaultRuleError extends Error {
  override name = 'FaultRuleError';
}

/** "stall", "reset@scenario=403-permission_denied", "stall@path=/_provider-states", "non-json@state=token_expired". */
export function parseFaultRule(text: string): FaultRule {
  const [modeText, scopeText] = text.split('@', 2) as [string, string | undefined];
  const mode = modeText.trim();
  if (!(FAULT_MODE_NAMES as string[]).includes(mode)) {
    throw new FaultRuleError(`unknown fault mode ${JSON.stringify(mode)}; known: ${FAULT_MODE_NAMES.join(', ')}`);
  }
  if (scopeText === undefined || scopeText.trim() === 'all') return { mode: mode as FaultMode, scope: { kind: 'all' } };
  const eq = scopeText.indexOf('=');
  const kind = eq === -1 ? scopeText : scopeText.slice(0, eq);
  const value = eq === -1 ? '' : scopeText.slice(eq + 1);
  if (value === '' || !['path', 'state', 'scenario'].includes(kind)) {
    throw new FaultRuleError(`bad scope ${JSON.stringify(scopeText)} in ${JSON.stringify(text)}; use all, path=PREFIX, state=NAME or scenario=ID`);
  }
  if (kind === 'path') return { mode: mode as FaultMode, scope: { kind: 'path', prefix: value.startsWith('/') ? value : `/${value}` } };
  if (kind === 'state') return { mode: mode as FaultMode, scope: { kind: 'state', name: value } };
  return { mode: mode as FaultMode, scope: { kind: 'scenario', id: value } };
}

export function describeRule(rule: FaultRule): string {
  const s = rule.scope;
  const scope = s.kind === 'all' ? 'every request except the state endpoint' : s.kind === 'path' ? `paths starting with ${s.prefix}` : s.kind === 'state' ? `requests of state ${s.name}` : `requests of scenario ${s.id}`;
  return `${rule.mode} on ${scope}`;
}

/** The first rule whose scope selects this request (the state endpoint only by a path scope). */
export function ruleFor(rules: readonly FaultRule[], path: string, isState: boolean, attribution: Attribution | undefined): FaultRule | undefined {
  return rules.find((r) => {
    switch (r.scope.kind) {
      case 'all':
        return !isState;
      case 'path':
        return path.startsWith(r.scope.prefix);
      case 'state':
        return !isState && attribution?.state === r.scope.name;
      case 'scenario':
        return !isState && attribution !== undefined && (attribution.instance === r.scope.id || attribution.instance.startsWith(`${r.scope.id}-`));
    }
  });
}
