/**
 * `npm pack`'s prepack, after the build: writes dist/build-info.json (the
 * commit the package is packed from, and whether the tree was dirty) so that
 * an installed package, which has no `.git`, still names its commit in its
 * provenance. Run compiled: `node dist/src/report/write-build-info.js`.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../model/suite-root.ts';
import { BUILD_INFO_FILE, buildInfoOf, renderBuildInfo } from './build-info.ts';

const info = buildInfoOf(REPO_ROOT);
writeFileSync(path.join(REPO_ROOT, BUILD_INFO_FILE), renderBuildInfo(info));
process.stdout.write(`${BUILD_INFO_FILE}: commit ${info.commit ?? 'unknown'}${info.dirty ? ' (with uncommitted changes)' : ''}\n`);
