// The CLI as a process, the way scripts use it: its version, a reader that stops early, and
// what it says when there is nothing to talk to.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../local/moto.ts';
import { runHcguard } from '../support/cli.ts';
import { PROJECT_ROOT } from '../support/local-runtime.ts';

const CLI = join(PROJECT_ROOT, 'bin/hcguard.js');

describe('the hcguard process', () => {
  it('prints its version and exits 0', async () => {
    const { version } = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(await runHcguard('--version')).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('exits quietly when the reader of its output goes away (| head)', async () => {
    const child = spawn(process.execPath, [CLI, 'config', 'check', '-c', join(PROJECT_ROOT, 'hcguard.config.ts')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.stdout.destroy();
    const [code] = (await once(child, 'exit')) as [number | null];
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  }, 60_000);

  it('says that nothing is running and no deployed stack was named, from a folder with no runtime', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'hcguard-nothing-'));
    const previous = process.cwd();
    const region = process.env.AWS_REGION;
    delete process.env.AWS_REGION;
    process.chdir(folder);
    try {
      const run = await runHcguard('-c', join(PROJECT_ROOT, 'hcguard.config.ts'), 'status');
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('no local stack is running (start one with `npm start`)');
      expect(run.stderr).toContain('no deployed stack was named: pass --region');
    } finally {
      process.chdir(previous);
      if (region !== undefined) process.env.AWS_REGION = region;
    }
  });
});

describe('a deployed stack that cannot be read', () => {
  // From a folder with no runtime, so the CLI looks the stack up in CloudFormation.
  const inFolder = async (argv: string[]) => {
    const previous = process.cwd();
    process.chdir(mkdtempSync(join(tmpdir(), 'hcguard-stack-')));
    try {
      return await runHcguard('-c', join(PROJECT_ROOT, 'hcguard.config.ts'), '--region', 'us-east-1', ...argv);
    } finally {
      process.chdir(previous);
    }
  };

  it('is bad usage (exit 2) when no stack has that name', async () => {
    const run = await inFolder(['--endpoint-url', inject('motoEndpoint'), '--stack-name', 'no-such-stack', 'status']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^cannot read stack no-such-stack: .*does not exist\. Deploy it with `npx cdk deploy`/);
  });

  it('is a failure (exit 1), not bad usage, when CloudFormation cannot be reached', async () => {
    const closed = `http://127.0.0.1:${await freePort('127.0.0.1')}`;
    const run = await inFolder(['--endpoint-url', closed, 'status']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^cannot read stack hcguard: .*ECONNREFUSED.*\. Check the network path/);
  });
});

describe('the built CLI (npm run build)', () => {
  // Built beside the real one, where the bundle finds package.json, moto's patch and the dashboard.
  const outdir = join(PROJECT_ROOT, 'dist', `cli-test-${process.pid}`);
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('answers from another folder as the source does, with a module config from there too', () => {
    const build = spawnSync(process.execPath, [join(PROJECT_ROOT, 'scripts/build-cli.mjs'), '--outdir', outdir], {
      encoding: 'utf8',
    });
    expect(build).toMatchObject({ status: 0, stderr: '' });
    const elsewhere = mkdtempSync(join(tmpdir(), 'hcguard-bundle-'));
    const run = (...argv: string[]) =>
      spawnSync(process.execPath, [join(outdir, 'hcguard.mjs'), ...argv], { cwd: elsewhere, encoding: 'utf8' });
    const { version } = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(run('--version')).toMatchObject({ status: 0, stdout: `${version}\n` });
    expect(run('--help')).toMatchObject({ status: 0, stdout: expect.stringContaining('Usage: hcguard') });
    const check = run('config', 'check', '--json', '-c', join(PROJECT_ROOT, 'hcguard.config.ts'));
    expect(check).toMatchObject({ status: 0, stderr: '' });
    expect(JSON.parse(check.stdout)).toMatchObject({ name: 'hcguard' });
  }, 60_000);
});
