/**
 * The one place where Ajv errors become Findings. Findings are written for a
 * QA engineer: they name the status, the variant a oneOf body meant (from its
 * `code`), the field, what was expected and what came back, e.g.
 *   403 body (variant UnauthorizedNetworkForAPITokenSchema, code unauthorized_network_for_api_token): /detail/ip_address must be string, got number
 */
import type { ErrorObject } from 'ajv';
import { error, type Finding } from '../model/finding.ts';
import { isObject } from '../model/json.ts';
import { escapePointer, fixedCode, TAG, VARIANT_KEYWORD, type JSONSchema } from './json-schema.ts';
import { isNullSchema, isWithin, schemaAt, segments, selectBranch, valueAt } from './navigate.ts';

export interface ErrorContext {
  /** HTTP status of the response (or a label such as "request"). */
  status: number | string;
  /** The root schema that was validated: oneOf branches are named from it. */
  schema: JSONSchema;
  /** The validated value: only the value at an error's instancePath is ever quoted. */
  body: unknown;
  exchange?: string;
  /** Check id; defaults to "schema". */
  check?: string;
  /** How the body is named in messages; defaults to "<status> body". */
  subject?: string;
}

/**
 * The one place Ajv errors are turned into Findings. Redundant errors are
 * collapsed first: of a oneOf only the branch that the body's `code` selects is
 * reported (or one "matches no variant" finding when none is selected), and of a
 * nullable `anyOf [T, null]` only T's errors, read as "T or null".
 */
