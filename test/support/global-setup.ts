// Starts one moto server on a free loopback port for the whole run and stops it afterwards.
// Tests get its URL with `inject('motoEndpoint')` and create uniquely named resources, so test
// files can share it. MOTO_ENDPOINT points the run at an already-running server instead.
// The run also gets its own temporary folder (TMPDIR, inherited by the test workers and every
// process they start), removed at the end, so no test leaves folders behind in the system's.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startMotoServer, type MotoServer } from '../../local/moto.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    motoEndpoint: string;
  }
}

let moto: MotoServer | undefined;
let runTemp: string | undefined;

export async function setup(project: TestProject): Promise<void> {
  runTemp = mkdtempSync(join(tmpdir(), 'hcguard-test-run-'));
  process.env.TMPDIR = runTemp;
  const existing = process.env.MOTO_ENDPOINT;
  if (existing) {
    project.provide('motoEndpoint', existing);
    return;
  }
  moto = await startMotoServer();
  project.provide('motoEndpoint', moto.endpoint);
}

export async function teardown(): Promise<void> {
  await moto?.stop();
  if (runTemp) rmSync(runTemp, { recursive: true, force: true });
}
