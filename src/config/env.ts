/**
 * Suite configuration, from the environment and an optional `.env` file
 * (variables already set in the environment win). Every problem a user can
 * make here becomes a ConfigError with one sentence that names the variable.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import dotenv from 'dotenv';
import { maskUrlPasswords } from '../model/redact.ts';
import { REPO_ROOT } from '../model/suite-root.ts';

export type ErrorEnvelope = 'flat' | 'wrapped';

/**
 * How states are arranged:
 * - bundled: BASE_URL unset; the suite starts its reference mock and uses its state endpoint.
 * - state: a vendor mock with a provider-state endpoint (STATE_URL).
 * - live: a real deployment; states are arranged through the API itself.
 * - base-only: BASE_URL alone; only the scenarios that need no state can run.
 */
export type TargetMode = 'bundled' | 'state' | 'live' | 'base-only';

export interface LiveCredentials {
  token: string;
  organization: string;
}

export interface SuiteConfig {
  mode: TargetMode;
  /** Undefined in bundled mode until the mock is started. */
  baseUrl?: string;
  stateUrl?: string;
  live?: LiveCredentials;
  envelope: ErrorEnvelope;
  /** Per-request timeout (REQUEST_TIMEOUT_MS). */
  requestTimeoutMs: number;
  /** Opt-in for the bounded rate-limit burst against a live deployment. */
  liveRateLimitBurst: boolean;
  /** Most requests the opt-in burst may send before giving up (LIVE_RATE_LIMIT_BURST_MAX). */
  liveRateLimitBurstMax: number;
  /** Pacing of the suite's own requests to a live target, per process (LIVE_REQUESTS_PER_SECOND). */
  liveRequestsPerSecond: number;
  /** SECRET_STRENGTH: a guessable issued secret is a warning (`warn`, default) or a failure (`fail`). */
  secretStrength: 'warn' | 'fail';
  /** Opt-in for the authentication-layer sweep against a live deployment (LIVE_AUTH_SWEEP; always on elsewhere). */
  liveAuthSweep: boolean;
}

export class ConfigError extends Error {
  constructor(message: string) {
    // A URL in the message may carry a password (BASE_URL=https://user:pw@host): masked before anything prints it.
    message = maskUrlPasswords(message);
    super(message);
    this.name = 'ConfigError';
    // The message is the whole story: no stack trace for a configuration mistake.
    this.stack = `ConfigError: ${message}`;
  }
}

/** Internal: set by the global setup when it started the bundled mock. */
export const BUNDLED_MARKER = 'CONFORMANCE_BUNDLED_MOCK';

/** The suite's root (computed once, in src/model/suite-root.ts); re-exported for the configuration's callers. */
export { REPO_ROOT };

/** Loads `.env` from the repository root (or DOTENV_CONFIG_PATH) without overriding the environment. */
export function loadDotenv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const file = env.DOTENV_CONFIG_PATH ?? path.join(REPO_ROOT, '.env');
  if (!existsSync(file)) return undefined;
  dotenv.config({ path: file, processEnv: env as Record<string, string>, override: false, quiet: true });
  return file;
}

function parseHttpUrl(name: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${name}="${value}" is not a URL; expected something like http://127.0.0.1:4010/core/v1`);
  }
  if (url.username || url.password) {
    throw new ConfigError(`${name} must not carry user:password@: the suite sends credentials only in the Authorization header, and a password in a URL would end up in logs; remove it`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`${name}="${value}" must be an http:// or https:// URL`);
  }
  return value.replace(/\/+$/, '');
}

/** CONFORMANCE_WORKERS: a positive whole number, or a percentage of the cores as Playwright takes it. */
export function parseWorkers(value: string | undefined): number | string | undefined {
  const v = value?.trim();
  if (!v) return undefined;
  if (/^[1-9]\d*$/.test(v)) return Number(v);
  if (/^[1-9]\d?%$|^100%$/.test(v)) return v;
  throw new ConfigError(`CONFORMANCE_WORKERS="${value}" must be a positive whole number (e.g. 2) or a percentage of the cores (e.g. 50%)`);
}

const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['', '0', 'false', 'no', 'off']);

function parseBoolean(name: string, value: string | undefined): boolean {
  const v = (value ?? '').trim().toLowerCase();
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  throw new ConfigError(`${name}="${value}" must be true or false`);
}

