/**
 * `npm run schemas`: derive every OpenAPI document in specs/ into schemas/.
 * `npm run schemas:check`: re-derive in memory and fail when schemas/ is stale.
 *
 * Exit codes: 0 done / fresh, 1 stale (--check), 2 a document (or an argument)
 * is unusable. Problems with a document are reported as one line naming the
 * file, never as a stack trace: they are the user's to fix, not ours.
 * The work is done by generate.ts; this file only reads arguments and prints.
 */
import { pathToFileURL } from 'node:url';
import { checkSchemas, countDocuments, deriveSpecsDir, SpecError } from './generate.ts';
import { DEFAULT_SCHEMAS_DIR, DEFAULT_SPECS_DIR } from './manifest.ts';

export interface MainOptions {
  specsDir?: string;
  schemasDir?: string;
  out?: Pick<Console, 'log' | 'error'>;
}

const USAGE = 'usage: tsx src/schema/cli.ts [--check] [--specs DIR] [--schemas DIR]';

/** The command, callable in-process; returns the exit code. */
export function main(argv: string[], opts: MainOptions = {}): number {
  const out = opts.out ?? console;
  let check = false;
  let specsDir = opts.specsDir ?? DEFAULT_SPECS_DIR;
  let schemasDir = opts.schemasDir ?? DEFAULT_SCHEMAS_DIR;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') {
      out.log(`${USAGE}\n\nDerives JSON Schemas for every operation and documented response of every OpenAPI document in the specs folder (default specs/) into the schemas folder (default schemas/).\n  --check          derive in memory and compare: exit 1 naming each stale, missing or extra file\n  --specs DIR      where the OpenAPI documents are\n  --schemas DIR    where the generated schemas go`);
      return 0;
    }
    if (arg === '--check') check = true;
    else if ((arg === '--specs' || arg === '--schemas') && argv[i + 1]) {
      if (arg === '--specs') specsDir = argv[++i];
      else schemasDir = argv[++i];
    } else {
      out.error(`schemas: unexpected argument ${arg}; ${USAGE}`);
      return 2;
    }
  }
  try {
    if (check) {
      const result = checkSchemas(specsDir, schemasDir);
      for (const line of result.lines) {
        if (result.ok) out.log(line);
        else out.error(line);
      }
      return result.ok ? 0 : 1;
    }
    const result = deriveSpecsDir(specsDir, schemasDir);
    out.log(
      `schemas: ${result.files.size} files from ${countDocuments(result.files)}; ` +
        `${result.written.length} written, ${result.unchanged.length} unchanged, ${result.removed.length} stale removed`,
    );
    for (const rel of result.removed) out.log(`  removed ${rel}`);
    return 0;
  } catch (e) {
    if (e instanceof SpecError) {
      out.error(`schemas: ${e.message}`);
      return 2;
    }
    throw e;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = main(process.argv.slice(2));
}