export function ajvErrorsToFindings(errors: readonly ErrorObject[] | null | undefined, context: ErrorContext): Finding[] {
  if (!errors || errors.length === 0) return [];
  const { kept, orNull } = collapse(errors, context);
  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (const e of kept) {
    const finding = describe(e, context, orNull.has(e));
    const key = `${finding.instancePath}\u0000${finding.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    findings.push(finding);
  }
  return findings;
}

function collapse(errors: readonly ErrorObject[], ctx: ErrorContext) {
  const dropped = new Set<ErrorObject>();
  const orNull = new Set<ErrorObject>();
  // Outermost combinators first, so that an inner one in a dropped branch is dropped with it.
  const combinators = errors
    .filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf')
    .sort((a, b) => a.schemaPath.length - b.schemaPath.length);

  for (const c of combinators) {
    if (dropped.has(c)) continue;
    const prefix = `${c.schemaPath}/`;
    const children = errors.filter((e) => e !== c && e.schemaPath.startsWith(prefix) && isWithin(e.instancePath, c.instancePath));
    const branchOf = (e: ErrorObject) => Number(e.schemaPath.slice(prefix.length).split('/')[0]);
    const branches = schemaAt(ctx.schema, c.schemaPath);
    const list = Array.isArray(branches) ? branches : [];

    if (c.keyword === 'oneOf') {
      const selected = c.params.passingSchemas ? -1 : selectBranch(list, valueAt(ctx.body, c.instancePath));
      if (selected >= 0 && children.some((e) => branchOf(e) === selected)) {
        dropped.add(c);
        for (const e of children) if (branchOf(e) !== selected) dropped.add(e);
      } else {
        // No branch is meant (or several match): one finding about the oneOf itself.
        for (const e of children) dropped.add(e);
      }
    } else {
      const nullBranch = list.findIndex(isNullSchema);
      const others = children.filter((e) => branchOf(e) !== nullBranch);
      if (nullBranch >= 0) for (const e of children) if (branchOf(e) === nullBranch) dropped.add(e);
      if (others.length > 0) {
        dropped.add(c);
        if (nullBranch >= 0) {
          for (const e of others) if (e.keyword === 'type' && e.instancePath === c.instancePath) orNull.add(e);
        }
      }
    }
  }
  return { kept: errors.filter((e) => !dropped.has(e)), orNull };
}

const jsonType = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/**
 * A value as quoted in a finding: primitives as they are (long strings cut),
 * containers only by their shape, since they may hold a secret and the finding
 * is about the container, not its content.
 */
function quote(v: unknown): unknown {
  if (typeof v === 'string') return v.length > 120 ? `${v.slice(0, 120)}…` : v;
  if (Array.isArray(v)) return `<array of ${v.length} item${v.length === 1 ? '' : 's'}>`;
  if (isObject(v)) return `<object with ${Object.keys(v).length} key${Object.keys(v).length === 1 ? '' : 's'}>`;
  return v;
}
const show = (v: unknown) => {
  const q = quote(v);
  return typeof q === 'string' && !(Array.isArray(v) || isObject(v)) ? JSON.stringify(q) : String(q);
};
const list = (values: unknown[]) => values.map((v) => JSON.stringify(v)).join(', ');

/** The schemaPath with each oneOf branch index replaced by its title: #/oneOf[InvalidAPITokenSchema]/... */
export function readableSchemaPath(root: JSONSchema, schemaPath: string): string {
  const segs = segments(schemaPath);
  const out: string[] = [];
  let node: unknown = root;
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i];
    const next = segs[i + 1];
    if (seg === 'oneOf' && next !== undefined && /^\d+$/.test(next) && isObject(node) && Array.isArray(node.oneOf)) {
      const branch = node.oneOf[Number(next)];
      out.push(isObject(branch) && typeof branch.title === 'string' ? `oneOf[${branch.title}]` : `oneOf/${next}`);
      node = branch;
      i++;
      continue;
    }
    out.push(escapePointer(seg));
    node = Array.isArray(node) ? node[Number(seg)] : isObject(node) ? node[seg] : undefined;
  }
  return `#/${out.join('/')}`;
}

/** The variant of the root oneOf an error lies in, if any. */
function rootVariant(root: JSONSchema, schemaPath: string): { title: string; code?: string } | undefined {
  const m = /^#\/oneOf\/(\d+)(\/|$)/.exec(schemaPath);
  if (!m || !Array.isArray(root.oneOf)) return undefined;
  const branch = root.oneOf[Number(m[1])];
  if (!isObject(branch) || typeof branch.title !== 'string') return undefined;
  return { title: branch.title, code: typeof branch[VARIANT_KEYWORD] === 'string' ? (branch[VARIANT_KEYWORD] as string) : undefined };
}

/** The codes a discriminated (or code-fixing) oneOf documents, from its branches. */
function documentedCodes(oneOfOwner: unknown): string[] {
  if (!isObject(oneOfOwner) || !Array.isArray(oneOfOwner.oneOf)) return [];
  return oneOfOwner.oneOf
    .map((b) => (isObject(b) ? (b[VARIANT_KEYWORD] ?? (isObject(b.properties) ? fixedCode(b.properties[TAG]) : undefined)) : undefined))
    .filter((c): c is string => typeof c === 'string');
}

function describe(e: ErrorObject, ctx: ErrorContext, orNull: boolean): Finding {
  const subject = ctx.subject ?? `${ctx.status} body`;
  const variant = rootVariant(ctx.schema, e.schemaPath);
  const head = variant ? `${subject} (variant ${variant.title}${variant.code ? `, code ${variant.code}` : ''})` : subject;
  const value = valueAt(ctx.body, e.instancePath);
  const p = e.params as Record<string, unknown>;
  let pointer = e.instancePath;
  let text: string;
  let expected: unknown;
  let actual: unknown = quote(value);
  let hasActual = true;

  switch (e.keyword) {
    case 'type': {
      const types = ([] as string[]).concat(p.type as string | string[]);
      if (orNull && !types.includes('null')) types.push('null');
      expected = types.length === 1 ? types[0] : types;
      text = `must be ${types.join(' or ')}, got ${jsonType(value)}`;
      break;
    }
    case 'required': {
      pointer = `${e.instancePath}/${escapePointer(String(p.missingProperty))}`;
      text = 'is required but missing';
      expected = 'present';
      actual = 'missing';
      break;
    }
    case 'enum': {
      const allowed = (p.allowedValues as unknown[]) ?? [];
      expected = allowed.length === 1 ? allowed[0] : allowed;
      text = allowed.length === 1 ? `must be ${list(allowed)}, got ${show(value)}` : `must be one of ${list(allowed)}, got ${show(value)}`;
      break;
    }
    case 'const':
      expected = p.allowedValue;
      text = `must be ${JSON.stringify(p.allowedValue)}, got ${show(value)}`;
      break;
    case 'format':
      expected = `a valid ${p.format}`;
      text = `must be a valid ${p.format}, got ${show(value)}`;
      break;
    case 'additionalProperties':
      pointer = `${e.instancePath}/${escapePointer(String(p.additionalProperty))}`;
      text = 'is not allowed (the schema admits no other properties)';
      expected = 'absent';
      actual = 'present';
      break;
    case 'discriminator': {
      const codes = documentedCodes(schemaAt(ctx.schema, e.schemaPath.replace(/\/discriminator$/, '')));
      const tagName = String(p.tag ?? TAG);
      pointer = `${e.instancePath}/${escapePointer(tagName)}`;
      const tagValue = valueAt(ctx.body, pointer);
      expected = codes;
      actual = quote(tagValue);
      if (p.error === 'mapping') {
        text = `${show(tagValue)} is not a documented ${tagName} for status ${ctx.status} (documented: ${codes.join(', ')})`;
      } else if (tagValue === undefined) {
        text = `is missing; it must name the variant, one of: ${codes.join(', ')}`;
        actual = 'missing';
      } else {
        text = `must be a string naming the variant (one of: ${codes.join(', ')}), got ${jsonType(tagValue)}`;
      }
      break;
    }
    case 'oneOf': {
      const branches = schemaAt(ctx.schema, e.schemaPath);
      const titles = (Array.isArray(branches) ? branches : []).map((b, i) => (isObject(b) && typeof b.title === 'string' ? b.title : `#${i}`));
      const passing = p.passingSchemas as number[] | null;
      if (Array.isArray(passing)) {
        text = `matches more than one variant (${passing.map((i) => titles[i]).join(', ')}); the documentation allows exactly one`;
        expected = 'exactly one variant';
        actual = passing.map((i) => titles[i]);
      } else {
        const codes = documentedCodes(schemaAt(ctx.schema, e.schemaPath.replace(/\/oneOf$/, '')));
        const tag = isObject(value) ? value[TAG] : undefined;
        text =
          codes.length > 0
            ? `matches none of the documented variants: ${TAG} ${tag === undefined ? 'is missing' : `${show(tag)} is not one of`} ${codes.join(', ')}`
            : `matches none of the documented variants (${titles.join(', ')})`;
        expected = codes.length > 0 ? codes : titles;
        actual = codes.length > 0 ? quote(tag) : quote(value);
      }
      break;
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      expected = `${p.comparison} ${p.limit}`;
      text = `must be ${p.comparison} ${p.limit}, got ${show(value)}`;
      break;
    case 'pattern':
      expected = `matching ${p.pattern}`;
      text = `must match the pattern ${p.pattern}, got ${show(value)}`;
      break;
    default:
      // minLength, maxItems, uniqueItems...: Ajv's own wording is already plain English.
      text = `${e.message ?? `fails ${e.keyword}`}${value === undefined ? '' : `, got ${show(value)}`}`;
      hasActual = value !== undefined;
  }

  const message = pointer ? `${head}: ${pointer} ${text}` : `${head} ${text}`;
  return error(ctx.check ?? 'schema', message, {
    ...(expected !== undefined ? { expected } : {}),
    ...(hasActual ? { actual } : {}),
    instancePath: pointer,
    schemaPath: readableSchemaPath(ctx.schema, e.schemaPath),
    ...(ctx.exchange ? { exchange: ctx.exchange } : {}),
  });
}
