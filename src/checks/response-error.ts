/**
 * The checks of an error body: the envelope ERROR_ENVELOPE names, the
 * documented error shape, and the expected code.
 */
import { error, warning, type Finding } from '../model/finding.ts';
import type { Exchange } from '../engine/exchange.ts';
import { isObject } from '../model/json.ts';
import type { CheckContext, Expectation } from './expectation.ts';
import { unwrapError } from './error-body.ts';

/**
 * Unwraps the error object according to ERROR_ENVELOPE. A flat run that meets
 * wrapped bodies (or the reverse) fails with a message that names the setting.
 */
export function checkErrorEnvelope(x: Exchange, ctx: CheckContext): { findings: Finding[]; error?: Record<string, unknown> } {
  const r = x.response!;
  const body = r.json;
  const looksWrapped = unwrapError(body)?.wrapped === true;
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
