/**
 * The checks every response of every scenario goes through. Each check is a
 * small named function that returns findings; its name is its id in reports.
 * None of them throws or calls `expect`.
 */
import { error, warning, type Finding } from '../model/finding.ts';
import type { ErrorEnvelope } from '../config/env.ts';
import type { Exchange } from '../engine/exchange.ts';
import type { SecretRegistry } from '../model/redact.ts';
import { checkDetailRules, type DetailRule } from './detail.ts';
import { isObject } from '../model/json.ts';
import { checkNoSecretInHeaders } from './header-secrets.ts';
import { checkUtf8 } from './utf8.ts';

/** What the checks need of the schema validator (src/schema/validator.ts). */
export interface SchemaJudge {
  documentedStatuses(operationId: string): number[];
  variants(operationId: string, status: number): { code: string; title: string }[];
  /** Every code a status's body may carry (its variants' codes, or a plain error body's fixed code). */
  codes(operationId: string, status: number): string[];
  validate(operationId: string, status: number, body: unknown, exchange?: string): Finding[];
  undocumentedFields(operationId: string, status: number, body: unknown, exchange?: string): Finding[];
}

export interface CheckContext {
  operationId: string;
  /** The operation's detail rules, by the names scenarios use (OperationDescriptor.detailRules). */
  detailRules?: Readonly<Record<string, DetailRule>>;
  schemas: SchemaJudge;
  envelope: ErrorEnvelope;
  secrets: SecretRegistry;
}

export interface Expectation {
  /** Statuses that pass; empty means "any documented status" (follow-up calls judged only by their own rules). */
  statuses: number[];
  /** The code that passes outright. */
  code?: string;
  /** When true, another code on an accepted status is a warning, not a failure (bad input). */
  otherCodesWarn?: boolean;
  /** With otherCodesWarn: the status that passes without a warning (422 for bad input). */
  preferredStatus?: number;
  /** Statuses that must not come back (for follow-up calls: "not 400 missing_api_token"). */
  forbidden?: { status: number; code: string }[];
  /** Names of the operation's detail rules (CheckContext.detailRules), checked when the expected code came back. */
  detailRules?: string[];
  /** Values from the state that detail rules compare with. */
  state?: { total_permitted?: unknown };
}

export interface ResponseVerdict {
  findings: Finding[];
  /** The error object after unwrapping the configured envelope (errors only). */
  error?: { code?: unknown; description?: unknown; detail?: unknown };
  /** The parsed body, when it parsed. */
  body?: unknown;
}

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
  const code = codeOf(x.response!.json);
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

const codeOf = (body: unknown): string | undefined => {
  if (!isObject(body)) return undefined;
  if (typeof body.code === 'string') return body.code;
  if (isObject(body.error) && typeof body.error.code === 'string') return body.error.code;
  return undefined;
};

/**
 * Unwraps the error object according to ERROR_ENVELOPE. A flat run that meets
 * wrapped bodies (or the reverse) fails with a message that names the setting.
 */
export function checkErrorEnvelope(x: Exchange, ctx: CheckContext): { findings: Finding[]; error?: Record<string, unknown> } {
  const r = x.response!;
  const body = r.json;
  const looksWrapped = isObject(body) && isObject(body.error) && !('code' in body);
  if (ctx.envelope === 'flat') {
    if (looksWrapped) {
      return {
        findings: [
          error(
            'error_envelope',
            `the error body is wrapped as {"error": {...}} (the vendor's live framework style) but ERROR_ENVELOPE=flat expects the documented flat {"code", "description", "detail"}; if the target wraps errors on purpose, run with ERROR_ENVELOPE=wrapped`,
            { expected: 'flat error body', actual: 'wrapped error body', exchange: x.label },
          ),
        ],
      };
    }
    return { findings: [], error: isObject(body) ? body : undefined };
  }
  // wrapped
  if (!looksWrapped) {
    return {
      findings: [
        error(
          'error_envelope',
          `ERROR_ENVELOPE=wrapped expects error bodies as {"error": {"code", "description", "detail"}}, but this one is not wrapped; if the target sends the documented flat bodies, run with ERROR_ENVELOPE=flat`,
          { expected: 'wrapped error body', actual: isObject(body) ? `object with keys ${Object.keys(body).join(', ') || '(none)'}` : typeof body, exchange: x.label },
        ),
      ],
    };
  }
  const findings: Finding[] = [];
  if (r.headers['x-api-schema'] !== 'json-error') {
    findings.push(
      warning('error_envelope_header', `a wrapped error came without the header x-api-schema: json-error (received ${r.headers['x-api-schema'] === undefined ? 'no such header' : `"${r.headers['x-api-schema']}"`})`, {
        exchange: x.label,
      }),
    );
  }
  return { findings, error: (body as { error: Record<string, unknown> }).error };
}

