/**
 * The type of each field a provider-state answer may carry, as the contract
 * states it, with the words to tell a vendor what is wrong and how to fix it.
 * Which state needs which field is in provider-states.ts.
 */
import { isObject } from '../model/json.ts';

export type StateField = 'bearer' | 'api_token' | 'secret' | 'total_permitted' | 'headers';

interface FieldRule {
  /** The expected type, as a phrase ("a non-empty string"). */
  expected: string;
  /** What to answer instead, for the "how to fix it" column. */
  fix: string;
  /** undefined when the value is right, else what is wrong with it (never the value itself: it may be a secret). */
  problem(value: unknown): string | undefined;
}

/** The JSON type of a value, in words, without the value. */
export function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return value === '' ? 'an empty string' : 'a string';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a number with a fraction';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

const nonEmptyString = (value: unknown) => (typeof value === 'string' && value !== '' ? undefined : `is ${jsonTypeOf(value)}`);

export const STATE_FIELD_RULES: Record<StateField, FieldRule> = {
  bearer: {
    expected: 'a non-empty string',
    fix: 'answer "bearer": the secret the suite sends as Authorization: Bearer <bearer>',
    problem: nonEmptyString,
  },
  secret: {
    expected: 'a non-empty string',
    fix: 'answer "secret": the current secret of api_token (it may equal bearer)',
    problem: nonEmptyString,
  },
  api_token: {
    expected: 'an object with a non-empty string "id"',
    fix: 'answer "api_token": the token as stored, without its secret, e.g. {"id": "tok_1", "name": …}',
    problem(value) {
      if (!isObject(value)) return `is ${jsonTypeOf(value)}`;
      if (value.id === undefined) return 'has no "id"';
      return typeof value.id === 'string' && value.id !== '' ? undefined : `has an "id" that is ${jsonTypeOf(value.id)}`;
    },
  },
  total_permitted: {
    expected: 'an integer',
    fix: 'answer "total_permitted": the rate limit the 429 will report, as a JSON integer (e.g. 120, not "120")',
    problem: (value) => (Number.isInteger(value) ? undefined : `is ${jsonTypeOf(value)}`),
  },
  headers: {
    expected: 'an object whose values are all strings',
    fix: 'answer "headers" as {"Header-Name": "value", …}, every value a string',
    problem(value) {
      if (!isObject(value)) return `is ${jsonTypeOf(value)}`;
      const bad = Object.entries(value).filter(([, v]) => typeof v !== 'string');
      return bad.length ? `has ${bad.map(([k, v]) => `"${k}" that is ${jsonTypeOf(v)}`).join(', ')}` : undefined;
    },
  },
};
