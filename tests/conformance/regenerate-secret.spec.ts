/**
 * The conformance suite for "Regenerate organization API token secret": one
 * test per scenario of the catalogue. Each test arranges its state, runs the
 * scenario and records its findings; the conformance reporter renders them.
 */
import { catalogue } from '../../src/scenarios/regenerate-secret.catalogue.ts';
import { test } from '../../src/suite/fixtures.ts';

for (const scenario of catalogue) {
  test.describe(`${scenario.status}${scenario.variant ? ` ${scenario.variant}` : ''}`, () => {
    test.use({ scenario });
    test(
      scenario.title,
      { annotation: { type: 'scenario', description: scenario.id }, tag: [`@status-${scenario.status}`, `@${scenario.kind}`] },
      async ({ verify }) => {
        await verify();
      },
    );
  });
}
