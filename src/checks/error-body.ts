/**
 * The error object of a body in either envelope: the documented flat
 * {"code", "description", "detail"}, or the live framework's wrapped
 * {"error": {...}}. One reading for the checks, the engine and live mode;
 * which envelope a run expects (ERROR_ENVELOPE) is judged in response-error.ts.
 */
import { isObject } from '../model/json.ts';

/** The error object and whether it came wrapped; undefined when the body is no JSON object. */
export function unwrapError(body: unknown): { wrapped: boolean; error: Record<string, unknown> } | undefined {
  if (!isObject(body)) return undefined;
  const wrapped = isObject(body.error) && !('code' in body);
  return { wrapped, error: wrapped ? (body.error as Record<string, unknown>) : body };
}

/** The error's fields, each only when it has the type the contract gives it (detail as found). */
export function errorOf(body: unknown): { code?: string; description?: string; detail?: unknown } | undefined {
  const inner = unwrapError(body)?.error;
  if (!inner) return undefined;
  return { code: typeof inner.code === 'string' ? inner.code : undefined, description: typeof inner.description === 'string' ? inner.description : undefined, detail: inner.detail };
}

/** The error code of a body in either envelope, when it is a string. */
export const errorCodeOf = (body: unknown): string | undefined => errorOf(body)?.code;
