/**
 * A canned run model the size of a whole-API run: regenerate-secret's own 23
 * scenarios plus the authentication-layer sweep of 189 other operations (four
 * scenarios each, ~780 in all), with failures on three chosen operations. For
 * the renderer tests and the real-browser check; no run needed.
 */
import { regenerateSecret } from '../../src/operations/regenerate-secret/index.ts';
import { refOf, type HttpMethod, type OperationRef } from '../../src/operations/types.ts';
import { computeCoverage } from '../../src/report/coverage.ts';
import { countOutcomes, decideVerdict, type MatrixRow, type OperationSummary, type RunModel, type ScenarioReport } from '../../src/report/model.ts';

const METHODS: HttpMethod[] = ['GET', 'POST', 'PATCH', 'DELETE', 'PUT'];
const RESOURCES = ['virtual_machines', 'disks', 'dns_zones', 'load_balancers', 'object_storage_clusters', 'security_groups', 'ip_addresses', 'network_speed_profiles', 'certificates', 'file_storage_volumes'];

/** The operations the canned model fails, and how. */
export const FAILING = {
  /** A DELETE that serves a request without Authorization (critical). */
  deleteServed: 'delete:organization_object_storage_object_storage_cluster_access_keys_access_key_with_a_long_name_3',
  /** A GET answering 401. */
  get401: 'get:virtual_machines_virtual_machine_7',
  /** An operation that skips its scope check. */
  scopeSkipped: 'patch:dns_zones_dns_zone_12',
} as const;

function sweptOperations(): OperationSummary[] {
  const ops: OperationSummary[] = [];
  for (let i = 0; i < 189; i++) {
    const method = METHODS[i % METHODS.length];
    const resource = RESOURCES[i % RESOURCES.length];
    let id = `${method.toLowerCase()}:${resource}_${resource.replace(/s$/, '')}_${i}`;
    let path = `/${resource}/${resource.replace(/s$/, '')}_${i}`;
    if (i === 3) {
      id = FAILING.deleteServed;
      path = '/organizations/organization/object_storage/object_storage_cluster/access_keys/access_key_with_a_long_name_that_does_not_wrap_by_itself_3';
    }
    if (i === 7) id = FAILING.get401;
    if (i === 12) id = FAILING.scopeSkipped;
    ops.push({ id, method: (id.split(':')[0].toUpperCase() as HttpMethod), path, title: `Operation ${i}` });
  }
  return ops;
}

const base = (op: OperationRef, id: string, title: string, status: number, variant: string): ScenarioReport => ({
  id, operation: refOf(op), title, status, variant, kind: 'auth_layer', outcome: 'passed', messages: [], warnings: [], findings: [], exchanges: [], durationMs: 4,
});

function failed(s: ScenarioReport, check: string, message: string): ScenarioReport {
  return { ...s, outcome: 'failed', messages: [`[${check}] ${message}`], findings: [{ check, severity: 'error', message, exchange: 'the scenario\'s request' }] };
}

export function apiScaleModel(): RunModel {
  const swept = sweptOperations();
  const scenarios: ScenarioReport[] = [];
  const matrix: MatrixRow[] = [];

  const deep = regenerateSecret;
  for (const c of deep.catalogue) scenarios.push({ ...base(deep, c.id, c.title, c.status, c.variant ?? ''), variant: c.variant, kind: c.kind });
  const deepRows = new Map<string, MatrixRow>();
  for (const c of deep.catalogue) {
    const key = `${c.status} ${c.variant}`;
    const row = deepRows.get(key) ?? { operationId: deep.id, status: c.status, variant: c.variant, label: c.variant ?? 'the regenerated token', scenarioIds: [] };
    row.scenarioIds.push(c.id);
    deepRows.set(key, row);
  }
  matrix.push(...deepRows.values());

  for (const op of swept) {
    const p = `auth-layer:${op.id}`;
    let list = [
      base(op, `${p}:400-no-authorization`, `${op.method} ${op.path}: no Authorization header gives 400 missing_api_token`, 400, 'missing_api_token'),
      base(op, `${p}:400-non-bearer-scheme`, `${op.method} ${op.path}: a non-Bearer scheme gives 400 missing_api_token`, 400, 'missing_api_token'),
      base(op, `${p}:403-invalid_api_token`, `${op.method} ${op.path}: an unknown bearer gives 403 invalid_api_token`, 403, 'invalid_api_token'),
      base(op, `${p}:403-scope_not_granted`, `${op.method} ${op.path}: a token without the operation's scopes gives 403 scope_not_granted`, 403, 'scope_not_granted'),
    ];
    if (op.id === FAILING.deleteServed) list[0] = failed(list[0], 'status_expected', 'CRITICAL: the authentication layer let an unauthenticated DELETE through: expected status 400 (missing_api_token), received 200');
    if (op.id === FAILING.get401) list = list.map((s, i) => (i < 2 ? failed(s, 'status_documented', 'Received: 401 / Documented: 200, 400, 403, 429, 503') : s));
    if (op.id === FAILING.scopeSkipped) list[3] = failed(list[3], 'status_expected', 'expected status 403 (scope_not_granted), received 503 (service_unavailable)');
    if (op.method === 'PUT') list[3] = { ...list[3], outcome: 'skipped', notCovered: 'unarrangeable', reason: 'no arranged token lacks every scope this operation documents' };
    scenarios.push(...list);
    matrix.push(
      { operationId: op.id, status: 400, variant: 'missing_api_token', label: 'APIAuthenticator400Response', scenarioIds: list.slice(0, 2).map((s) => s.id) },
      { operationId: op.id, status: 403, variant: 'invalid_api_token', label: 'InvalidAPITokenSchema', scenarioIds: [list[2].id] },
      { operationId: op.id, status: 403, variant: 'scope_not_granted', label: 'ScopeNotGrantedSchema', scenarioIds: [list[3].id] },
    );
  }
  const coverage = computeCoverage(scenarios, matrix, 'arrangeable');
  const { verdict, reason } = decideVerdict(scenarios, [], { coverage });
  return {
    verdict,
    verdictReason: reason,
    operations: [{ ...refOf(deep), title: deep.title }, ...swept],
    target: { baseUrl: 'http://127.0.0.1:4010/core/v1', mode: 'bundled', modeLabel: 'bundled reference mock', stateArrangement: 'provider-state endpoint http://127.0.0.1:4010/_provider-states', envelope: 'flat', profile: 'strict (error bodies require code, description and an object detail; 403 discriminated on code)' },
    startedAt: '2026-12-01T22:00:00.000Z',
    finishedAt: '2026-12-01T22:00:41.000Z',
    durationMs: 41_000,
    counts: countOutcomes(scenarios),
    coverage,
    matrix,
    scenarios,
    errors: [],
  };
}
