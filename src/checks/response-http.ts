/**
 * The checks of a response as HTTP: it came, with a documented and the
 * expected status, as JSON of a size the suite reads.
 */
import { error, type Finding } from '../model/finding.ts';
import type { Exchange } from '../engine/exchange.ts';
import type { CheckContext, Expectation } from './expectation.ts';
import { errorCodeOf } from './error-body.ts';

const fmtStatuses = (s: number[]) => s.join(', ');

export function checkTransport(x: Exchange): Finding[] {
  return x.transportError
    ? [error('transport', `no HTTP response to "${x.label}": ${x.transportError}`, { exchange: x.label })]
    : [];
}

export function checkStatusDocumented(x: Exchange, ctx: CheckContext): Finding[] {
  const documented = ctx.schemas.documentedStatuses(ctx.operationId);
  const status = x.response!.status;
  if (documented.includes(status)) return [];
  const location = x.response!.headers.location;
  const redirect =
    status >= 300 && status < 400
      ? ` (a redirect${location ? ` to ${location}` : ' without a Location'}; the suite does not follow redirects: point BASE_URL at the address that answers)`
      : '';
  return [
    error('status_documented', `Received: ${status}${redirect} / Documented: ${fmtStatuses(documented)}`, {
      expected: documented,
      actual: status,
      exchange: x.label,
    }),
  ];
}

export function checkStatusExpected(x: Exchange, exp: Expectation): Finding[] {
  const status = x.response!.status;
  if (exp.statuses.length === 0 || exp.statuses.includes(status)) return [];
  const code = errorCodeOf(x.response!.json);
  return [
    error(
      'status_expected',
      `expected status ${exp.statuses.join(' or ')}${exp.code ? ` (${exp.code})` : ''}, received ${status}${code ? ` (${code})` : ''}`,
      { expected: exp.statuses.length === 1 ? exp.statuses[0] : exp.statuses, actual: status, exchange: x.label },
    ),
  ];
}

export function checkContentType(x: Exchange): Finding[] {
  const ct = x.response!.headers['content-type'];
  const mediaType = ct?.split(';')[0].trim().toLowerCase();
  if (mediaType === 'application/json') return [];
  return [
    error('content_type', `expected Content-Type application/json, received ${ct === undefined ? 'no Content-Type header' : `"${ct}"`}`, {
      expected: 'application/json',
      actual: ct ?? null,
      exchange: x.label,
    }),
  ];
}

export function checkBodySize(x: Exchange): Finding[] {
  const o = x.response!.oversize;
  if (!o) return [];
  return [
    error('body_size', `${o.atLeast ? `the response body is larger than the ${o.limit} bytes the suite reads` : `the response body is ${o.bytes} bytes, more than the ${o.limit} bytes the suite reads`} (every documented answer is a small JSON object); it was not read or judged`, {
      expected: `at most ${o.limit} bytes`,
      actual: `${o.atLeast ? 'more than ' : ''}${o.bytes} bytes`,
      exchange: x.label,
    }),
  ];
}

export function checkJsonBody(x: Exchange): Finding[] {
  const r = x.response!;
  if (r.jsonError === undefined) return [];
  const preview = r.text.length > 120 ? `${r.text.slice(0, 120)}…` : r.text;
  return [
    error('json_body', `the body is not JSON (${r.jsonError})`, {
      expected: 'a JSON document',
      actual: preview,
      exchange: x.label,
    }),
  ];
}
