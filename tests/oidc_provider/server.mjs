// A real OpenID Connect provider (the `oidc-provider` package) for the panel's sign-in tests.
//
// Started by tests/sso/provider.py on a free loopback port, over plain http (tests only). Settings
// come from one JSON file named by PROVIDER_CONFIG:
//   { "port": 0, "clients": [...], "jwks": {"keys": [...]}, "accounts_file": "..." }
// The accounts file is read again on every sign-in, so a test can change a person's groups (or
// remove them) between two sign-ins, as an administrator would at a real provider:
//   { "ann": {"email": "...", "email_verified": true, "groups": [...], "amr": ["pwd", "otp"]} }
// The sign-in page is ours (below), not the package's development pages, so a person's `amr`
// reaches the ID token. Consent is implied: the panel is a first-party client.
import { readFileSync } from 'node:fs';
import http from 'node:http';

import Provider from 'oidc-provider';

const settings = JSON.parse(readFileSync(process.env.PROVIDER_CONFIG, 'utf8'));
const issuer = `http://127.0.0.1:${settings.port}`;
const SCOPE = 'openid email profile groups';

function accounts() {
  return JSON.parse(readFileSync(settings.accounts_file, 'utf8'));
}

function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const configuration = {
  clients: settings.clients,
  jwks: settings.jwks,
  cookies: { keys: ['test-provider-cookie-key'] },
  claims: {
    openid: ['sub', 'acr', 'amr', 'auth_time', 'sid'], // `amr` in every ID token, as Keycloak and Entra send it
    email: ['email', 'email_verified'],
    profile: ['name'],
    groups: ['groups'],
  },
  conformIdTokenClaims: false, // the ID token carries the scopes' claims, as Keycloak's does
  features: { devInteractions: { enabled: false } },
  pkce: { required: () => true },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, id) {
    const account = accounts()[id];
    if (!account) return undefined;
    return {
      accountId: id,
      async claims() {
        const { amr, ...claims } = account;
        return { sub: id, ...claims };
      },
    };
  },
  async loadExistingGrant(ctx) {
    const { Grant } = ctx.oidc.provider;
    const grant = new Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope(SCOPE);
    await grant.save();
    return grant;
  },
};

const provider = new Provider(issuer, configuration);

function page(res, uid, error = '') {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end(`<!doctype html><html><head><title>Test provider: sign in</title></head><body>
<h1>Test identity provider</h1>${error ? `<p id="error">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login">
<label>Login <input name="login" autofocus></label>
<label>Password <input name="password" type="password"></label>
<button type="submit">Sign in at the provider</button></form></body></html>`);
}

async function readForm(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

async function interaction(req, res, uid, isPost) {
  const details = await provider.interactionDetails(req, res);
  if (!isPost) return page(res, uid);
  const form = await readForm(req);
  const id = form.get('login') || '';
  const account = accounts()[id];
  if (!account) return page(res, uid, 'No such person at this provider.');
  const login = { accountId: id };
  if (account.amr) login.amr = account.amr;
  return provider.interactionFinished(req, res, { login }, { mergeWithLastSubmission: false });
}

const handle = provider.callback();
const server = http.createServer((req, res) => {
  const match = /^\/interaction\/([^/?]+)(\/login)?/.exec(req.url);
  if (!match) return handle(req, res);
  interaction(req, res, match[1], req.method === 'POST' && Boolean(match[2])).catch((error) => {
    res.writeHead(400, { 'content-type': 'text/plain' });
    res.end(`interaction failed: ${error.message}`);
  });
});

server.listen(settings.port, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
});
