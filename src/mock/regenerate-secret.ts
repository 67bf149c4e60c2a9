/**
 * The mock's implementation of "Regenerate organization API token secret",
 * `POST {basePath}/api_tokens/api_token/regenerate_secret`: steps 7-11 of the
 * judgement order (server.ts), after the shared authentication layer (unless
 * the body-before-auth fault reads the body first).
 */
import type http from 'node:http';
import {
  API_TOKEN_NOT_FOUND,
  API_TOKEN_NOT_FOUND_NULL_DETAIL,
  BAD_INPUT,
  BODY_LIMIT_BYTES,
  INTERNAL_SERVER_ERROR,
  JSON_CONTENT_TYPE,
  PERMISSION_DENIED_OTHER_ORGANIZATION,
  SAVE_VALIDATION_ERROR,
  SAVE_VALIDATION_ERROR_EMPTY,
  type MockError,
} from './errors.ts';
import type { Authenticate } from './authenticate.ts';
import type { FaultFlags } from './faults.ts';
import { ABORTED, readBody, TOO_LARGE, type Handler, type Responder } from './http.ts';
import type { Personality } from './personality.ts';
import { Token, type TokenStore } from './store.ts';

/** The operation's path, below the base path. */
export const OPERATION_PATH = '/api_tokens/api_token/regenerate_secret';
/** How long a regeneration takes under the `race-both-valid` fault: two sent at once overlap within it. */
const RACE_WINDOW_MS = 500;

export const isToken = (v: Token | MockError): v is Token => v instanceof Token;

export interface OperationContext {
  store: TokenStore;
  faults: Readonly<FaultFlags>;
  authenticate: Authenticate;
  respond: Responder;
  personality: Personality;
}

export function regenerateSecretHandler({ store, faults: f, authenticate, respond, personality }: OperationContext): Handler {
  const { sendError } = respond;

  /** Steps 8-11, once the caller and the requested id are known. */
  function regenerateFor(res: http.ServerResponse, caller: Token, id: string): void {
    const target = store.getById(id);
    if (target === undefined) {
      sendError(res, f.notFound500 ? INTERNAL_SERVER_ERROR : f.errorDetailNull ? API_TOKEN_NOT_FOUND_NULL_DETAIL : API_TOKEN_NOT_FOUND);
      return;
    }
    if (target.organization_id !== caller.organization_id && !f.permissionIgnored) {
      sendError(res, PERMISSION_DENIED_OTHER_ORGANIZATION);
      return;
    }
    if (target.flags.failValidation && !f.validationIgnored) {
      sendError(res, f.validationErrorsEmpty ? SAVE_VALIDATION_ERROR_EMPTY : SAVE_VALIDATION_ERROR);
      return;
    }
    if (f.tokenFieldChanged) {
      target.name = `${target.name} (regenerated)`;
      target.successPrefix = null;
    }
    if (f.raceBothValid) return rotateSlowly(res, target);
    answerRotation(res, target, store.rotate(target));
  }

  function answerRotation(res: http.ServerResponse, target: Token, secret: string): void {
    const body = successBody(target, f.secretEmpty ? '' : secret);
    res.writeHead(200, { 'content-type': JSON_CONTENT_TYPE, 'content-length': String(Buffer.byteLength(body)) });
    res.end(body);
  }

  /**
   * Fault `race-both-valid`: a regeneration takes a while, and one that
   * overlaps another of the same token forgets to revoke the secret it replaces.
   */
  function rotateSlowly(res: http.ServerResponse, target: Token): void {
    target.rotationsInFlight++;
    if (target.rotationsInFlight > 1) target.raced = true;
    setTimeout(() => {
      const secret = store.rotate(target, target.raced);
      if (--target.rotationsInFlight === 0) target.raced = false;
      if (!res.destroyed) answerRotation(res, target, secret);
    }, RACE_WINDOW_MS).unref();
  }

  function successBody(token: Token, secret: string): string {
    if (f.tokenIdMismatch || f.undocumentedField) {
      const view: Record<string, unknown> = { ...token.view(), secret };
      if (f.tokenIdMismatch) view.id = `${token.id}x`;
      if (f.undocumentedField) view.created_at = token.createdAt;
      return JSON.stringify({ api_token: view });
    }
    // Fields other than the secret do not change: serialise them once per token.
    const prefix = (token.successPrefix ??= JSON.stringify({ api_token: { ...token.view(), secret: '' } }).slice(0, -4));
    return `${prefix}${JSON.stringify(secret)}}}`;
  }

  return (req, res) => {
    if (f.bodyBeforeAuth) {
      return readBody(req, BODY_LIMIT_BYTES).then((raw) => {
        if (raw === ABORTED) return;
        const id = raw === TOO_LARGE ? BAD_INPUT.tooLarge : personality.judgeLookupBody(raw, f);
        if (typeof id !== 'string') return sendError(res, id);
        const caller = authenticate(req);
        if (!isToken(caller)) return sendError(res, caller);
        regenerateFor(res, caller, id);
      });
    }
    const caller = authenticate(req);
    if (!isToken(caller)) {
      sendError(res, caller); // the body, if any, is discarded by node
      return;
    }
    return readBody(req, BODY_LIMIT_BYTES).then((raw) => {
      if (raw === ABORTED) return;
      const id = raw === TOO_LARGE ? BAD_INPUT.tooLarge : personality.judgeLookupBody(raw, f);
      if (typeof id !== 'string') return sendError(res, id);
      regenerateFor(res, caller, id);
    });
  };
}
