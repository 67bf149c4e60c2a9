/**
 * The Playwright configuration the installed package runs with
 * (`katapult-conformance test`): the project's own playwright.config.ts,
 * compiled, with its module paths pointed at the compiled .js files.
 *
 * Playwright resolves a config's relative paths against the config's folder
 * and transpiles no TypeScript inside node_modules, so the paths here are made
 * absolute and end in .js. REPORTS_DIR is made absolute by the command before
 * the config is read.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PlaywrightTestConfig } from '@playwright/test';
import base from '../../playwright.config.ts';

/** The folder the compiled playwright.config.js sits in (dist/ of the package). */
const compiledRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** './src/x.ts' → '<dist>/src/x.js'; module names ('list', 'junit') stay as they are. */
export function compiledPath(p: string, root: string = compiledRoot): string {
  if (!p.startsWith('./') && !p.startsWith('../')) return p;
  return path.resolve(root, p.replace(/\.ts$/, '.js'));
}

type ReporterEntry = [string, unknown?];

export function forCompiledTree(config: PlaywrightTestConfig, root: string = compiledRoot): PlaywrightTestConfig {
  const reporter = Array.isArray(config.reporter)
    ? (config.reporter as unknown as ReporterEntry[]).map(([name, options]) => [compiledPath(name, root), options] as ReporterEntry)
    : config.reporter;
  const setup = (s: string | string[] | undefined) => (s === undefined ? undefined : Array.isArray(s) ? s.map((x) => compiledPath(x, root)) : compiledPath(s, root));
  return {
    ...config,
    testDir: config.testDir === undefined ? undefined : path.resolve(root, config.testDir),
    globalSetup: setup(config.globalSetup),
    globalTeardown: setup(config.globalTeardown),
    reporter: reporter as unknown as PlaywrightTestConfig['reporter'],
  };
}

export default forCompiledTree(base);
