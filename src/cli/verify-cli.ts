/**
 * `katapult-conformance verify FILE`: checks a conformance statement against
 * the installed suite. Exit 0 verified, 1 not verified, 2 usage error (no
 * file, unreadable file, unknown flag).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from '../config/env.ts';
import { plannedScenarios, registeredOperations } from '../operations/registry.ts';
import { catalogueHash, specHashes } from '../report/provenance.ts';
import { verifyStatement } from '../report/verify-statement.ts';
import { specsDirFrom } from '../config/run-dirs.ts';
import type { CliIo } from '../arrange/check-states-cli.ts';

export const VERIFY_USAGE = `Usage: verify FILE [--specs-dir DIR]

Recomputes the fingerprint of a conformance statement (reports/conformance-statement.json) and
checks that this suite made it: the same suite version, spec documents and scenario catalogue.
  --specs-dir DIR   the spec documents the run used, when not the suite's own (default: SPECS_DIR)
Exit codes: 0 verified, 1 not verified, 2 usage error.
`;

export function runVerifyCli(argv: string[], env: NodeJS.ProcessEnv, io: CliIo): number {
  const usage = (m: string) => {
    io.err(`verify: ${m}\nRun "katapult-conformance verify --help" for usage.\n`);
    return 2;
  };
  let parsed;
  try {
    parsed = parseArgs({ args: argv, strict: true, allowPositionals: true, options: { 'specs-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  } catch (e) {
    return usage((e as Error).message.split('. ')[0]!.replace(/\.$/, ''));
  }
  if (parsed.values.help) {
    io.out(VERIFY_USAGE);
    return 0;
  }
  if (parsed.positionals.length !== 1) return usage('give exactly one statement file');
  const file = parsed.positionals[0]!;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return usage(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const specsEnv = parsed.values['specs-dir'] ? { SPECS_DIR: path.resolve(parsed.values['specs-dir']) } : env;
  let pkg: { name?: string; version?: string } = {};
  try {
    pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
  } catch {
    // unknown: the comparison will say so
  }
  const result = verifyStatement(text, {
    name: pkg.name ?? 'unknown',
    version: pkg.version ?? 'unknown',
    specs: specHashes(specsDirFrom(specsEnv)).documents,
    // The same scenario list the reporter hashes into the provenance, its sweep built from the same documents as those hashed.
    catalogueSha256: catalogueHash(plannedScenarios(registeredOperations(specsEnv)).map((p) => p.scenario)),
  });
  (result.ok ? io.out : io.err)(`${result.lines.join('\n')}\n`);
  return result.ok ? 0 : 1;
}
