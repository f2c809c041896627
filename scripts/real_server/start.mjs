// Start a real @elizaos/server release (1.6.5, 1.7.0, 1.7.2, 1.7.3-alpha.4 checked) programmatically with one
// offline agent. The same AgentServer API (new AgentServer(); await server.start({port, dataDir, agents})) works on all.
//
// SAFETY: run this ONLY inside a network namespace that has nothing but loopback
// (harness.py does that: `unshare --net`, `ip link set lo up`). This script refuses to
// start when it can see any non-loopback network interface, when SENTRY_DSN does not
// point at loopback, or when SERVER_HOST is not 127.0.0.1.
//
// Configuration (env, or --flag=value arguments with the same meaning):
//   --port / ELIZA_REAL_PORT                       port to bind (required; must be free)
//   --data-dir / ELIZA_REAL_DATA_DIR               PGlite data directory (fresh per run)
//   --agent-name / ELIZA_REAL_AGENT_NAME           character name (agent id derives from it)
//   --stream / ELIZA_REAL_FIXED_MODEL_STREAM=1     make the fixed model stream its reply in pieces
//   --model-delay-ms / ELIZA_REAL_FIXED_MODEL_DELAY_MS  wait this long in TEXT_LARGE (and between streamed
//                                                  pieces) to imitate a slow model (default 0)
//   ELIZA_SERVER_AUTH_TOKEN                        turns on the X-API-KEY check (server's own variable)
//   SESSION_MIN_TIMEOUT_MINUTES etc.               read by the server itself
// Module resolution: run with NODE_PATH unset and cwd anywhere; the packages are imported
// from ELIZA_REAL_NODE_MODULES (the install cache's node_modules directory).
//
// When ready it prints exactly one line to stdout:
//   ELIZA_REAL_READY {"port":N,"agentIds":["..."],"pid":N}
// Everything else the server logs goes to stdout/stderr as usual.

import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

function fail(step, message) {
  process.stderr.write(`start.mjs: FAILED at step '${step}': ${message}\n`);
  process.exit(2);
}

function arg(name, envName, fallback) {
  const prefix = `--${name}=`;
  for (const a of process.argv.slice(2)) {
    if (a === `--${name}`) return '1';
    if (a.startsWith(prefix)) return a.slice(prefix.length);
  }
  const v = process.env[envName];
  return v === undefined || v === '' ? fallback : v;
}

// ---------------------------------------------------------------- safety checks
function isLoopbackHost(host) {
  return host === '127.0.0.1' || host === 'localhost' || host === '::1' || host === '[::1]';
}

function checkSafety() {
  for (const [name, addrs] of Object.entries(os.networkInterfaces())) {
    for (const a of addrs ?? []) {
      if (!a.internal) {
        fail('safety', `non-loopback interface ${name} (${a.address}) is visible; run inside a loopback-only netns`);
      }
    }
  }
  const dsn = process.env.SENTRY_DSN ?? '';
  let dsnHost = '';
  try {
    dsnHost = new URL(dsn).hostname;
  } catch {
    fail('safety', 'SENTRY_DSN must be set to a dead loopback DSN, e.g. http://0000...@127.0.0.1:9/0');
  }
  if (!isLoopbackHost(dsnHost)) fail('safety', `SENTRY_DSN host ${dsnHost} is not loopback`);
  if (process.env.SERVER_HOST !== '127.0.0.1') fail('safety', 'SERVER_HOST must be 127.0.0.1');
  const central = process.env.CENTRAL_MESSAGE_SERVER_URL ?? '';
  let centralHost = '';
  try {
    centralHost = new URL(central).hostname;
  } catch {
    fail('safety', 'CENTRAL_MESSAGE_SERVER_URL must be set to http://127.0.0.1:<port>');
  }
  if (!isLoopbackHost(centralHost)) fail('safety', `CENTRAL_MESSAGE_SERVER_URL host ${centralHost} is not loopback`);
}

checkSafety();

const port = Number.parseInt(arg('port', 'ELIZA_REAL_PORT', ''), 10);
if (!Number.isInteger(port) || port < 1 || port > 65535) fail('config', 'a valid --port / ELIZA_REAL_PORT is required');
const dataDir = arg('data-dir', 'ELIZA_REAL_DATA_DIR', '');
if (!dataDir) fail('config', '--data-dir / ELIZA_REAL_DATA_DIR is required');
const agentName = arg('agent-name', 'ELIZA_REAL_AGENT_NAME', 'ConformanceAgent');
const streamReplies = ['1', 'true', 'yes'].includes(String(arg('stream', 'ELIZA_REAL_FIXED_MODEL_STREAM', '0')).toLowerCase());
const modelDelayMs = Math.max(0, Number.parseInt(arg('model-delay-ms', 'ELIZA_REAL_FIXED_MODEL_DELAY_MS', '0'), 10) || 0);
const nodeModules = process.env.ELIZA_REAL_NODE_MODULES;
if (!nodeModules) fail('config', 'ELIZA_REAL_NODE_MODULES (the install cache node_modules) is required');

process.env.PGLITE_DATA_DIR = dataDir;
process.env.ELIZA_UI_ENABLE ??= 'false';
process.env.LOG_LEVEL ??= 'info';

