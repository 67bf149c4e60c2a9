/**
 * reports/badge.svg: "conformance | pass 23/23" (the verdict, and scenarios
 * passed of the catalogue), coloured by verdict. Pure: a statement in, SVG out.
 */
import type { Statement } from './statement.ts';

const COLOURS: Record<Statement['verdict'], string> = { pass: '#2e7d32', fail: '#c62828', incomplete: '#b26a00' };

/** Rough width of Verdana 11px text: enough for a badge, no font metrics needed. */
const textWidth = (s: string) => Math.ceil(s.length * 6.6) + 10;

const escapeXml = (s: string) => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function badgeText(statement: Statement): string {
  const passed = statement.counts.passed ?? 0;
  return `${statement.verdict} ${passed}/${statement.catalogue.scenarios}`;
}

export function renderBadge(statement: Statement): string {
  const label = 'conformance';
  const value = badgeText(statement);
  const lw = textWidth(label);
  const vw = textWidth(value);
  const w = lw + vw;
  const colour = COLOURS[statement.verdict] ?? '#555';
  const title = `${label}: ${value} (${statement.suite.name} ${statement.suite.version})`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="20" role="img" aria-label="${escapeXml(title)}">
<!-- Written by ${escapeXml(statement.suite.name)} ${escapeXml(statement.suite.version)} with conformance-statement.json (fingerprint ${statement.fingerprint.value.slice(0, 16)}…) -->
<title>${escapeXml(title)}</title>
<rect width="${lw}" height="20" fill="#555"/>
<rect x="${lw}" width="${vw}" height="20" fill="${colour}"/>
<g fill="#fff" text-anchor="middle" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11">
<text x="${lw / 2}" y="14">${label}</text>
<text x="${lw + vw / 2}" y="14">${escapeXml(value)}</text>
</g>
</svg>
`;
}
