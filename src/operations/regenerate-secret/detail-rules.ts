/** Extra rules on the `detail` of regenerate-secret's errors, by the names its catalogue uses. */
import { isIP } from 'node:net';
import { error } from '../../model/finding.ts';
import type { DetailRule } from '../types.ts';

const ipAddressIsIp: DetailRule = ({ detail, exchange }) => {
  const ip = detail.ip_address;
  if (typeof ip === 'string' && isIP(ip) !== 0) return [];
  return [error('detail_ip_address', `detail.ip_address must be the caller's IP address, received ${ip === undefined ? 'nothing' : JSON.stringify(ip)}`, { instancePath: '/detail/ip_address', expected: 'an IPv4 or IPv6 address', actual: ip ?? null, exchange })];
};

const scopesIncludeApiTokens: DetailRule = ({ detail, exchange }) => {
  const scopes = detail.scopes;
  const ok = Array.isArray(scopes) && scopes.some((s) => s === 'api_tokens' || s === 'api.katapult.io/core/v1/api_tokens');
  if (ok) return [];
  return [error('detail_scopes', `detail.scopes must name the missing scope api_tokens (or api.katapult.io/core/v1/api_tokens), received ${JSON.stringify(scopes ?? null)}`, { instancePath: '/detail/scopes', expected: ['api_tokens'], actual: scopes ?? null, exchange })];
};

const errorsNonemptyStrings: DetailRule = ({ detail, exchange }) => {
  const errors = detail.errors;
  const ok = Array.isArray(errors) && errors.length > 0 && errors.every((e) => typeof e === 'string');
  if (ok) return [];
  return [error('detail_errors', `detail.errors must be a non-empty array of strings, received ${JSON.stringify(errors ?? null)}`, { instancePath: '/detail/errors', expected: 'non-empty array of strings', actual: errors ?? null, exchange })];
};

const totalPermittedMatchesState: DetailRule = ({ detail, state, exchange }) => {
  const expected = state?.total_permitted;
  if (detail.total_permitted === expected) return [];
  return [error('detail_total_permitted', `detail.total_permitted must equal the state's total_permitted ${JSON.stringify(expected)}, received ${JSON.stringify(detail.total_permitted ?? null)}`, { instancePath: '/detail/total_permitted', expected, actual: detail.total_permitted ?? null, exchange })];
};

export const detailRules: Readonly<Record<string, DetailRule>> = {
  ip_address_is_ip: ipAddressIsIp,
  scopes_include_api_tokens: scopesIncludeApiTokens,
  errors_nonempty_strings: errorsNonemptyStrings,
  total_permitted_matches_state: totalPermittedMatchesState,
};