async function importPkg(name) {
  // Resolve the package's entry through its package.json "exports"/"module"/"main".
  const pkgDir = path.join(nodeModules, ...name.split('/'));
  const { createRequire } = await import('node:module');
  const req = createRequire(path.join(nodeModules, 'noop.js'));
  let entry;
  try {
    entry = req.resolve(name);
  } catch {
    const fs = await import('node:fs');
    const pj = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
    const exp = pj.exports?.['.'];
    const rel = (typeof exp === 'string' ? exp : exp?.import?.default ?? exp?.import ?? exp?.default) ?? pj.module ?? pj.main;
    entry = path.join(pkgDir, rel);
  }
  return import(pathToFileURL(entry).href);
}

let core, serverMod, bootstrapMod;
try {
  core = await importPkg('@elizaos/core');
  serverMod = await importPkg('@elizaos/server');
  bootstrapMod = await importPkg('@elizaos/plugin-bootstrap');
} catch (e) {
  fail('import', e?.stack ?? String(e));
}
const { ModelType } = core;
const { AgentServer } = serverMod;
const bootstrapPlugin = bootstrapMod.bootstrapPlugin ?? bootstrapMod.default;
if (!AgentServer || !bootstrapPlugin || !ModelType) fail('import', 'AgentServer / bootstrapPlugin / ModelType not found');

// ---------------------------------------------------------------- fixed-reply model
const REPLY_TEXT = 'Fixed reply from the conformance agent.';
const LARGE_XML =
  '<response>\n' +
  '<thought>Answering with the fixed conformance reply.</thought>\n' +
  '<actions>REPLY</actions>\n' +
  '<providers></providers>\n' +
  `<text>${REPLY_TEXT}</text>\n` +
  '</response>';
const SMALL_XML =
  '<response>\n' +
  `<name>${agentName}</name>\n` +
  '<reasoning>The user addressed me directly.</reasoning>\n' +
  '<action>RESPOND</action>\n' +
  '</response>';
const EMBEDDING = Array.from({ length: 384 }, (_, i) => ((i % 7) + 1) / 100);

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function maybeStream(text, params) {
  if (!streamReplies || !params || params.stream !== true) return text;
  const pieces = [];
  for (let i = 0; i < text.length; i += 16) pieces.push(text.slice(i, i + 16));
  return {
    textStream: (async function* gen() {
      for (const p of pieces) {
        if (modelDelayMs > 0) await sleep(Math.ceil(modelDelayMs / pieces.length));
        yield p;
      }
    })(),
  };
}

async function large(params) {
  if (modelDelayMs > 0 && !(streamReplies && params?.stream === true)) await sleep(modelDelayMs);
  return maybeStream(LARGE_XML, params);
}

const fixedModelPlugin = {
  name: 'conformance-fixed-model',
  description: 'Offline fixed-reply model for the eliza-client conformance harness',
  priority: 1000,
  models: {
    [ModelType.TEXT_SMALL]: async (_rt, params) => maybeStream(SMALL_XML, params),
    [ModelType.TEXT_LARGE]: async (_rt, params) => large(params),
    [ModelType.TEXT_REASONING_SMALL]: async (_rt, params) => maybeStream(SMALL_XML, params),
    [ModelType.TEXT_REASONING_LARGE]: async (_rt, params) => large(params),
    [ModelType.TEXT_COMPLETION]: async () => REPLY_TEXT,
    [ModelType.TEXT_EMBEDDING]: async () => EMBEDDING,
    [ModelType.TEXT_TOKENIZER_ENCODE]: async (_rt, params) =>
      Array.from(String(params?.prompt ?? params?.text ?? '')).map((c) => c.codePointAt(0) ?? 0),
    [ModelType.TEXT_TOKENIZER_DECODE]: async (_rt, params) =>
      String.fromCodePoint(...((params?.tokens ?? []).filter((t) => Number.isInteger(t) && t >= 0 && t <= 0x10ffff))),
    [ModelType.OBJECT_SMALL]: async () => ({}),
    [ModelType.OBJECT_LARGE]: async () => ({}),
  },
};

const character = {
  name: agentName,
  bio: ['An offline agent used to check eliza-client against the real elizaOS server.'],
  system: 'Reply briefly.',
  plugins: [],
  settings: { secrets: {} },
  messageExamples: [],
  postExamples: [],
  topics: [],
  adjectives: [],
  style: { all: [], chat: [], post: [] },
};

// ---------------------------------------------------------------- start
let server;
try {
  server = new AgentServer();
  await server.start({ port, dataDir, agents: [{ character, plugins: [bootstrapPlugin, fixedModelPlugin] }] });
} catch (e) {
  fail('server.start', e?.stack ?? String(e));
}
const boundPort = Number.parseInt(process.env.SERVER_PORT ?? '', 10);
if (boundPort !== port) {
  fail('bind', `server bound port ${process.env.SERVER_PORT} instead of the requested ${port} (port busy?)`);
}
const agentIds = server.getAllAgents().map((rt) => rt.agentId);
if (agentIds.length === 0) fail('agents', 'no agent was started');
process.stdout.write(`ELIZA_REAL_READY ${JSON.stringify({ port, agentIds, pid: process.pid })}\n`);

for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, () => {
    // The server registers its own handlers too; make sure we do exit.
    setTimeout(() => process.exit(0), 1500).unref();
  });
}
