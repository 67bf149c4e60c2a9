/**
 * What the response checks are told: the expectation of one call, the
 * operation's context (schemas, detail rules, envelope, secrets), and the
 * verdict they answer.
 */
import type { Finding } from '../model/finding.ts';
import type { ErrorEnvelope } from '../config/env.ts';
import type { SecretRegistry } from '../model/redact.ts';
import type { DetailRule } from './detail.ts';

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
