/**
 * The Playwright side of the authentication-layer sweep: `sweep(scenario)`
 * skips with the reason where the mode or the arranged token does not fit,
 * arranges the scope case's state (teardown in `finally`), runs the scenario
 * and records its findings as every scenario does.
 */
import { randomUUID } from 'node:crypto';
import { test as base, expect } from './fixtures.ts';
import { INCONCLUSIVE, NOT_ARRANGED, RESULT_ATTACHMENT } from './fixtures.ts';
import { arrange, type StateAnswer } from '../states/arranger.ts';
import type { AuthLayerScenario } from '../sweep/catalogue.ts';
import { runAuthLayerScenario } from '../sweep/run.ts';
import { sweepUnavailable } from '../sweep/suite.ts';

export const test = base.extend<{ sweep: (s: AuthLayerScenario) => Promise<void> }>({
  sweep: [
    async ({ suite }, use, testInfo) => {
      await use(async (s) => {
        const unavailable = sweepUnavailable(suite.config) ?? s.skip;
        if (unavailable) return testInfo.skip(true, unavailable);
        let state: StateAnswer | null = null;
        const instance = `${s.id}-${randomUUID()}`;
        if (s.state) {
          const availability = suite.arranger.availability(s.state);
          if (!availability.ok) return testInfo.skip(true, availability.reason);
          const arranged = await arrange(suite.arranger, s.state, instance, (t) => suite.secrets.redactText(t));
          if (arranged.kind === 'not_arranged') {
            testInfo.annotations.push({ type: NOT_ARRANGED, description: arranged.reason });
            const e = new Error(`not arranged: ${arranged.reason}`);
            e.stack = `Error: ${e.message}`;
            throw e;
          }
          if (arranged.kind !== 'ready') {
            if (arranged.kind === 'inconclusive') testInfo.annotations.push({ type: INCONCLUSIVE, description: arranged.reason });
            return testInfo.skip(true, arranged.kind === 'inconclusive' ? `inconclusive: ${arranged.reason}` : arranged.reason);
          }
          state = arranged.answer;
        }
        try {
          const result = await runAuthLayerScenario(s, state, {
            baseUrl: suite.config.baseUrl,
            mode: suite.config.mode,
            envelope: suite.config.envelope,
            requestTimeoutMs: suite.config.requestTimeoutMs,
            schemas: suite.schemas,
            secrets: suite.secrets,
            pace: suite.pace,
            guard: suite.guard,
          });
          await testInfo.attach(RESULT_ATTACHMENT, { body: JSON.stringify(result, null, 2), contentType: 'application/json' });
          if (result.outcome === 'skipped') return testInfo.skip(true, result.reason);
          if (result.outcome === 'inconclusive') {
            testInfo.annotations.push({ type: INCONCLUSIVE, description: result.reason });
            return testInfo.skip(true, `inconclusive: ${result.reason}`);
          }
          for (const f of result.findings) if (f.severity === 'error') expect.soft(f).toPassCheck();
        } finally {
          if (s.state) {
            const problem = await suite.arranger.teardown(s.state, instance);
            if (problem) testInfo.annotations.push({ type: 'teardown', description: suite.secrets.redactText(problem) });
          }
        }
      });
    },
    { box: true },
  ],
});
