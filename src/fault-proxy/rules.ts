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
  /** Break only the first `times` requests the rule selects, then let the rest through (`#N`); every one when absent. */
  times?: number;
}

export class FaultRuleError extends Error {
  override name = 'FaultRuleError';
}

/**
 * "stall", "reset@scenario=403-permission_denied", "stall@path=/_provider-states", "non-json@state=token_expired";
 * a trailing "#N" breaks only the first N requests selected ("reset@scenario=404-api_token_not_found#1": a flaky target).
 */
export function parseFaultRule(text: string): FaultRule {
  const hash = text.lastIndexOf('#');
  if (hash === -1) return parseModeAndScope(text);
  const timesText = text.slice(hash + 1).trim();
  if (!/^[1-9]\d*$/.test(timesText)) {
    throw new FaultRuleError(`bad count ${JSON.stringify(timesText)} in ${JSON.stringify(text)}; after # give how many requests to break, a whole number from 1`);
  }
  return { ...parseModeAndScope(text.slice(0, hash)), times: Number(timesText) };
}

function parseModeAndScope(text: string): FaultRule {
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
  return `${rule.mode} on ${scope}${rule.times === undefined ? '' : `, the first ${rule.times === 1 ? 'one' : rule.times} only`}`;
}

/**
 * The first rule whose scope selects this request (the state endpoint only by a path scope),
 * passing over a counted rule (`#N`) that has broken its N requests (`used` says how many it has).
 */
export function ruleFor(rules: readonly FaultRule[], path: string, isState: boolean, attribution: Attribution | undefined, used: (rule: FaultRule) => number = () => 0): FaultRule | undefined {
  return rules.find((r) => {
    if (r.times !== undefined && used(r) >= r.times) return false;
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
