/**
 * The checks every response of every scenario goes through. Each check is a
 * small named function that returns findings; its name is its id in reports.
 * None of them throws or calls `expect`. The checks live by what they judge:
 * response-http.ts (status, type, size, JSON), response-error.ts (envelope,
 * shape, code), error-secrets.ts, header-secrets.ts, utf8.ts, detail.ts.
 */
import { error, type Finding } from '../model/finding.ts';
import type { Exchange } from '../engine/exchange.ts';
import { checkDetailRules } from './detail.ts';
import { checkNoSecretInHeaders } from './header-secrets.ts';
import { checkUtf8 } from './utf8.ts';
import type { CheckContext, Expectation, ResponseVerdict } from './expectation.ts';
import { checkBodySize, checkContentType, checkJsonBody, checkStatusDocumented, checkStatusExpected, checkTransport } from './response-http.ts';
import { checkErrorCode, checkErrorEnvelope, checkErrorShape } from './response-error.ts';
import { checkNoSecretInError } from './error-secrets.ts';
import { errorCodeOf } from './error-body.ts';

export type { CheckContext, Expectation, ResponseVerdict, SchemaJudge } from './expectation.ts';

/**
 * Runs every check that applies to one response, in order; later checks are
 * skipped when an earlier one makes them meaningless (no response, no JSON).
 */
export function checkResponse(x: Exchange, exp: Expectation, ctx: CheckContext): ResponseVerdict {
  const transport = checkTransport(x);
  if (transport.length) return { findings: transport };
  const r = x.response!;
  const findings: Finding[] = [
    ...checkStatusDocumented(x, ctx),
    ...checkStatusExpected(x, exp),
    ...checkContentType(x),
    ...checkUtf8(x),
    ...checkNoSecretInError(x, ctx),
    ...checkNoSecretInHeaders(x, ctx.secrets.judgedCredentials()),
  ];
  const size = checkBodySize(x);
  if (size.length) return { findings: [...findings, ...size] };
  const json = checkJsonBody(x);
  if (json.length) return { findings: [...findings, ...json] };

  for (const f of exp.forbidden ?? []) {
    if (r.status === f.status && errorCodeOf(r.json) === f.code)
      findings.push(error('status_forbidden', `received ${f.status} ${f.code}, which this call must not get`, { actual: `${f.status} ${f.code}`, exchange: x.label }));
  }

  const documented = ctx.schemas.documentedStatuses(ctx.operationId).includes(r.status);
  if (r.status < 400) {
    if (documented) {
      findings.push(...ctx.schemas.validate(ctx.operationId, r.status, r.json, x.label));
      findings.push(...ctx.schemas.undocumentedFields(ctx.operationId, r.status, r.json, x.label));
    }
    return { findings, body: r.json };
  }

  const env = checkErrorEnvelope(x, ctx);
  findings.push(...env.findings);
  if (!env.error) return { findings, body: r.json };
  const errorBody = env.error;
  if (documented) {
    const documentedCodes = ctx.schemas.codes(ctx.operationId, r.status);
    const undocumentedCodeAllowed = exp.otherCodesWarn && exp.statuses.includes(r.status) && typeof errorBody.code === 'string' && !documentedCodes.includes(errorBody.code);
    if (undocumentedCodeAllowed) {
      // Bad input refused with a code the operation does not list (the live
      // framework's invalid_argument): the shape is judged, the code warned about.
      findings.push(...checkErrorShape(errorBody, x.label));
    } else {
      findings.push(...ctx.schemas.validate(ctx.operationId, r.status, errorBody, x.label));
      findings.push(...ctx.schemas.undocumentedFields(ctx.operationId, r.status, errorBody, x.label));
    }
  } else {
    findings.push(...checkErrorShape(errorBody, x.label));
  }
  findings.push(...checkErrorCode(r.status, errorBody, exp, ctx, x.label));
  if (exp.statuses.includes(r.status) && errorBody.code === exp.code) findings.push(...checkDetailRules(errorBody, exp, ctx.detailRules ?? {}, x.label));
  return { findings, error: errorBody, body: r.json };
}
