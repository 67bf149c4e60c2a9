/**
 * The suite's root folder: the nearest folder above a module that holds a
 * package.json. In a checkout that is the repository (src/x/y.ts → ./); in
 * the installed package the modules are compiled into dist/ (which holds no
 * package.json), so it is the package folder (dist/src/x/y.js → ./), where
 * specs/ and schemas/ are too.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export function suiteRootOf(moduleUrl: string): string {
  let dir = path.dirname(fileURLToPath(moduleUrl));
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) return path.resolve(path.dirname(fileURLToPath(moduleUrl)), '..', '..');
    dir = up;
  }
}

/** The suite's root folder: the one place it is computed (config/env.ts re-exports it). */
export const REPO_ROOT = suiteRootOf(import.meta.url);
