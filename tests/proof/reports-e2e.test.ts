/**
 * End to end, real `playwright test` runs against the reference mock with
 * faults: a waiver makes a run pass with the scenario waived; summary.md is
 * written and appended to $GITHUB_STEP_SUMMARY; the terminal names method,
 * URL and status; no AI-prompt context files; and every failing exchange's
 * curl command, run with real curl and the placeholders filled, gets the
 * status the run got.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createMock, type Mock, type MockAddress } from '../../src/mock/server.ts';
import { regenerateSecret } from '../../src/operations/regenerate-secret/index.ts';

const { catalogue } = regenerateSecret;
import { runSuite, type SuiteRun } from '../support/run-suite.ts';

const SCOPE = '403-scope_not_granted';
// Asynchronous: the mock answering curl runs in this very process.
const run$ = promisify(execFile);
const OPERATION = 'api_tokens/api_token/regenerate_secret';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = path.join(dir, e);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

function assertNoPromptFiles(run: SuiteRun): void {
  const prompts = filesUnder(run.reportsDir).filter((f) => /error-context|copy-prompt/i.test(path.basename(f)));
  assert.deepEqual(prompts, [], 'AI-prompt context files in the reports');
  assert.doesNotMatch(run.output, /Error Context:|error-context\.md/);
  for (const f of filesUnder(run.reportsDir).filter((x) => x.endsWith('.md') && !x.endsWith('summary.md'))) {
    assert.doesNotMatch(readFileSync(f, 'utf8'), /Explain why, be concise/, `${f} is an AI prompt`);
  }
}

async function withMock(faults: string[]): Promise<{ mock: Mock; address: MockAddress }> {
  const mock = createMock({ faults: faults as never });
  return { mock, address: await mock.listen(0, '127.0.0.1') };
}

describe('a waiver end to end, with summary.md and the step summary', () => {
  let target: Awaited<ReturnType<typeof withMock>>;
  let run: SuiteRun;
  let stepSummary: string;
  before(async () => {
    target = await withMock(['scope-detail-wrong']);
    const dir = mkdtempSync(path.join(tmpdir(), 'waivers-e2e-'));
    const waivers = path.join(dir, 'waivers.json');
    writeFileSync(waivers, JSON.stringify({ waivers: [
      { scenario: SCOPE, check: 'detail_scopes', reason: 'vendor ticket 4711', until: '2099-12-31', link: 'https://tracker.example/4711' },
      { scenario: '503-service_unavailable', reason: 'left over', until: '2099-12-31' },
    ] }));
    // A baseline in which everything passed: the waived scenario is an "other change".
    const baseline = path.join(dir, 'baseline.json');
    writeFileSync(baseline, JSON.stringify({ verdict: 'pass', mode: 'state', target: target.address.baseUrl, scenarios: catalogue.map((c) => ({ id: c.id, outcome: 'passed' })) }));
    stepSummary = path.join(dir, 'step-summary.md');
    writeFileSync(stepSummary, '# an earlier step\n');
    run = await runSuite({ BASE_URL: target.address.baseUrl, STATE_URL: target.address.stateUrl, CONFORMANCE_WAIVERS: waivers, CONFORMANCE_BASELINE: baseline, GITHUB_STEP_SUMMARY: stepSummary });
  });
  after(() => target.mock.close());

  test('the run passes, exit 0, with the scenario waived and the unused waiver warned about', () => {
    assert.equal(run.code, 0, run.output);
    const report = run.json();
    assert.equal(report.verdict, 'pass');
    const scope = report.scenarios.find((s: any) => s.id === SCOPE);
    assert.equal(scope.outcome, 'waived');
    assert.match(scope.reason, /waived until 2099-12-31: vendor ticket 4711 \(https:\/\/tracker\.example\/4711\)/);
    assert.equal(report.scenarios.filter((s: any) => s.outcome === 'failed').length, 0);
    assert.deepEqual(report.waivers.warnings, ['waiver for 503-service_unavailable matched nothing (the scenario passed: remove the waiver): remove it']);
    assert.match(run.output, /Waivers: waiver for 503-service_unavailable matched nothing .*remove it/);
    assert.match(run.output, /Conformance: PASS — .*1 waived/);
  });

  test('the HTML has the waivers section near the top, with reason, expiry and link', () => {
    const html = run.file('conformance.html');
    const waived = html.indexOf('<h2>Waived (1)</h2>');
    assert.ok(waived > 0 && waived < html.indexOf('Documented statuses and variants</h2>'), 'the waivers section comes before the matrix');
    for (const s of ['vendor ticket 4711', '2099-12-31', 'https://tracker.example/4711', 'remove it']) assert.ok(html.includes(s), s);
  });

  test('changes since the baseline: the waived scenario is an outcome change, nothing newly failing', () => {
    const { changes } = run.json();
    assert.deepEqual(changes.newlyFailing, []);
    assert.deepEqual(changes.otherChanges, [{ id: SCOPE, before: 'passed', now: 'waived' }]);
    assert.match(run.output, /Since the baseline .*0 newly failing, 0 fixed, 0 still failing, 1 other outcome change; compared anyway although the baseline carries no provenance/);
  });

  test('summary.md holds verdict, coverage, counts, matrix, waivers and changes, and is appended to $GITHUB_STEP_SUMMARY', () => {
    const summary = run.file('summary.md');
    assert.match(summary, /^## Conformance: PASS/);
    assert.match(summary, /\*\*Coverage:\*\*/);
    assert.match(summary, /\| passed \| failed \|/);
    assert.match(summary, /\| 403 \| scope_not_granted \| 🟦 403-scope_not_granted \|/);
    assert.match(summary, /### Waived \(1\)[\s\S]*vendor ticket 4711 — until 2099-12-31/);
    assert.match(summary, /### Changes since the baseline/);
    assert.equal(readFileSync(stepSummary, 'utf8'), `# an earlier step\n${summary}`);
    assert.doesNotMatch(summary, /Bearer (?!\$)[A-Za-z0-9]/);
  });

  test('the terminal names method, URL and status of the failing exchange, not a frame of the suite\'s fixtures', () => {
    assert.ok(run.output.includes(`POST ${target.address.baseUrl}/${OPERATION} → 403`), run.output);
    assert.doesNotMatch(run.output, /src\/suite\/fixtures\.ts/);
    assertNoPromptFiles(run);
  });
});

