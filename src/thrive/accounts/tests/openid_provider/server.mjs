// A real OpenID provider for the single sign-on tests: panva's oidc-provider (npm), which does
// all of the protocol (discovery, authorization with PKCE, tokens, signed ID tokens, JWKS,
// userinfo, RP-initiated logout). This script gives it what every deployment gives it: a
// client, an account store and a sign-in page. It listens on a free loopback port and prints
// `listening <issuer>` on its first line of output.
//
// Usage: node server.mjs CONFIG.json, where CONFIG holds
//   {"clients": [{client_id, client_secret, redirect_uris, post_logout_redirect_uris}],
//    "accounts": {"<username>": {"password": "...", "claims": {"sub": "...", "email": ...}}}}
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';

import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const accounts = Object.entries(config.accounts);
const bySubject = new Map(accounts.map(([, account]) => [account.claims.sub, account]));

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

// Accessible pages (language, title, heading, labelled fields, landmarks), so the browser tests
// can run axe on every page they pass through, the provider's included.
function page(title, body) {
  return `<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>${escape(title)} - Test identity provider</title></head>
<body><header><p>Test identity provider</p></header><main><h1>${escape(title)}</h1>${body}</main></body></html>`;
}

function signInPage(uid, error = '') {
  return page('Sign in to your organisation', `
${error ? `<p role="alert" id="error">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login" autocomplete="off">
  <p><label for="username">Organisation username</label><br>
  <input id="username" name="username" type="text" required${error ? ' aria-describedby="error"' : ''}></p>
  <p><label for="password">Organisation password</label><br>
  <input id="password" name="password" type="password" required></p>
  <p><button type="submit">Sign in to your organisation</button></p>
</form>`);
}

async function readForm(req) {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 10_000) throw new Error('form too large');
  }
  return new URLSearchParams(body);
}

function send(res, status, html) {
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8' });
  res.end(html);
}

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'test-key', use: 'sig', alg: 'RS256' };

let provider;
let callback;

async function interaction(req, res) {
  const [, , uid, step] = req.url.split('?')[0].split('/');
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) return send(res, 400, page('Sign-in expired', '<p>Start again.</p>'));
  if (details.prompt.name === 'login') {
    if (req.method === 'POST' && step === 'login') {
      const form = await readForm(req);
      const account = config.accounts[form.get('username')];
      if (!account || account.password !== form.get('password')) {
        return send(res, 200, signInPage(uid, 'The username or password is wrong'));
      }
      return provider.interactionFinished(req, res, { login: { accountId: account.claims.sub } },
        { mergeWithLastSubmission: false });
    }
    return send(res, 200, signInPage(uid));
  }
  // Consent: the platform is a first-party client, so what it asks for is granted.
  const { prompt: { details: missing }, params, session: { accountId } } = details;
  const grant = details.grantId ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId, clientId: params.client_id });
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  const grantId = await grant.save();
  return provider.interactionFinished(req, res, { consent: { grantId } },
    { mergeWithLastSubmission: true });
}

const server = http.createServer((req, res) => {
  if (req.url.startsWith('/interaction/')) {
    interaction(req, res).catch((error) => send(res, 500, page('Error', `<p>${escape(error.message)}</p>`)));
  } else {
    callback(req, res);
  }
});

server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  provider = new Provider(issuer, {
    clients: config.clients,
    jwks: { keys: [jwk] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'given_name', 'family_name'],
    },
    async findAccount(ctx, sub) {
      const account = bySubject.get(sub);
      if (!account) return undefined;
      return { accountId: sub, async claims() { return { ...account.claims }; } };
    },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        async logoutSource(ctx, form) {
          ctx.body = page('Sign out of your organisation', `${form}
<p><button type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button></p>
<p><button type="submit" form="op.logoutForm">No, stay signed in</button></p>`);
        },
        async postLogoutSuccessSource(ctx) {
          ctx.body = page('Signed out of your organisation', '<p>You have signed out.</p>');
        },
      },
    },
    async renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = page('Sign-in error', Object.entries(out)
        .map(([key, value]) => `<p>${escape(key)}: ${escape(value)}</p>`).join(''));
    },
  });
  callback = provider.callback();
  process.stdout.write(`listening ${issuer}\n`);
});

// The test run ends us with SIGTERM; also end when our parent's pipe closes.
process.on('SIGTERM', () => server.close(() => process.exit(0)));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
