/**
 * `DEMO_ORIGINS` / startDemo({ extraOrigins }): the demo provider accepts another app's redirect URI (your Vite dev
 * server) and answers its CORS requests, and still refuses an origin nobody named.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseOrigins, startDemo, type DemoServers } from '../../demo/server.mjs';

let demo: DemoServers;
beforeAll(async () => {
  demo = await startDemo({ extraOrigins: ['http://localhost:5173', 'http://127.0.0.1:3000/app/'] });
});
afterAll(() => demo?.close());

/** The authorization request as a browser would send it; answers the provider's status and Location. */
async function authorize(redirectUri: string) {
  const url = new URL(`${demo.issuer}/auth`);
  const params = {
    client_id: demo.clientId,
    redirect_uri: redirectUri,
    response_type: 'code',
    scope: 'openid',
    state: 's',
    nonce: 'n',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCQaoeQ2ciL7cTYbzDk2dTrc',
    code_challenge_method: 'S256',
  };
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  const response = await fetch(url, { redirect: 'manual' });
  return { status: response.status, location: response.headers.get('location') ?? '', body: await response.text() };
}

describe('demo provider with DEMO_ORIGINS', () => {
  it('parses a comma- or space-separated list', () => {
    expect(parseOrigins('http://localhost:5173, http://localhost:3000  http://x.test')).toEqual([
      'http://localhost:5173',
      'http://localhost:3000',
      'http://x.test',
    ]);
    expect(parseOrigins('')).toEqual([]);
  });

  it('accepts <origin>/ and a named URL as redirect URIs, and refuses an origin nobody named', async () => {
    expect(await authorize('http://localhost:5173/')).toMatchObject({
      status: 303,
      location: expect.stringContaining('/interaction/'),
    });
    expect(await authorize('http://127.0.0.1:3000/app/')).toMatchObject({
      status: 303,
      location: expect.stringContaining('/interaction/'),
    });
    const refused = await authorize('http://localhost:5174/');
    expect(refused.status).toBe(400);
    expect(refused.body).toContain('redirect_uri');
  });

  it('answers CORS for the named origin at the token endpoint', async () => {
    const ask = (origin: string) =>
      fetch(`${demo.issuer}/token`, {
        method: 'POST',
        headers: { origin, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ client_id: demo.clientId, grant_type: 'refresh_token', refresh_token: 'nope' }),
      });
    expect((await ask('http://localhost:5173')).headers.get('access-control-allow-origin')).toBe(
      'http://localhost:5173',
    );
    expect((await ask('http://localhost:5174')).headers.get('access-control-allow-origin')).not.toBe(
      'http://localhost:5174',
    );
  });
});
