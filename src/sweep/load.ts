/**
 * Reads the operations of every OpenAPI document under SPECS_DIR for the
 * sweep (the suite's preflight has already checked that each one is readable
 * and derives). Memoised per folder: the spec file, every worker and the
 * bundled mock each ask once.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OpenAPIV3 } from 'openapi-types';
import { listSpecs } from '../schema/generate.ts';
import { readAuthLayerOperations, type AuthLayerOperation } from './operations.ts';

const cache = new Map<string, AuthLayerOperation[]>();

export function loadAuthLayerOperations(specsDir: string): AuthLayerOperation[] {
  let ops = cache.get(specsDir);
  if (!ops) {
    ops = listSpecs(specsDir).flatMap((file) => {
      const doc = JSON.parse(readFileSync(join(specsDir, file), 'utf8')) as OpenAPIV3.Document;
      return readAuthLayerOperations(doc, `specs/${file}`);
    });
    cache.set(specsDir, ops);
  }
  return ops;
}
