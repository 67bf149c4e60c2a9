/**
 * Finding one's way in a body and in its schema: JSON pointers into either,
 * and which oneOf branch a body's `code` selects. Shared by the Ajv-error
 * mapping and the undocumented-fields walk.
 */
import { fixedCode, TAG, VARIANT_KEYWORD, type JSONSchema } from './json-schema.ts';
import { isObject } from '../model/json.ts';

const unescapePointer = (s: string) => s.replace(/~1/g, '/').replace(/~0/g, '~');
export const segments = (pointer: string) => pointer.replace(/^#/, '').split('/').slice(1).map(unescapePointer);

/** The value at a JSON pointer ("" is the whole value). */
export function valueAt(root: unknown, pointer: string): unknown {
  let node = root;
  for (const seg of pointer ? segments(pointer) : []) {
    if (Array.isArray(node)) node = node[Number(seg)];
    else if (isObject(node)) node = node[seg];
    else return undefined;
  }
  return node;
}

/** The schema node at an Ajv schemaPath ("#/oneOf/0/properties/x/type"). */
export function schemaAt(root: JSONSchema, schemaPath: string): unknown {
  let node: unknown = root;
  for (const seg of segments(schemaPath)) {
    if (Array.isArray(node)) node = node[Number(seg)];
    else if (isObject(node)) node = node[seg];
    else return undefined;
  }
  return node;
}

export const isWithin = (path: string, parent: string) => path === parent || path.startsWith(`${parent}/`);
export const isNullSchema = (s: unknown) => isObject(s) && s.type === 'null' && Object.keys(s).length === 1;

/** Which oneOf branch a value's `code` selects: by the branch's x-variant, else its fixed code. */
export function selectBranch(branches: unknown[], value: unknown): number {
  if (!isObject(value) || typeof value[TAG] !== 'string') return -1;
  return branches.findIndex(
    (b) => isObject(b) && (b[VARIANT_KEYWORD] === value[TAG] || (isObject(b.properties) && fixedCode(b.properties[TAG]) === value[TAG])),
  );
}