/** Reads and validates the configuration; throws ConfigError with one clear sentence. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): SuiteConfig {
  const get = (name: string) => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };

  const envelopeRaw = get('ERROR_ENVELOPE') ?? 'flat';
  if (envelopeRaw !== 'flat' && envelopeRaw !== 'wrapped') {
    throw new ConfigError(`ERROR_ENVELOPE="${envelopeRaw}" is not known; use "flat" (documented error bodies) or "wrapped" ({"error": {...}} as the vendor's live framework sends them)`);
  }

  const timeoutRaw = get('REQUEST_TIMEOUT_MS') ?? '10000';
  const requestTimeoutMs = Number(timeoutRaw);
  if (!Number.isInteger(requestTimeoutMs) || requestTimeoutMs <= 0) {
    throw new ConfigError(`REQUEST_TIMEOUT_MS="${timeoutRaw}" must be a positive whole number of milliseconds`);
  }

  const burstMaxRaw = get('LIVE_RATE_LIMIT_BURST_MAX') ?? '1000';
  const liveRateLimitBurstMax = Number(burstMaxRaw);
  if (!Number.isInteger(liveRateLimitBurstMax) || liveRateLimitBurstMax <= 0) {
    throw new ConfigError(`LIVE_RATE_LIMIT_BURST_MAX="${burstMaxRaw}" must be a positive whole number of requests`);
  }
  const paceRaw = get('LIVE_REQUESTS_PER_SECOND') ?? '2';
  const liveRequestsPerSecond = Number(paceRaw);
  if (!Number.isFinite(liveRequestsPerSecond) || liveRequestsPerSecond <= 0) {
    throw new ConfigError(`LIVE_REQUESTS_PER_SECOND="${paceRaw}" must be a positive number of requests per second (decimals allowed, e.g. 0.5)`);
  }

  parseWorkers(env.CONFORMANCE_WORKERS);

  const strengthRaw = (get('SECRET_STRENGTH') ?? 'warn').toLowerCase();
  if (strengthRaw !== 'warn' && strengthRaw !== 'fail') {
    throw new ConfigError(`SECRET_STRENGTH="${get('SECRET_STRENGTH')}" is not known; use "warn" (default: a guessable secret is a warning) or "fail" (it fails the scenario)`);
  }

  const token = get('KATAPULT_API_TOKEN');
  const organization = get('KATAPULT_ORGANIZATION');
  if (Boolean(token) !== Boolean(organization)) {
    const missing = token ? 'KATAPULT_ORGANIZATION' : 'KATAPULT_API_TOKEN';
    const present = token ? 'KATAPULT_API_TOKEN' : 'KATAPULT_ORGANIZATION';
    throw new ConfigError(`live mode needs both KATAPULT_API_TOKEN and KATAPULT_ORGANIZATION: ${present} is set but ${missing} is not`);
  }

  const baseUrlRaw = get('BASE_URL');
  const stateUrlRaw = get('STATE_URL');
  const baseUrl = baseUrlRaw ? parseHttpUrl('BASE_URL', baseUrlRaw) : undefined;
  const stateUrl = stateUrlRaw ? parseHttpUrl('STATE_URL', stateUrlRaw) : undefined;
  const live = token && organization ? { token, organization } : undefined;

  if (!baseUrl && stateUrl) {
    throw new ConfigError('STATE_URL is set but BASE_URL is not: set BASE_URL to the API base of the mock whose state endpoint STATE_URL is');
  }
  if (!baseUrl && live) {
    throw new ConfigError('KATAPULT_API_TOKEN and KATAPULT_ORGANIZATION are set but BASE_URL is not: set BASE_URL to the deployment, e.g. https://api.katapult.io/core/v1');
  }
  if (stateUrl && live) {
    throw new ConfigError('STATE_URL and live credentials (KATAPULT_API_TOKEN, KATAPULT_ORGANIZATION) are both set: choose one way of arranging states');
  }

  // The suite's global setup starts the bundled mock and hands its URLs to the
  // workers through the environment, marked so that they still report "bundled".
  const bundledStarted = env[BUNDLED_MARKER] === '1' && baseUrl && stateUrl;
  const mode: TargetMode = !baseUrl || bundledStarted ? 'bundled' : stateUrl ? 'state' : live ? 'live' : 'base-only';
  return {
    mode,
    baseUrl,
    stateUrl,
    live,
    envelope: envelopeRaw,
    requestTimeoutMs,
    liveRateLimitBurst: parseBoolean('LIVE_RATE_LIMIT_BURST', get('LIVE_RATE_LIMIT_BURST')),
    liveRateLimitBurstMax,
    liveRequestsPerSecond,
    secretStrength: strengthRaw,
    liveAuthSweep: parseBoolean('LIVE_AUTH_SWEEP', get('LIVE_AUTH_SWEEP')),
  };
}
