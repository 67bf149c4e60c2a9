/**
 * Fields a body carries that its documentation does not list (check id
 * `undocumented_fields`, severity warning, one finding per field). Only
 * objects whose schema lists properties are judged; a free-form object such as
 * `detail: {}` never is.
 */
import { warning, type Finding } from '../model/finding.ts';
import { isObject } from '../model/json.ts';
import { escapePointer, type JSONSchema } from './json-schema.ts';
import { isNullSchema, schemaAt, selectBranch } from './navigate.ts';

/** One warning per undocumented field of `body`, judged against `schema` (the body of `status`). */
export function undocumentedFieldFindings(schema: JSONSchema, status: number, body: unknown, exchange?: string): Finding[] {
  const findings: Finding[] = [];
  const seen = new Set<string>();
  walkUndocumented([schema], body, '', schema, (pointer, documented) => {
    if (seen.has(pointer)) return;
    seen.add(pointer);
    const list = documented.length > 12 ? `${documented.slice(0, 12).join(', ')}, ...` : documented.join(', ');
    findings.push(
      warning('undocumented_fields', `${status} body: ${pointer} is not a documented field (documented here: ${list})`, {
        instancePath: pointer,
        ...(exchange ? { exchange } : {}),
      }),
    );
  });
  return findings;
}

interface Shape {
  /** Documented property name -> the schemas that describe it. */
  properties: Map<string, JSONSchema[]>;
  /** Some schema here admits any property (additionalProperties / free-form map). */
  open: boolean;
  additional: JSONSchema[];
  items: JSONSchema[];
}

/** Merges what a value's applicable schemas document: own keywords, allOf, the selected oneOf branch, non-null anyOf branches. */
function shapeOf(schemas: JSONSchema[], value: unknown, root: JSONSchema): Shape {
  const shape: Shape = { properties: new Map(), open: false, additional: [], items: [] };
  const visit = (s: unknown, depth: number) => {
    if (!isObject(s) || depth > 50) return;
    if (typeof s.$ref === 'string' && s.$ref.startsWith('#/')) visit(schemaAt(root, s.$ref), depth + 1);
    if (isObject(s.properties)) {
      for (const [name, sub] of Object.entries(s.properties)) {
        const list = shape.properties.get(name) ?? [];
        list.push(sub as JSONSchema);
        shape.properties.set(name, list);
      }
    }
    if (s.additionalProperties === true || isObject(s.additionalProperties)) shape.open = true;
    if (isObject(s.additionalProperties)) shape.additional.push(s.additionalProperties);
    if (isObject(s.items)) shape.items.push(s.items);
    if (Array.isArray(s.allOf)) for (const sub of s.allOf) visit(sub, depth + 1);
    if (Array.isArray(s.anyOf)) for (const sub of s.anyOf) if (!isNullSchema(sub)) visit(sub, depth + 1);
    if (Array.isArray(s.oneOf)) {
      const selected = selectBranch(s.oneOf, value);
      // Without a selected variant, judging against all branches at once is the
      // lenient reading; the schema check already reports the unmatched body.
      if (selected >= 0) visit(s.oneOf[selected], depth + 1);
      else for (const sub of s.oneOf) visit(sub, depth + 1);
    }
  };
  for (const s of schemas) visit(s, 0);
  return shape;
}

function walkUndocumented(
  schemas: JSONSchema[],
  value: unknown,
  pointer: string,
  root: JSONSchema,
  report: (pointer: string, documented: string[]) => void,
) {
  if (value === null || typeof value !== 'object') return;
  const shape = shapeOf(schemas, value, root);
  if (Array.isArray(value)) {
    if (shape.items.length > 0) value.forEach((item, i) => walkUndocumented(shape.items, item, `${pointer}/${i}`, root, report));
    return;
  }
  const documented = [...shape.properties.keys()];
  for (const [key, sub] of Object.entries(value as Record<string, unknown>)) {
    const at = `${pointer}/${escapePointer(key)}`;
    const described = shape.properties.get(key);
    if (described) walkUndocumented(described, sub, at, root, report);
    else if (shape.additional.length > 0) walkUndocumented(shape.additional, sub, at, root, report);
    else if (documented.length > 0 && !shape.open) report(at, documented);
  }
}
