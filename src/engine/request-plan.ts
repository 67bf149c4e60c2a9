/** What a scenario asks to send: its label, credential, headers and body (before any secret is masked). */
export type Auth = { kind: 'none' } | { kind: 'bearer'; secret: string } | { kind: 'raw'; value: string };

export type RequestBody =
  | { kind: 'json'; value: unknown }
  | { kind: 'raw'; text: string; contentType: string }
  | { kind: 'empty' }
  | { kind: 'none' };

export interface RequestPlan {
  /** Which request of the scenario this is ("regenerate", "follow-up with the old secret", ...). */
  label: string;
  auth: Auth;
  headers?: Record<string, string>;
  body: RequestBody;
}
