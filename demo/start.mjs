// Runs the demo: `node demo/start.mjs` (OP_PORT / APP_PORT / ACCESS_TOKEN_TTL env vars; DEMO_ORIGINS adds your own
// app, e.g. DEMO_ORIGINS=http://localhost:5173: its redirect and post-logout URIs and CORS).
import { startDemo } from './server.mjs';

const opPort = Number(process.env.OP_PORT ?? 4400);
const appPort = Number(process.env.APP_PORT ?? 4401);

let demo;
try {
  // oidc-provider's development notices are replaced by the last banner line, which says the same for this demo.
  demo = await startDemo({ opPort, appPort, quiet: false, providerNotices: false });
} catch (err) {
  if (err?.code === 'EADDRINUSE') {
    console.error(`Port ${err.port} is already in use. Stop the other process or set OP_PORT / APP_PORT.`);
    process.exit(1);
  }
  throw err;
}

console.log('');
console.log(`Demo app:  ${demo.appUrl}/`);
console.log(`React:     ${demo.appUrl}/react/`);
console.log(`Vue:       ${demo.appUrl}/vue/`);
console.log(
  `Authorization server: ${demo.issuer} (oidc-provider for development: in-memory, its built-in login pages)`,
);
if (!process.env.DEMO_ORIGINS)
  console.log('Your own app: DEMO_ORIGINS=http://localhost:5173 npm start (see docs/react.md).');
console.log('Sign in with any username and password. Press Ctrl+C to stop.');
console.log('');

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  try {
    await demo.close();
  } finally {
    process.exit(0);
  }
}

process.on('SIGINT', stop);
process.on('SIGTERM', stop);
