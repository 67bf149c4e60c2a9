/**
 * What the Playwright fixtures write on a test and the reporter reads back:
 * the result attachment's name, the annotation types of a scenario that was
 * not arranged, inconclusive or unarrangeable, and a finding as a line block.
 */
import type { Finding } from '../model/finding.ts';

export const RESULT_ATTACHMENT = 'conformance-result';
export const NOT_ARRANGED = 'not_arranged';
export const INCONCLUSIVE = 'inconclusive';
/** A skip because the chosen mode cannot arrange the scenario's state: excused by CONFORMANCE_REQUIRE=arrangeable. */
export const UNARRANGEABLE = 'unarrangeable';

export function formatFinding(f: Finding): string {
  const lines = [`[${f.check}] ${f.message}`];
  if (f.expected !== undefined) lines.push(`  expected: ${JSON.stringify(f.expected)}`);
  if (f.actual !== undefined) lines.push(`  actual:   ${JSON.stringify(f.actual)}`);
  if (f.instancePath) lines.push(`  at:       ${f.instancePath}${f.schemaPath ? `  (schema ${f.schemaPath})` : ''}`);
  else if (f.schemaPath) lines.push(`  schema:   ${f.schemaPath}`);
  if (f.exchange) lines.push(`  request:  ${f.exchange}`);
  return lines.join('\n');
}
