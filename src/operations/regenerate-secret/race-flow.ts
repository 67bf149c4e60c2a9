/**
 * Two regenerations of one token sent at the same moment. Whatever each
 * answers, afterwards exactly one secret may authenticate: the one of the
 * regeneration that won (the old one only when neither won), every other (the
 * old one, the loser's) refused. Two valid secrets is the classic
 * lost-revocation race, reported with both responses' times.
 */
import { error } from '../../model/finding.ts';
import type { Flow, FlowRun } from '../types.ts';
import { asBearer, before, judgeRegeneration } from './regeneration.ts';
import { lookupBody, unknownId } from './request.ts';
import { errorCodeOf as codeOf } from '../../checks/error-body.ts';

interface Racer {
  label: string;
  status?: number;
  receivedAt?: string;
  durationMs?: number;
  secret?: string;
}

const describeRacer = (r: Racer): string =>
  `${r.label} answered ${r.status ?? 'nothing'}${r.receivedAt ? ` at ${r.receivedAt.slice(11)}` : ''}${r.durationMs !== undefined ? ` (after ${r.durationMs} ms)` : ''}`;

/** Whether a secret gets past authentication: one call for an id that does not exist, which changes nothing. */
async function authenticates(run: FlowRun, label: string, secret: string): Promise<boolean | undefined> {
  const { status, body } = await run.call({ label, ...asBearer(run, secret), body: lookupBody(unknownId()) }, { statuses: [] });
  if (status === undefined) return undefined;
  const code = codeOf(body);
  return !((status === 403 && code === 'invalid_api_token') || (status === 400 && code === 'missing_api_token'));
}

export const racingRegenerations: Flow = async (run) => {
  const state = run.state!;
  const caller = run.bearerAuth();
  const labels = ['racing regeneration 1', 'racing regeneration 2'];
  // Any documented answer is allowed (a loser may be refused); each is still judged by the response checks.
  const answers = await run.callTogether(labels.map((label) => ({ plan: { label, ...caller, body: lookupBody(state.api_token.id) }, exp: { statuses: [] } })));
  const racers: Racer[] = answers.map((a, i) => ({ label: labels[i]!, status: a.status, receivedAt: a.receivedAt, durationMs: a.durationMs }));
  const old = before(run);
  racers.forEach((r, i) => {
    if (r.status !== 200) return;
    const other = racers[1 - i]!;
    // Each winner is judged as any regeneration: against the old secret (and the other's, once known).
    r.secret = judgeRegeneration(run, answers[i]!.body, r.label, i === 1 && other.secret ? [old, { label: `the secret of ${other.label}`, secret: other.secret }] : [old]);
  });
  if (racers.every((r) => r.status === undefined)) return;

  const candidates: { label: string; secret: string; racer?: Racer }[] = [];
  if (typeof old.secret === 'string') candidates.push({ label: old.label, secret: old.secret });
  for (const r of racers) if (r.secret !== undefined && !candidates.some((c) => c.secret === r.secret)) candidates.push({ label: `the secret of ${r.label}`, secret: r.secret, racer: r });
  const valid: typeof candidates = [];
  for (const c of candidates) {
    const ok = await authenticates(run, `after the race: ${c.label}`, c.secret);
    if (ok === undefined) return; // no answer: the call's own finding says so
    if (ok) valid.push(c);
  }
  const won = racers.some((r) => r.secret !== undefined);
  const times = racers.map(describeRacer).join('; ');
  const expected = won ? 'exactly one secret authenticates: the winning regeneration\'s' : 'exactly one secret authenticates: the old one, as neither regeneration won';
  if (valid.length > 1) {
    run.report([
      error('race_single_winner', `after two regenerations sent at once, ${valid.length} secrets authenticate (${valid.map((v) => v.label).join(', ')}); exactly one may: the winner's. ${times}`, {
        expected,
        actual: `${valid.length} valid secrets: ${valid.map((v) => v.label).join(', ')}`,
        exchange: labels.join(' and '),
      }),
    ]);
  } else if (valid.length === 0) {
    run.report([
      error('race_single_winner', `after two regenerations sent at once, no secret authenticates (${candidates.map((c) => c.label).join(', ')} all refused); the winner's must. ${times}`, {
        expected,
        actual: 'no valid secret',
        exchange: labels.join(' and '),
      }),
    ]);
  } else if (won && valid[0]!.racer === undefined) {
    run.report([
      error('race_single_winner', `after two regenerations sent at once, the old secret still authenticates and no answered one does, although ${racers.filter((r) => r.secret).length} answered 200. ${times}`, {
        expected,
        actual: 'the old secret is the valid one',
        exchange: labels.join(' and '),
      }),
    ]);
  }
};
