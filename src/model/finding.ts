/**
 * The one result model of every check. Checks never throw and never call
 * `expect`: they return findings, and the test turns errors into soft
 * assertion failures. Everything here is already redacted when it is built.
 */
export type Severity = 'error' | 'warning';

export interface Finding {
  /** Id of the check that produced it; also its configuration key. */
  check: string;
  severity: Severity;
  /** One sentence a QA engineer can act on: what was expected, what came back, where. */
  message: string;
  expected?: unknown;
  actual?: unknown;
  /** JSON pointer into the response body (Ajv's instancePath). */
  instancePath?: string;
  /** Where in the derived schema the rule lives, with oneOf branches named by variant. */
  schemaPath?: string;
  /** Which request of the scenario this is about ("regenerate", "follow-up with old secret"...). */
  exchange?: string;
  /**
   * A failure that may have done harm, not just broken the contract (the
   * authentication layer letting an unauthenticated DELETE through). Reports
   * show it first and marked.
   */
  critical?: boolean;
}

export const error = (check: string, message: string, extra: Partial<Finding> = {}): Finding => ({
  check,
  severity: 'error',
  message,
  ...extra,
});

export const warning = (check: string, message: string, extra: Partial<Finding> = {}): Finding => ({
  check,
  severity: 'warning',
  message,
  ...extra,
});