describe('reproducing a failure by hand with curl', () => {
  let target: Awaited<ReturnType<typeof withMock>>;
  let run: SuiteRun;
  before(async () => {
    target = await withMock(['not-found-500']);
    run = await runSuite({ BASE_URL: target.address.baseUrl, STATE_URL: target.address.stateUrl });
  });
  after(() => target.mock.close());

  test('the run fails, the terminal shows the 500 with method and URL, and no prompt files are written', () => {
    assert.notEqual(run.code, 0);
    assert.ok(run.output.includes(`POST ${target.address.baseUrl}/${OPERATION} → 500`), run.output);
    assert.doesNotMatch(run.output, /src\/suite\/fixtures\.ts/);
    assertNoPromptFiles(run);
  });

  test('every failing exchange in HTML and summary has a curl command that, with the placeholders filled, gets the same status', async () => {
    await run$('curl', ['--version']); // curl is needed here (.ci/run installs it)
    const report = run.json();
    const failed = report.scenarios.filter((s: any) => s.outcome === 'failed');
    // The 404 scenario and every 200 behaviour that probes with an unknown id (tests/proof/faults.test.ts).
    assert.deepEqual(failed.map((s: any) => s.id).sort(), ['200-every-earlier-secret-refused', '200-new-secret-authenticates', '200-new-secret-keeps-authenticating', '200-racing-regenerations-one-winner', '404-api_token_not_found']);
    const summary = run.file('summary.md');
    const html = run.file('conformance.html');
    const unescape = (s: string) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
    for (const s of failed) {
      const steps = s.reproduction.steps as { kind: string; command: string; failing?: boolean; status: number | null }[];
      assert.equal(steps[0].kind, 'setup');
      assert.equal(steps.at(-1)!.kind, 'teardown');
      for (const step of steps) {
        assert.ok(summary.includes(step.command), `${s.id}: summary.md lacks ${step.command}`);
        assert.ok(unescape(html).includes(step.command), `${s.id}: the HTML lacks ${step.command}`);
      }
      for (const p of s.reproduction.placeholders) assert.ok(summary.includes(`$${p.name}: ${p.origin}`), `${s.id}: the origin of $${p.name}`);
      // Run them as a person would: the setup first, its answer fills the placeholders.
      const vars: Record<string, string> = {};
      const sh = async (command: string) => (await run$('sh', ['-c', command], { env: { ...process.env, ...vars }, encoding: 'utf8', timeout: 30_000 })).stdout;
      const parse = (out: string) => {
        const [head, ...body] = out.split(/\r?\n\r?\n/);
        return { status: Number(/^HTTP\/[\d.]+ (\d{3})/.exec(head)![1]), json: JSON.parse(body.join('\n\n') || 'null') };
      };
      const failingStatuses: number[] = [];
      for (const step of steps) {
        const answer = parse(await sh(step.command));
        if (step.kind === 'setup') {
          assert.equal(answer.status, 200);
          vars.BEARER = answer.json.bearer;
          vars.API_TOKEN_ID = answer.json.api_token.id;
          if (answer.json.secret) vars.SECRET = answer.json.secret;
        } else if (step.kind === 'request') {
          assert.equal(answer.status, step.status, `${s.id}: ${step.command}`);
          if (answer.status === 200 && answer.json?.api_token?.secret) {
            // The reproduction names the n-th issued secret NEW_SECRET, NEW_SECRET_2, NEW_SECRET_3, …
            const n = Object.keys(vars).filter((k) => /^NEW_SECRET(_\d+)?$/.test(k)).length + 1;
            vars[n === 1 ? 'NEW_SECRET' : `NEW_SECRET_${n}`] = answer.json.api_token.secret;
          }
          if (step.failing) failingStatuses.push(answer.status);
        }
      }
      assert.ok(failingStatuses.length > 0 && failingStatuses.every((st) => st === 500), `${s.id}: every failing request reproduces the 500 (got ${failingStatuses.join(', ') || 'none'})`);
      assert.ok(s.reproduction.placeholders.every((p: any) => p.name in vars), `${s.id}: every placeholder was filled from an answer`);
    }
  });
});

describe('a waivers file with a mistake', () => {
  test('stops the run at start with one message, non-zero exit, no stack trace; summary.md is still written', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'waivers-bad-'));
    const file = path.join(dir, 'w.json');
    writeFileSync(file, JSON.stringify([{ scenario: 'no-such-scenario', reason: 'r', until: '2099-01-01' }]));
    const run = await runSuite({ CONFORMANCE_WAIVERS: file });
    assert.notEqual(run.code, 0);
    assert.match(run.output, /waivers: .*w\.json: waiver 1 names the unknown scenario "no-such-scenario"/);
    assert.doesNotMatch(run.output, /^\s+at .*\.ts:\d+/m);
    assert.equal(run.json().verdict, 'fail');
    assert.ok(existsSync(path.join(run.reportsDir, 'summary.md')));
  });
});