/** The generic error shape: what "a JSON error body of the documented error shape" means for any code. */
export function checkErrorShape(errorBody: Record<string, unknown>, exchange: string): Finding[] {
  const out: Finding[] = [];
  if (typeof errorBody.code !== 'string') out.push(error('error_shape', 'the error body has no string "code"', { instancePath: '/code', actual: errorBody.code ?? null, exchange }));
  if (typeof errorBody.description !== 'string')
    out.push(error('error_shape', 'the error body has no string "description"', { instancePath: '/description', actual: errorBody.description ?? null, exchange }));
  if (!isObject(errorBody.detail)) out.push(error('error_shape', 'the error body\'s "detail" is not an object', { instancePath: '/detail', actual: errorBody.detail ?? null, exchange }));
  return out;
}

export function checkErrorCode(status: number, errorBody: Record<string, unknown>, exp: Expectation, ctx: CheckContext, exchange: string): Finding[] {
  if (!exp.code || !exp.statuses.includes(status)) return [];
  const code = errorBody.code;
  if (code === exp.code && (exp.preferredStatus === undefined || status === exp.preferredStatus)) return [];
  if (exp.otherCodesWarn) {
    const expected = `${exp.preferredStatus ?? ''} ${exp.code}`.trim();
    return [warning('error_code', `refused with ${status} ${String(code)}, not the ${expected} this operation documents for bad input; accepted with a warning`, { expected, actual: `${status} ${String(code)}`, exchange })];
  }
  const documented = ctx.schemas.codes(ctx.operationId, status);
  return [
    error('error_code', `expected code ${exp.code}, received ${code === undefined ? 'no code' : JSON.stringify(code)}${documented.length > 1 ? ` (documented for ${status}: ${documented.join(', ')})` : ''}`, {
      expected: exp.code,
      actual: code ?? null,
      instancePath: '/code',
      exchange,
    }),
  ];
}

export function checkNoSecretInError(x: Exchange, ctx: CheckContext): Finding[] {
  const r = x.response!;
  if (r.status < 400) return [];
  // The raw text and the parsed strings: a secret echoed with JSON escapes
  // (\/ for /, \u0041 for A) only shows in the latter.
  const found = [...new Set([...ctx.secrets.findIn(r.text), ...ctx.secrets.findIn(stringsOf(r.json).join('\n'))])];
  if (found.length === 0) return [];
  return [
    error('no_secret_in_error', `the error body contains ${found.length === 1 ? 'a secret' : `${found.length} secrets`} the suite holds (masked here); error bodies must never echo credentials`, {
      expected: 'no credential in the error body',
      actual: 'a credential the suite holds',
      instancePath: pathOfSecret(r.json, found),
      exchange: x.label,
    }),
  ];
}

/** Every string (keys included) of a parsed JSON value. */
function stringsOf(value: unknown, out: string[] = [], depth = 0): string[] {
  if (typeof value === 'string') out.push(value);
  else if (value !== null && typeof value === 'object' && depth < 32) {
    for (const [k, v] of Object.entries(value)) {
      out.push(k);
      stringsOf(v, out, depth + 1);
    }
  }
  return out;
}

/** JSON pointer of the first string that contains one of the secrets, if the body is JSON. */
function pathOfSecret(value: unknown, secrets: string[], at = ''): string | undefined {
  if (typeof value === 'string') return secrets.some((s) => value.includes(s)) ? at || '/' : undefined;
  if (value === null || typeof value !== 'object') return undefined;
  for (const [k, v] of Object.entries(value)) {
    const found = pathOfSecret(v, secrets, `${at}/${k}`);
    if (found) return found;
  }
  return undefined;
}

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
    if (r.status === f.status && codeOf(r.json) === f.code)
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
