/**
 * The facts of a run that its reports state (target, mode, how states are
 * arranged, envelope, shard). A plain run reads them from its own
 * configuration; a merge of shards runs in another process with another
 * environment, so every test also attaches them (RUN_FACTS_ATTACHMENT, no
 * secret in it: URLs are masked as in every report) and the blob carries them
 * to the merge.
 */
import { loadConfig } from '../config/env.ts';
import { RUN_ID_VARIABLE, runPrefix } from '../arrange/live-names.ts';
import type { RunModel } from './model.ts';
import { maskUrlPasswords } from '../model/redact.ts';

export const RUN_FACTS_ATTACHMENT = 'conformance-run';

export interface RunFacts {
  target: RunModel['target'];
  shard: { current: number; total: number } | null;
  /** Live mode: the run id in the throwaway tokens' names (one per shard). */
  runId?: string;
}

export const PROFILE = 'strict (error bodies require code, description and an object detail; 403 discriminated on code)';

const MODE_LABEL: Record<string, string> = {
  bundled: 'bundled reference mock',
  state: 'vendor mock with provider states',
  live: 'live deployment',
  'base-only': 'BASE_URL only (no states)',
};

export function targetFacts(env: NodeJS.ProcessEnv = process.env): RunModel['target'] {
  let target: RunModel['target'] = {
    baseUrl: env.BASE_URL ? maskUrlPasswords(env.BASE_URL) : null,
    mode: 'unknown',
    modeLabel: 'unknown (the configuration could not be read)',
    stateArrangement: 'unknown',
    envelope: env.ERROR_ENVELOPE ?? 'flat',
    profile: PROFILE,
  };
  try {
    const config = loadConfig(env);
    target = {
      ...target,
      baseUrl: config.baseUrl ? maskUrlPasswords(config.baseUrl) : null,
      mode: config.mode,
      modeLabel: MODE_LABEL[config.mode],
      stateArrangement:
        config.mode === 'base-only'
          ? 'none: only scenarios that need no state run'
          : config.mode === 'live'
            ? `throwaway tokens named ${runPrefix(env[RUN_ID_VARIABLE] ?? '<run id>')}… created and deleted through the API (organization ${config.live!.organization})`
            : `provider-state endpoint ${config.stateUrl ? maskUrlPasswords(config.stateUrl) : '(started with the run)'}`,
      envelope: config.envelope,
    };
  } catch {
    // The configuration error itself is reported as a run error.
  }
  return target;
}

export function runFacts(shard: RunFacts['shard'], env: NodeJS.ProcessEnv = process.env): RunFacts {
  return { target: targetFacts(env), shard, ...(env[RUN_ID_VARIABLE] ? { runId: env[RUN_ID_VARIABLE] } : {}) };
}

/**
 * The merged facts of several shards: the first shard's, with every shard
 * listed. Shards of one run point at one target; when they do not, that is a
 * run error (a merge of unrelated runs proves nothing about either).
 */
export function mergeFacts(all: RunFacts[]): { facts: RunFacts | undefined; shards: { current: number; total: number }[]; errors: string[] } {
  const errors: string[] = [];
  const shards: { current: number; total: number }[] = [];
  const seen = new Set<string>();
  for (const f of all) {
    if (!f.shard) continue;
    const key = `${f.shard.current}/${f.shard.total}`;
    if (!seen.has(key)) {
      seen.add(key);
      shards.push(f.shard);
    }
  }
  shards.sort((a, b) => a.current - b.current);
  const first = all[0];
  if (!first) return { facts: undefined, shards, errors };
  const totals = new Set(shards.map((s) => s.total));
  if (totals.size > 1) errors.push(`the blobs come from runs split differently (--shard=…/${[...totals].join(', …/')}): merge the blobs of one run`);
  for (const f of all) {
    const differs = f.target.mode !== first.target.mode || f.target.envelope !== first.target.envelope || (f.target.mode !== 'bundled' && f.target.baseUrl !== first.target.baseUrl);
    if (differs) {
      errors.push(`the shards ran against different targets (${first.target.mode} ${first.target.baseUrl ?? ''} and ${f.target.mode} ${f.target.baseUrl ?? ''}): merge the blobs of one run`);
      break;
    }
  }
  let target = first.target;
  if (first.target.mode === 'bundled' && shards.length > 1) target = { ...target, baseUrl: `${first.target.baseUrl ?? ''} (each shard started its own bundled mock)`, stateArrangement: 'provider-state endpoint of each shard\'s bundled mock' };
  if (first.target.mode === 'live' && shards.length > 1) {
    const ids = [...new Set(all.map((f) => f.runId).filter(Boolean))];
    if (ids.length > 1) target = { ...target, stateArrangement: `${target.stateArrangement} (one run id per shard: ${ids.join(', ')})` };
  }
  return { facts: { ...first, target }, shards, errors };
}
