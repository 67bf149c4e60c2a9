/**
 * The house's shape, checked: imports point down the layers of src/ (a
 * module imports values only from layers below its own), and no file imports
 * itself back through others (no cycle, type imports included). A move that
 * breaks either fails here, naming the import.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../src/model/suite-root.ts';

/** The layers of src/, lowest first; a folder imports values only from folders of a lower layer. */
const LAYERS: string[][] = [
  ['model'],
  ['protocol', 'schema', 'process'],
  ['config'],
  ['checks', 'leak'],
  ['sweep'],
  ['operations'],
  ['engine'],
  ['arrange'],
  ['runner', 'report', 'mock', 'fault-proxy'],
  ['suite', 'merge'],
  ['cli'],
];
const layerOf = new Map(LAYERS.flatMap((folders, rank) => folders.map((f) => [f, rank] as const)));

interface Import {
  from: string;
  to: string;
  typeOnly: boolean;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function importsOf(file: string): Import[] {
  const text = readFileSync(file, 'utf8');
  const out: Import[] = [];
  for (const m of text.matchAll(/^(?:import|export)(\s+type)?\s[^;]*?from\s*['"](\.{1,2}\/[^'"]+)['"]/gms)) {
    out.push({ from: file, to: path.normalize(path.join(path.dirname(file), m[2]!)), typeOnly: Boolean(m[1]) });
  }
  for (const m of text.matchAll(/import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g)) out.push({ from: file, to: path.normalize(path.join(path.dirname(file), m[1]!)), typeOnly: false });
  return out;
}

const SRC = path.join(REPO_ROOT, 'src');
const files = sourceFiles(SRC);
const imports = files.flatMap(importsOf);
const folder = (file: string) => path.relative(SRC, file).split(path.sep)[0]!;
const rel = (file: string) => path.relative(REPO_ROOT, file);

test('every folder of src/ has a layer', () => {
  const folders = new Set(files.map(folder).filter((f) => !f.endsWith('.ts')));
  assert.deepEqual([...folders].filter((f) => !layerOf.has(f)), []);
  assert.ok(folders.size >= 10, `only ${folders.size} folders found: the walk is broken`);
});

test('imports of values point down the layers', () => {
  const up = imports.filter((i) => !i.typeOnly && folder(i.from) !== folder(i.to) && layerOf.get(folder(i.to))! >= layerOf.get(folder(i.from))!);
  assert.deepEqual(up.map((i) => `${rel(i.from)} -> ${rel(i.to)}`), []);
});

test('no import cycle between files (type imports included)', () => {
  const graph = new Map<string, string[]>(files.map((f) => [f, []]));
  for (const i of imports) if (graph.has(i.to)) graph.get(i.from)!.push(i.to);
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const visit = (f: string, trail: string[]) => {
    if (state.get(f) === 'done') return;
    if (state.get(f) === 'open') {
      cycles.push([...trail.slice(trail.indexOf(f)), f].map(rel).join(' -> '));
      return;
    }
    state.set(f, 'open');
    for (const t of graph.get(f)!) visit(t, [...trail, f]);
    state.set(f, 'done');
  };
  for (const f of files) visit(f, []);
  assert.deepEqual(cycles, []);
  assert.ok(imports.length > 200, `only ${imports.length} imports read: the parser is broken`);
});
