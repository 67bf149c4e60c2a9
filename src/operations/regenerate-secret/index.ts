/**
 * "Regenerate organization API token secret" as an operation descriptor: its
 * catalogue, the flows and detail rules the catalogue names, its request builder.
 */
import type { StateName } from '../../protocol/provider-states.ts';
import type { OperationDescriptor } from '../types.ts';
import { catalogue } from './catalogue.ts';
import { detailRules } from './detail-rules.ts';
import { flows } from './flows.ts';
import { PATH, request } from './request.ts';

export const regenerateSecret: OperationDescriptor = {
  id: 'post:api_token_regenerate_secret',
  method: 'POST',
  path: `/${PATH}`,
  title: 'Regenerate organization API token secret',
  spec: { document: 'regenerate-secret.openapi.json', operationId: 'post:api_token_regenerate_secret' },
  request,
  catalogue,
  flows,
  detailRules,
  states: [...new Set(catalogue.map((s) => s.state).filter((s): s is StateName => s !== null))],
};
