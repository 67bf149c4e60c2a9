/**
 * For the sweep's proof tests: a specs folder (the vendor's Core API document
 * when it is there, or the hand-written fixture), its schemas derived through
 * the run's cache, its sweep catalogue, and a bundled mock serving it.
 */
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../src/config/env.ts';
import { createMock, type Mock, type MockOptions } from '../../src/mock/server.ts';
import { SecretRegistry } from '../../src/model/redact.ts';
import { loadSchemaSet } from '../../src/schema/schema-set.ts';
import { ResponseValidator } from '../../src/schema/validator.ts';
import { ProviderStateArranger } from '../../src/arrange/provider-state-arranger.ts';
import { runOperations, type InProcessTarget } from '../../src/runner/run-catalogue.ts';
import type { ScenarioResult } from '../../src/engine/run-scenario.ts';
import type { PlannedScenario } from '../../src/operations/types.ts';
import { sweepDescriptors } from '../../src/sweep/descriptors.ts';
import { chooseSchemas } from '../../src/suite/schemas-cache.ts';
import type { AuthLayerScenario } from '../../src/sweep/catalogue.ts';
import { missingReference, referenceFile } from './reference.ts';

const CORE_DOCUMENT_NAME = 'katapult-core-openapi.json';
/** The vendor's whole Core API document (reference data outside the repository, read only when present). */
export const CORE_DOCUMENT = referenceFile(CORE_DOCUMENT_NAME);
export const WIDGETS_FIXTURE = path.join(REPO_ROOT, 'tests/fixtures/auth-layer/widgets.openapi.json');

/** Prints a line nobody can miss and tells the caller to skip. */
export function coreDocumentMissing(what: string): string | undefined {
  const missing = missingReference(CORE_DOCUMENT_NAME);
  if (!missing) return undefined;
  const reason = `${missing} (${what} is NOT checked)`;
  process.stderr.write(`\n!!! SKIPPED LOUDLY: ${reason}\n\n`);
  return reason;
}

/** A fresh folder holding copies of `documents` (file name -> source). */
export function specsFolder(documents: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'sweep-specs-'));
  for (const [name, source] of Object.entries(documents)) copyFileSync(source, path.join(dir, name));
  return dir;
}

export interface SweepFixture {
  specsDir: string;
  schemas: ResponseValidator;
  catalogue: AuthLayerScenario[];
  /** The sweep's descriptors' scenarios, as the engine runs them. */
  planned: PlannedScenario[];
}

export function sweepFixture(specsDir: string): SweepFixture {
  const choice = chooseSchemas(specsDir);
  const planned = sweepDescriptors(specsDir).flatMap((operation) => operation.catalogue.map((scenario) => ({ operation, scenario })));
  return {
    specsDir,
    schemas: new ResponseValidator(loadSchemaSet(choice.dir)),
    catalogue: planned.map((p) => p.scenario as AuthLayerScenario),
    planned,
  };
}

/** Runs the fixture's sweep through the engine, in process. */
export function runSweep(target: InProcessTarget, f: SweepFixture): Promise<ScenarioResult[]> {
  return runOperations(target, f.planned, 8);
}

export async function startSweepMock(f: SweepFixture, options: MockOptions = {}): Promise<{ mock: Mock; target: InProcessTarget; close(): Promise<void> }> {
  const mock = createMock({ specsDir: f.specsDir, ...options });
  const address = await mock.listen(0, '127.0.0.1');
  const secrets = new SecretRegistry();
  const target: InProcessTarget = {
    baseUrl: address.baseUrl,
    mode: 'state',
    envelope: 'flat',
    requestTimeoutMs: 10_000,
    schemas: f.schemas,
    secrets,
    arranger: new ProviderStateArranger(address.stateUrl, secrets, 10_000),
  };
  return { mock, target, close: () => mock.close() };
}
