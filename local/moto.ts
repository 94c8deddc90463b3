// Runs moto's server (https://docs.getmoto.org/en/latest/docs/server_mode.html) as the local
// AWS: DynamoDB, SNS, SQS and Route 53 on loopback, spoken to by the same adapters as AWS.
// Its Python loads ./moto-atomic/sitecustomize.py, which makes moto's DynamoDB conditional writes
// and transactions atomic, as DynamoDB's are (moto's threaded server lets two racing ones win).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { delimiter } from 'node:path';
import { packageFile } from './package-root.ts';

const ATOMIC_DYNAMODB = packageFile('local', 'moto-atomic');

export interface MotoServer {
  readonly endpoint: string;
  readonly pid: number;
  stop(): Promise<void>;
}

export class MotoMissingError extends Error {
  constructor(command: string) {
    super(`moto_server was not found (tried "${command}"). Install it with: pip install 'moto[server]'`);
    this.name = 'MotoMissingError';
  }
}

/** A port the OS says is free on the loopback address right now. */
export const freePort = async (host = '127.0.0.1'): Promise<number> => {
  const server = createServer();
  server.listen(0, host);
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (!address || typeof address === 'string') throw new Error('could not read the port the OS assigned');
  return address.port;
};

export interface StartMotoOptions {
  readonly command?: string;
  readonly host?: string;
  readonly port?: number;
  /** How long to wait for the server to answer. */
  readonly readyTimeoutMs?: number;
}

export const startMotoServer = async (options: StartMotoOptions = {}): Promise<MotoServer> => {
  const command = options.command ?? process.env.MOTO_SERVER_COMMAND ?? 'moto_server';
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? (await freePort(host));
  const pythonPath = [ATOMIC_DYNAMODB, process.env.PYTHONPATH].filter(Boolean).join(delimiter);
  const child = spawn(command, ['-H', host, '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, PYTHONPATH: pythonPath },
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  const spawnError = new Promise<never>((_, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'ENOENT' ? new MotoMissingError(command) : error),
    );
    child.once('exit', (code) =>
      reject(new Error(`moto_server exited with code ${code} before it was ready: ${stderr.trim()}`)),
    );
  });
  spawnError.catch(() => undefined);
  const endpoint = `http://${host}:${port}`;
  // Stops the readiness polling when the server fails to start, so nothing keeps the process alive.
  const giveUp = new AbortController();
  try {
    await Promise.race([waitUntilAnswering(endpoint, options.readyTimeoutMs ?? 30_000, giveUp.signal), spawnError]);
  } catch (error) {
    giveUp.abort();
    await stopChild(child);
    throw error;
  }
  return { endpoint, pid: child.pid ?? -1, stop: () => stopChild(child) };
};

const waitUntilAnswering = async (endpoint: string, timeoutMs: number, signal: AbortSignal): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!signal.aborted) {
    try {
      const response = await fetch(`${endpoint}/moto-api/data.json`, { signal: AbortSignal.timeout(2_000) });
      await response.body?.cancel();
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`moto_server did not answer on ${endpoint} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

const stopChild = async (child: ChildProcess): Promise<void> => {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
};
