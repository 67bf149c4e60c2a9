/**
 * Hints for the usual configuration mistakes (issue 8 §9): when every
 * operation request of a run was answered with 404, or all with one same
 * status the operation does not document, the fault is almost surely the
 * setting that points at the target, not the target's conformance. Said
 * once, naming the setting, instead of one failure block per scenario
 * leaving the reader to guess.
 */
import type { RunModel } from './model.ts';

/** Fewer answers than this prove nothing about the URL. */
const MIN_ANSWERS = 3;

export function configurationHints(model: Pick<RunModel, 'scenarios' | 'matrix' | 'target'>): string[] {
  const statuses = model.scenarios.flatMap((s) => s.exchanges.map((x) => x.status));
  if (statuses.length < MIN_ANSWERS || statuses.some((s) => s === undefined)) return [];
  const distinct = new Set(statuses);
  if (distinct.size !== 1) return [];
  const status = statuses[0]!;
  // Only when scenarios expected something else: a catalogue of 404s would be right.
  const expected = new Set(model.scenarios.filter((s) => s.exchanges.length).map((s) => s.status));
  if (expected.size === 1 && expected.has(status)) return [];
  const documented = new Set(model.matrix.map((r) => r.status));
  if (status !== 404 && documented.has(status)) return [];
  const base = model.target.baseUrl ?? '(the configured BASE_URL)';
  const n = statuses.length;
  if (model.target.mode === 'bundled') return [];
  if (status === 404) {
    return [
      `BASE_URL=${base} answered 404 to every one of the ${n} operation requests: does it include the API's base path (/core/v1 for the vendor's API)? The suite sends POST {BASE_URL}/api_tokens/api_token/regenerate_secret.`,
    ];
  }
  return [
    `BASE_URL=${base} answered ${status}, a status the operation does not document, to every one of the ${n} operation requests: is it the API's base (including /core/v1), and is the server there the API and not a proxy, a login page or another service?`,
  ];
}
