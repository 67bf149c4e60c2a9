/**
 * The ResponseValidator: what the checks ask of the derived schemas of an
 * operation (its documented statuses, variants and codes), and the validation
 * of a body against the schema of its status. Validators are compiled once
 * and cached; Ajv errors become Findings in ajv-findings.ts.
 */
import type { ValidateFunction } from 'ajv';
import type { Finding } from '../model/finding.ts';
import { ajv, allowUnknownFormats } from './ajv.ts';
import { ajvErrorsToFindings } from './ajv-findings.ts';
import type { JSONSchema, Variant } from './json-schema.ts';
import type { SchemaSet, SchemaSetOperation, SchemaSetResponse } from './schema-set.ts';
import { undocumentedFieldFindings } from './undocumented-fields.ts';

export class ResponseValidator {
  /** Compiled once per (operation, status key); Ajv compilation is the expensive part. */
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(private readonly set: SchemaSet) {}

  private op(operationId: string): SchemaSetOperation {
    const op = this.set.operations.get(operationId);
    if (!op) {
      const known = [...this.set.operations.keys()];
      const shown = known.length > 10 ? `${known.slice(0, 10).join(', ')}, ... (${known.length} in all)` : known.join(', ');
      throw new Error(`Unknown operationId "${operationId}": the schemas in ${this.set.origin} document ${shown || 'no operations'}`);
    }
    return op;
  }

  /** The documented response for a status: exact key first, then "4XX", then "default". */
  private lookup(operationId: string, status: number): { key: string; response: SchemaSetResponse } | undefined {
    const { responses } = this.op(operationId);
    const range = `${String(status)[0]}XX`;
    for (const key of [String(status), range, range.toLowerCase(), 'default']) {
      if (responses[key]) return { key, response: responses[key] };
    }
    return undefined;
  }

  operation(operationId: string): { method: string; path: string; statuses: number[] } {
    const op = this.op(operationId);
    return { method: op.method, path: op.path, statuses: this.documentedStatuses(operationId) };
  }

  /** Numeric statuses only ("4XX"/"default" are ranges, not statuses a scenario can expect), ascending. */
  documentedStatuses(operationId: string): number[] {
    return Object.keys(this.op(operationId).responses)
      .filter((s) => /^\d{3}$/.test(s))
      .map(Number)
      .sort((a, b) => a - b);
  }

  /** The oneOf variants of a status's body (empty when the body is not a oneOf). */
  variants(operationId: string, status: number): Variant[] {
    return this.lookup(operationId, status)?.response.variants ?? [];
  }

  /** The response's description in the document ("" when the status is not documented). */
  description(operationId: string, status: number): string {
    return this.lookup(operationId, status)?.response.description ?? '';
  }

  /** Every `code` a status's body may carry (the variants' codes, or a plain error body's fixed code). */
  codes(operationId: string, status: number): string[] {
    return this.lookup(operationId, status)?.response.codes ?? [];
  }

  /** The derived schema of a status's body, or null when it documents none. */
  schemaFor(operationId: string, status: number): JSONSchema | null {
    return this.lookup(operationId, status)?.response.schema ?? null;
  }

  /**
   * Checks a parsed body against the derived schema of its status (check id
   * `schema`, severity error). Returns nothing when the status is not documented
   * or documents no JSON body, and for `undefined` (no parsed body): those are
   * the status, content-type and JSON checks' findings, not this one's.
   */
  validate(operationId: string, status: number, body: unknown, exchange?: string): Finding[] {
    const found = this.lookup(operationId, status);
    if (!found?.response.schema || body === undefined) return [];
    const validateFn = this.compile(operationId, found.key, found.response.schema);
    if (validateFn(body)) return [];
    return ajvErrorsToFindings(validateFn.errors, { status, schema: found.response.schema, body, exchange });
  }

  /**
   * Fields the documentation does not list (check id `undocumented_fields`,
   * severity warning, one finding per field). Only objects whose schema lists
   * properties are judged; a free-form object such as `detail: {}` never is.
   */
  undocumentedFields(operationId: string, status: number, body: unknown, exchange?: string): Finding[] {
    const schema = this.lookup(operationId, status)?.response.schema;
    if (!schema) return [];
    return undocumentedFieldFindings(schema, status, body, exchange);
  }

  private compile(operationId: string, statusKey: string, schema: JSONSchema): ValidateFunction {
    const cacheKey = `${operationId}\u0000${statusKey}`;
    let fn = this.compiled.get(cacheKey);
    if (!fn) {
      allowUnknownFormats(schema);
      fn = ajv.compile(schema);
      this.compiled.set(cacheKey, fn);
    }
    return fn;
  }
}
