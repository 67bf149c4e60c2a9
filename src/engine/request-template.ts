/**
 * A request as someone can send it again by hand: every credential replaced
 * by a named placeholder whose origin is stated ("$BEARER: the bearer of
 * state token_can_regenerate"), never its value. Built while the engine still
 * knows where each credential came from; the reports turn it into curl.
 */
import type { RequestPlan } from './request-plan.ts';
import type { StateAnswer } from '../protocol/state-answer.ts';
import { MASK } from '../model/redact.ts';

export interface Placeholder {
  /** A shell variable name: BEARER, NEW_SECRET, API_TOKEN_ID, ... */
  name: string;
  /** Where its value comes from, in words. */
  origin: string;
}

export interface RequestTemplate {
  /**
   * Every request header as sent, a credential as `$NAME`. Pairs, not an
   * object: masking by header name would hide the placeholder too.
   */
  headers: [string, string][];
  /** The body as sent (absent: none), the state's token id as `$API_TOKEN_ID`. */
  body?: string;
  placeholders: Placeholder[];
}

export interface TemplateContext {
  state: StateAnswer | null;
  stateName: string | null;
  live: boolean;
  /** Secrets that earlier 2xx answers of this scenario handed out, in order, with the request that got them. */
  issued: { secret: string; request: number; label: string }[];
}

const headerVariable = (header: string) => `STATE_HEADER_${header.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}`;

export function requestTemplate(plan: RequestPlan, sentHeaders: Record<string, string>, body: string | undefined, ctx: TemplateContext): RequestTemplate {
  const placeholders = new Map<string, Placeholder>();
  const use = (name: string, origin: string) => {
    placeholders.set(name, { name, origin });
    return `$${name}`;
  };
  const stateLabel = `state ${ctx.stateName ?? '(none)'}`;
  const fromState = (field: string) =>
    ctx.live ? `the "${field}" of the throwaway token the suite created for ${stateLabel} (deleted after the scenario; create a token as that state describes)` : `the "${field}" field of the setup answer of ${stateLabel}`;

  const bearer = (secret: string): string => {
    if (ctx.state && secret === ctx.state.bearer) return use('BEARER', fromState('bearer'));
    if (ctx.state && secret === ctx.state.secret) return use('SECRET', `${fromState('secret')}: the token's secret before regeneration`);
    const i = ctx.issued.findIndex((x) => x.secret === secret);
    if (i >= 0) {
      const x = ctx.issued[i];
      return use(i === 0 ? 'NEW_SECRET' : `NEW_SECRET_${i + 1}`, `the api_token.secret of the 200 answer to request ${x.request} ("${x.label}")`);
    }
    return use('UNKNOWN_BEARER', 'any token nobody issued (the suite made one up for this run)');
  };

  const headers: [string, string][] = [];
  const set = (name: string, value: string) => headers.push([name, value]);
  for (const [name, value] of Object.entries(sentHeaders)) {
    if (name === 'Authorization') {
      if (plan.auth.kind === 'bearer') set(name, `Bearer ${bearer(plan.auth.secret)}`);
      else if (plan.auth.kind === 'raw') {
        const scheme = /^(\S+)\s/.exec(plan.auth.value)?.[1];
        set(name, scheme ? `${scheme} ${use('CREDENTIALS', `any made-up credentials (the suite sent made-up ones; the scheme is ${scheme})`)}` : use('AUTHORIZATION', 'any Authorization value without the scheme "Bearer"'));
      } else set(name, value);
    } else if (plan.headers && name in plan.headers) {
      set(name, use(headerVariable(name), `the ${name} header of the setup answer of ${stateLabel} (its "headers" field)`));
    } else set(name, value === MASK ? use(headerVariable(name), `the ${name} header the suite sent`) : value);
  }

  let templated = body;
  const id = ctx.state?.api_token?.id;
  if (templated !== undefined && typeof id === 'string' && id !== '') {
    const quoted = JSON.stringify(id);
    if (templated.includes(quoted)) templated = templated.split(quoted).join(`"${use('API_TOKEN_ID', fromState('api_token.id'))}"`);
  }
  return { headers, ...(templated === undefined ? {} : { body: templated }), placeholders: [...placeholders.values()] };
}
