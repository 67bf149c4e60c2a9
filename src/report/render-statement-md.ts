/**
 * reports/conformance-statement.md: the statement for people. Pure: the same
 * statement as the JSON, in words, with what its fingerprint does and does not prove.
 */
import type { Statement } from './statement.ts';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderStatementMarkdown(s: Statement): string {
  const lines = [
    `# Conformance statement: ${s.verdict.toUpperCase()}`,
    '',
    `${s.verdict_reason}.`,
    '',
    s.coverage ? `Coverage: ${s.coverage.summary}.` : `Coverage: ${s.counts.passed ?? 0} of ${s.catalogue.scenarios} scenarios passed.`,
    '',
    '| | |',
    '| --- | --- |',
    `| suite | ${cell(s.suite.name)} ${cell(s.suite.version)}${s.suite.commit ? ` (commit ${s.suite.commit.slice(0, 12)})` : ''} |`,
    `| Playwright | ${cell(s.playwright ?? 'unknown')} |`,
    ...s.specs.map((d) => `| spec document | \`${cell(d.path)}\` sha256 \`${d.sha256}\` |`),
    `| catalogue | ${s.catalogue.scenarios} scenarios, sha256 \`${s.catalogue.sha256}\` |`,
    `| target | ${cell(s.target.base_url ?? 'none')} (${cell(s.target.mode)}) |`,
    `| arrangement | ${cell(s.target.arrangement)} |`,
    `| error envelope | ${cell(s.target.envelope)} |`,
    `| date | ${s.date} |`,
    `| fingerprint | sha256 \`${s.fingerprint.value}\` |`,
    '',
    '## Scenarios',
    '',
    '| scenario | status | variant | outcome |',
    '| --- | --- | --- | --- |',
    ...s.scenarios.map((x) => `| \`${cell(x.id)}\` | ${x.status} | ${cell(x.variant ?? '')} | ${x.outcome} |`),
    '',
    '## Checking it',
    '',
    '`katapult-conformance verify conformance-statement.json` recomputes the fingerprint (the sha256 of the',
    'canonical JSON statement without it) and compares the suite version and the spec and catalogue hashes',
    'with those of the installed suite.',
    '',
    'What that proves: the JSON file is intact as a suite of that version, run against those spec documents',
    'and that catalogue, wrote it. What it does not prove: the fingerprint is a checksum, **not a signature**.',
    'Anyone can edit the statement and compute a new fingerprint, so it proves neither who made it nor that',
    'the run took place. Trust it as far as you trust where it came from, or run the suite yourself.',
    '',
  ];
  return lines.join('\n');
}
