/**
 * Where the waivers come from: conformance.waivers.json in the working
 * directory when present, or the file CONFORMANCE_WAIVERS names (which must
 * exist). Any mistake is a ConfigError: one sentence, the run stops at start.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../config/env.ts';
import { parseWaivers, WaiverFileError, type Waiver } from './waivers.ts';

export const WAIVERS_FILE = 'conformance.waivers.json';
export const WAIVERS_VARIABLE = 'CONFORMANCE_WAIVERS';

export interface LoadedWaivers {
  /** The file as the user would name it (relative to the working directory when inside it). */
  source: string;
  waivers: Waiver[];
}

const shown = (cwd: string, file: string) => {
  const rel = path.relative(cwd, file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
};

export function loadWaivers(knownScenarios: readonly string[], env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): LoadedWaivers | undefined {
  const named = env[WAIVERS_VARIABLE]?.trim();
  const file = named ? path.resolve(cwd, named) : path.join(cwd, WAIVERS_FILE);
  if (!named && !existsSync(file)) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError(
      named
        ? `${WAIVERS_VARIABLE}=${named}: ${code === 'ENOENT' ? 'no such file' : `cannot be read (${code ?? (e as Error).message})`}; name an existing waivers file or unset ${WAIVERS_VARIABLE}`
        : `${shown(cwd, file)} cannot be read (${code ?? (e as Error).message})`,
    );
  }
  const source = shown(cwd, file);
  try {
    return { source, waivers: parseWaivers(text, source, knownScenarios) };
  } catch (e) {
    if (e instanceof WaiverFileError) throw new ConfigError(`waivers: ${e.message}`);
    throw e;
  }
}
