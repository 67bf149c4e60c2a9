/**
 * Extra rules on an error's `detail` object. The rules themselves belong to
 * an operation (its descriptor's `detailRules`, e.g.
 * src/operations/regenerate-secret/detail-rules.ts); scenarios name them.
 */
import { error, type Finding } from '../model/finding.ts';
import { isObject } from '../model/json.ts';

/** What a detail rule sees: the error's `detail` object, and the state's values it may compare with. */
export interface DetailRuleInput {
  detail: Record<string, unknown>;
  state?: { total_permitted?: unknown };
  /** The label of the request, for the findings. */
  exchange: string;
}

/** An extra rule on an error's `detail`; returns its findings (empty when it holds). */
export type DetailRule = (input: DetailRuleInput) => Finding[];

/** Runs the named rules; a name the operation does not define fails, so a typo cannot pass silently. */
export function checkDetailRules(
  errorBody: Record<string, unknown>,
  exp: { detailRules?: string[]; state?: DetailRuleInput['state'] },
  rules: Readonly<Record<string, DetailRule>>,
  exchange: string,
): Finding[] {
  const detail = isObject(errorBody.detail) ? errorBody.detail : {};
  const out: Finding[] = [];
  for (const name of exp.detailRules ?? []) {
    const rule = Object.prototype.hasOwnProperty.call(rules, name) ? rules[name] : undefined;
    if (!rule) {
      out.push(error('detail_rule', `the scenario names the detail rule "${name}", which its operation does not define`, { exchange }));
      continue;
    }
    out.push(...rule({ detail, state: exp.state, exchange }));
  }
  return out;
}
