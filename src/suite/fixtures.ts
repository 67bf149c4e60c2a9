/**
 * Playwright fixtures: the worker's suite context, a request context for the
 * target, the arranged state (teardown also when the scenario fails), and
 * `verify`, which runs the scenario and records its findings.
 */
import { randomUUID } from 'node:crypto';
import { test as base, expect as baseExpect } from '@playwright/test';
import type { Finding } from '../model/finding.ts';
import type { OperationDescriptor, Scenario } from '../operations/types.ts';
import type { ExchangeRecord } from '../engine/exchange.ts';
import { runScenario, type ScenarioResult } from '../engine/run-scenario.ts';
import { arrange, type StateAnswer } from '../arrange/arranger.ts';
import { createSuiteContext, type SuiteContext } from './context.ts';
import { attachSecretSink } from '../leak/known-secrets.ts';
import { RUN_FACTS_ATTACHMENT, runFacts } from '../report/run-facts.ts';
import { formatFinding, INCONCLUSIVE, NOT_ARRANGED, RESULT_ATTACHMENT, UNARRANGEABLE } from '../report/test-annotations.ts';

/** "POST http://…/regenerate_secret → 500" for the exchange a finding names (the last one when it names none). */
export function describeExchange(exchanges: ExchangeRecord[], label: string | undefined): string | undefined {
  const x = exchanges.find((e) => e.label === label) ?? exchanges.at(-1);
  if (!x) return undefined;
  return `${x.request} → ${x.status ?? `no response (${x.transportError ?? 'unknown'})`}  (${x.label})`;
}

export const expect = baseExpect.extend({
  /** Fails with the finding's own text: what was expected, what came back, where. */
  /** `where`: the failing exchange as method, URL and status, first, so the terminal says which request to look at. */
  toPassCheck(finding: Finding, where?: string) {
    return { pass: finding.severity !== 'error', name: 'toPassCheck', message: () => (where ? `${where}\n${formatFinding(finding)}` : formatFinding(finding)) };
  },
});

interface Fixtures {
  operation: OperationDescriptor | undefined;
  scenario: Scenario | undefined;
  arranged: StateAnswer | null;
  verify: () => Promise<ScenarioResult>;
  runFacts: void;
}

export const test = base.extend<Fixtures, { suite: SuiteContext }>({
  suite: [
    async ({}, use) => {
      const context = createSuiteContext();
      // The post-run leak scan learns every secret this worker holds.
      attachSecretSink(context.secrets);
      await use(context);
      // Live mode: whatever this worker still holds is deleted as it ends.
      await context.arranger.close?.();
    },
    { scope: 'worker', box: true },
  ],

  operation: [undefined, { option: true }],
  scenario: [undefined, { option: true }],

  // The run's facts travel with every test, so that a merge of shards (another
  // process, another environment) reports the right target and mode.
  runFacts: [
    async ({}, use, testInfo) => {
      await testInfo.attach(RUN_FACTS_ATTACHMENT, { body: JSON.stringify(runFacts(testInfo.config.shard ?? null)), contentType: 'application/json' });
      await use();
    },
    { auto: true, box: true },
  ],


  arranged: [
    async ({ operation, scenario, suite }, use, testInfo) => {
      // A generated operation may not run in this mode, or a scenario with no state that fits: skipped with the reason, nothing arranged.
      const off = operation?.unavailable?.(suite.config) ?? (scenario ? operation?.skipReason?.(scenario, null) : undefined);
      if (off !== undefined) {
        // What this mode cannot arrange: excused by CONFORMANCE_REQUIRE=arrangeable, not by =all.
        testInfo.annotations.push({ type: UNARRANGEABLE, description: off });
        testInfo.skip(true, off);
        return;
      }
      if (!scenario?.state) return use(null);
      const availability = suite.arranger.availability(scenario.state);
      if (!availability.ok) {
        testInfo.annotations.push({ type: UNARRANGEABLE, description: availability.reason });
        testInfo.skip(true, availability.reason);
        return;
      }
      const budget = suite.arranger.setupBudgetMs?.(scenario.state) ?? 0;
      if (budget > 0) testInfo.setTimeout(testInfo.timeout + budget);
      const instance = `${scenario.id}-${randomUUID()}`;
      const arranged = await arrange(suite.arranger, scenario.state, instance, (t) => suite.secrets.redactText(t));
      if (arranged.kind === 'skipped' || arranged.kind === 'inconclusive') {
        if (arranged.kind === 'inconclusive') testInfo.annotations.push({ type: INCONCLUSIVE, description: arranged.reason });
        else testInfo.annotations.push({ type: UNARRANGEABLE, description: arranged.reason });
        testInfo.skip(true, arranged.kind === 'inconclusive' ? `inconclusive: ${arranged.reason}` : arranged.reason);
        return;
      }
      if (arranged.kind === 'not_arranged') {
        testInfo.annotations.push({ type: NOT_ARRANGED, description: arranged.reason });
        const notArranged = new Error(`not arranged: ${arranged.reason}`);
        // The target's doing, not the suite's: the message is the whole story.
        notArranged.stack = `Error: ${notArranged.message}`;
        throw notArranged;
      }
      const answer = arranged.answer;
      try {
        await use(answer);
      } finally {
        const problem = await suite.arranger.teardown(scenario.state, instance);
        if (problem) testInfo.annotations.push({ type: 'teardown', description: suite.secrets.redactText(problem) });
      }
    },
    { box: true },
  ],

  verify: [
    async ({ operation, scenario, suite, arranged }, use, testInfo) => {
      await use(async () => {
        if (!operation || !scenario) throw new Error('no operation or scenario given to this test (use test.use({ operation, scenario }))');
        const result = await runScenario(operation, scenario, arranged, {
          baseUrl: suite.config.baseUrl,
          mode: suite.config.mode,
          envelope: suite.config.envelope,
          requestTimeoutMs: suite.config.requestTimeoutMs,
          schemas: suite.schemas,
          secrets: suite.secrets,
          pace: suite.pace,
          guard: suite.guard,
          secretStrength: suite.config.secretStrength,
        });
        await testInfo.attach(RESULT_ATTACHMENT, { body: JSON.stringify(result, null, 2), contentType: 'application/json' });
        if (result.outcome === 'inconclusive') {
          testInfo.annotations.push({ type: INCONCLUSIVE, description: result.reason });
          testInfo.skip(true, `inconclusive: ${result.reason}`);
        }
        if (result.outcome === 'skipped') {
          // A generated scenario that found out from the state's answer that no arranged token fits.
          testInfo.annotations.push({ type: UNARRANGEABLE, description: result.reason });
          testInfo.skip(true, result.reason);
        }
        const failures = result.findings.filter((f) => f.severity === 'error');
        if (failures.length) {
          // Boxed: Playwright points the failure at the spec's call of verify(), not at this file.
          await base.step(
            `${failures.length} failing check${failures.length === 1 ? '' : 's'} (reproduce with the curl commands in the conformance report)`,
            async () => {
              for (const f of failures) expect.soft(f).toPassCheck(describeExchange(result.exchanges, f.exchange));
            },
            { box: true },
          );
        }
        return result;
      });
    },
    { box: true },
  ],
});
