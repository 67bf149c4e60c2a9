/** Writes the conformance statement (JSON and Markdown) and the badge of a run into its reports folder. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RunModel } from './model.ts';
import { renderBadge } from './render-badge.ts';
import { renderStatementMarkdown } from './render-statement-md.ts';
import { buildStatement, renderStatementJson } from './statement.ts';

export function writeStatement(outputDir: string, model: RunModel): void {
  const statement = buildStatement(model);
  writeFileSync(path.join(outputDir, 'conformance-statement.json'), renderStatementJson(statement));
  writeFileSync(path.join(outputDir, 'conformance-statement.md'), renderStatementMarkdown(statement));
  writeFileSync(path.join(outputDir, 'badge.svg'), renderBadge(statement));
}
