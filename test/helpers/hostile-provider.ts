/**
 * The HOSTILE provider: a tiny scripted authorization server on 127.0.0.1, port 0, for the hostile responses oidc-provider cannot be made
 * to send (a foreign `iss` in an ID token, HTML from the token endpoint, a bare 500, ...). It serves discovery for its
 * issuer and answers every other path from a handler the test sets. Every response allows any origin (CORS), so
 * the SDK sees the body exactly as sent.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { jwks, signJwt, type Forgery } from './signing-key.js';

export interface ScriptedRequest {
  method: string;
  pathname: string;
  /** The form body of a POST, empty otherwise. */
  body: URLSearchParams;
}

export interface ScriptedResponse {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  /** Send the headers and `body`, then keep the response open forever (a body that stalls). */
  stall?: boolean;
}

export type ScriptedHandler = (request: ScriptedRequest) => ScriptedResponse | Promise<ScriptedResponse>;

export interface ScriptedOpOptions {
  /** The client id its ID tokens are for. Default 'spa'. */
  clientId?: string;
  /** Path of the issuer identifier, e.g. '/tenant' (no trailing slash). Default ''. */
  issuerPath?: string;
  /** Replaces or adds discovery metadata fields (e.g. another server's `issuer`). */
  metadata?: Record<string, unknown>;
}

export interface ScriptedOp {
  /** `http://127.0.0.1:<port><issuerPath>`, no trailing slash. */
  readonly issuer: string;
  readonly clientId: string;
  /** Every request, oldest first (CORS preflights excluded). */
  readonly requests: ScriptedRequest[];
  /** How many requests reached `pathname` (relative to the issuer, e.g. '/token'). */
  count(pathname: string): number;
  /** Answers requests to `pathname` (relative to the issuer) with `handler` from now on. */
  on(pathname: string, handler: ScriptedHandler): void;
  /**
   * An ID token signed with the key this server publishes at `/jwks` (`forgery`: a hostile one).
   * Defaults: this issuer, this client, sub 'alice', iat now, exp in an hour; `claims` override (undefined removes).
   */
  idToken(claims?: Record<string, unknown>, forgery?: Forgery): string;
  /** Stops the server and drops open connections. */
  close(): Promise<void>;
}

/** A JSON response. */
export function jsonResponse(body: unknown, status = 200): ScriptedResponse {
  return {
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
    body: JSON.stringify(body),
  };
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Starts a scripted server on 127.0.0.1 port 0. */
export async function startHostileProvider(options: ScriptedOpOptions = {}): Promise<ScriptedOp> {
  const { clientId = 'spa', issuerPath = '', metadata = {} } = options;
  const handlers = new Map<string, ScriptedHandler>();
  const requests: ScriptedRequest[] = [];
  let issuer = '';

  const server = http.createServer(async (req, res) => {
    const cors = {
      'access-control-allow-origin': '*',
      'access-control-allow-headers': '*',
      'access-control-allow-methods': 'GET, POST',
    };
    try {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const text = await readBody(req);
      if (req.method === 'OPTIONS') {
        res.writeHead(204, cors).end();
        return;
      }
      const pathname = url.pathname.startsWith(issuerPath) ? url.pathname.slice(issuerPath.length) : url.pathname;
      const request: ScriptedRequest = { method: req.method ?? 'GET', pathname, body: new URLSearchParams(text) };
      requests.push(request);
      const handler = handlers.get(pathname);
      const answer: ScriptedResponse = handler
        ? await handler(request)
        : { status: 404, body: `no script for ${pathname}` };
      res.writeHead(answer.status ?? 200, { ...cors, ...answer.headers });
      if (answer.stall) res.write(answer.body ?? '');
      else res.end(answer.body ?? '');
    } catch (e) {
      res.writeHead(599, cors).end(String(e));
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1', exclusive: true }, () => resolve());
  });
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}${issuerPath}`;

  handlers.set('/.well-known/openid-configuration', () =>
    jsonResponse({
      issuer,
      authorization_endpoint: `${issuer}/authorize`,
      token_endpoint: `${issuer}/token`,
      jwks_uri: `${issuer}/jwks`,
      response_types_supported: ['code'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      code_challenge_methods_supported: ['S256'],
      authorization_response_iss_parameter_supported: true,
      ...metadata,
    }),
  );
  handlers.set('/jwks', () => jsonResponse(jwks()));

  return {
    issuer,
    clientId,
    requests,
    count: (pathname) => requests.filter((r) => r.pathname === pathname).length,
    on(pathname, handler) {
      handlers.set(pathname, handler);
    },
    idToken(claims = {}, forgery) {
      const now = Math.floor(Date.now() / 1000);
      const payload: Record<string, unknown> = {
        iss: issuer,
        aud: clientId,
        sub: 'alice',
        iat: now,
        exp: now + 3600,
        ...claims,
      };
      for (const [k, v] of Object.entries(payload)) if (v === undefined) delete payload[k];
      return signJwt(payload, forgery);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
