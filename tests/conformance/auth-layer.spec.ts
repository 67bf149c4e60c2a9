/**
 * The authentication-layer sweep: for every operation of the documents under
 * SPECS_DIR that documents the authenticator's 400 (except those with their
 * own catalogue), its 400 / 403 cases, generated from the documents. With the
 * project's own spec this file holds no test.
 */
import { test } from '../../src/suite/auth-layer-fixtures.ts';
import { sweepScenarios } from '../../src/sweep/suite.ts';

for (const s of sweepScenarios()) {
  test.describe(`${s.operation.method} ${s.operation.path}`, () => {
    test(
      `${s.status} ${s.variant}: ${s.title.slice(s.title.indexOf(': ') + 2)}`,
      {
        annotation: [
          { type: 'scenario', description: s.id },
          { type: 'operation', description: `${s.operation.id} ${s.operation.method} ${s.operation.path}` },
        ],
        tag: ['@auth_layer', `@status-${s.status}`],
      },
      async ({ sweep }) => {
        await sweep(s);
      },
    );
  });
}
