/**
 * The conformance suite: one test per scenario of every registered operation
 * (src/operations/registry.ts), grouped by operation. Each test arranges its
 * state, runs the scenario and records its findings; the conformance reporter
 * renders them.
 */
import { registeredOperations } from '../../src/operations/registry.ts';
import { test } from '../../src/suite/fixtures.ts';

for (const operation of registeredOperations()) {
  test.describe(`${operation.method} ${operation.path}`, () => {
    test.use({ operation });
    for (const scenario of operation.catalogue) {
      test.describe(`${scenario.status}${scenario.variant ? ` ${scenario.variant}` : ''}`, () => {
        test.use({ scenario });
        test(
          scenario.title,
          {
            annotation: [
              { type: 'scenario', description: scenario.id },
              { type: 'operation', description: operation.id },
            ],
            tag: [`@status-${scenario.status}`, `@${scenario.kind}`],
          },
          async ({ verify }) => {
            await verify();
          },
        );
      });
    }
  });
}
