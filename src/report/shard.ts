/**
 * Which shard a run is (`npx playwright test --shard=i/n`), and the names its
 * files take so that shards sharing a reports folder never overwrite each
 * other. playwright.config.ts reads the command line (the configuration is
 * loaded before Playwright hands it the shard); reporters read config.shard.
 */
export interface Shard {
  current: number;
  total: number;
}

export function shardFromArgv(argv: string[] = process.argv): Shard | null {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = a.startsWith('--shard=') ? a.slice('--shard='.length) : a === '--shard' ? argv[i + 1] : undefined;
    if (value === undefined) continue;
    const m = /^(\d+)\/(\d+)$/.exec(value.trim());
    if (!m) return null;
    const shard = { current: Number(m[1]), total: Number(m[2]) };
    // Playwright rejects a malformed shard itself; "1/1" is the whole run.
    return shard.total > 1 && shard.current >= 1 && shard.current <= shard.total ? shard : null;
  }
  return null;
}

/** "shard-1-of-2", the part of a shard's file names that keeps them apart. */
export const shardTag = (shard: Shard) => `shard-${shard.current}-of-${shard.total}`;

/** `conformance.json` for a whole run, `conformance-shard-1-of-2.json` for a shard. */
export function shardFileName(name: string, shard: Shard | null | undefined): string {
  if (!shard) return name;
  const dot = name.lastIndexOf('.');
  return dot > 0 ? `${name.slice(0, dot)}-${shardTag(shard)}${name.slice(dot)}` : `${name}-${shardTag(shard)}`;
}

/** Set by `npm run merge` (src/merge/cli.ts) for the merge-reports process: it merges the blobs of shards in that folder. */
export const MERGE_ENV = 'CONFORMANCE_MERGE_DIR';
