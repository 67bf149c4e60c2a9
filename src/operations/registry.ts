/**
 * The operations the suite tests, and lookups over all of their scenarios.
 * The Playwright spec, the conformance reporter and the in-process runner use
 * this list; the engine and the checks take a descriptor as an argument and
 * never import it.
 *
 * To add an operation: write (or generate) an OperationDescriptor and add it
 * to `registeredOperations()`. Scenario ids must stay unique across operations.
 */
import { regenerateSecret } from './regenerate-secret/index.ts';
import type { OperationDescriptor, PlannedScenario } from './types.ts';
import { runSweepDescriptors } from '../sweep/descriptors.ts';

export { regenerateSecret } from './regenerate-secret/index.ts';

export type { PlannedScenario } from './types.ts';

/** Every registered operation, in report order; the sweep's from the documents under `env.SPECS_DIR` (default: the process's). */
export function registeredOperations(env: NodeJS.ProcessEnv = process.env): readonly OperationDescriptor[] {
  // Then the authentication-layer sweep of every other operation of the documents under SPECS_DIR (generated).
  return [regenerateSecret, ...runSweepDescriptors(env)];
}

/** Every scenario of the given operations, in catalogue order; throws on an id used twice. */
export function plannedScenarios(operations: readonly OperationDescriptor[] = registeredOperations()): PlannedScenario[] {
  const seen = new Map<string, string>();
  const out: PlannedScenario[] = [];
  for (const operation of operations) {
    for (const scenario of operation.catalogue) {
      const other = seen.get(scenario.id);
      if (other !== undefined) throw new Error(`scenario id "${scenario.id}" is used by both ${other} and ${operation.id}`);
      seen.set(scenario.id, operation.id);
      out.push({ operation, scenario });
    }
  }
  return out;
}

export function operationById(id: string, operations: readonly OperationDescriptor[] = registeredOperations()): OperationDescriptor {
  const op = operations.find((o) => o.id === id);
  if (!op) throw new Error(`no operation with id "${id}"`);
  return op;
}

export function plannedScenarioById(id: string, operations: readonly OperationDescriptor[] = registeredOperations()): PlannedScenario {
  const found = plannedScenarios(operations).find((p) => p.scenario.id === id);
  if (!found) throw new Error(`no scenario with id "${id}"`);
  return found;
}
