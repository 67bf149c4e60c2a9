/** The suite's one Ajv instance, set up for derived OpenAPI schemas. */
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { VARIANT_KEYWORD } from './json-schema.ts';
import { isObject } from '../model/json.ts';

/** Formats an OpenAPI 3.0 document may use that draft-07 does not define. */
const OPENAPI_FORMATS = ['int32', 'int64', 'float', 'double', 'byte', 'binary', 'password'];

function createAjv(): Ajv {
  const instance = new Ajv({
    allErrors: true, // every wrong field of a body, not just the first
    discriminator: true, // the strict profile's oneOf bodies are discriminated on `code`
    strict: true,
    // Vendors routinely write `properties`/`required` without `type: "object"`;
    // strictTypes would refuse to compile their own schemas, and adding the type
    // would change what the published profile means. Every other strict check
    // (unknown keywords, unknown formats, required vs properties...) stays on.
    strictTypes: false,
  });
  addFormats(instance); // full mode already knows the OpenAPI formats; the loop below makes sure
  for (const format of OPENAPI_FORMATS) if (!instance.formats[format]) instance.addFormat(format, true);
  // Annotation only: names the code of a oneOf branch (see json-schema.ts).
  instance.addKeyword({ keyword: VARIANT_KEYWORD, schemaType: 'string' });
  return instance;
}

/** The suite's single Ajv instance. */
export const ajv: Ajv = createAjv();

/**
 * Strict mode refuses a format it does not know. A vendor document may use its
 * own (say "ip-address"); the suite cannot check those, but refusing the whole
 * schema over them would stop every run, so they are accepted unchecked.
 */
export function allowUnknownFormats(schema: unknown) {
  if (Array.isArray(schema)) return schema.forEach(allowUnknownFormats);
  if (!isObject(schema)) return;
  if (typeof schema.format === 'string' && !ajv.formats[schema.format]) ajv.addFormat(schema.format, true);
  for (const value of Object.values(schema)) allowUnknownFormats(value);
}
