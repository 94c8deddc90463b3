import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { MODULE_LOAD_TIMEOUT_MS } from '../../bin/cli/config-file.ts';
import { runHcguard, writeRuntimeFile } from '../support/cli.ts';

const fixture = new URL('../fixtures/stack.config.json', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'hcguard-config-'));
const write = (name: string, content: string) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

describe('hcguard config check', () => {
  it('prints a summary of the resolved config and exits 0', async () => {
    const run = await runHcguard('config', 'check', '--config', fixture);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`config ${fixture} is valid`);
    expect(run.stdout).toMatch(/primary\s+Shanghai DC-1/);
    expect(run.stdout).toContain('language    en, local times in UTC');
    expect(run.stdout).toContain(
      'verify.hc.example.com A ttl 60s in hc.example.com (Z0123456789ABCDEFGHIJ), follows verification',
    );
    expect(run.stdout).toContain('every 30s (2 rounds per once-a-minute invocation)');
    expect(run.stdout).toContain('failing after 3 failed rounds, healthy after 2 good ones');
    expect(run.stdout).toMatch(/SEV1 {2}email:on\*\*\*@example\.com, sms:\+861\*\*\*\*00/);
    expect(run.stdout).not.toContain('oncall@example.com');
    expect(run.stdout).not.toContain('+8613800000000');
    expect(run.stdout).toContain('  alerts link no runbook (links.runbook, links.dashboard)\n');
  });

  it('says where alerts link to, and refuses a link that is not http(s)', async () => {
    const config = JSON.parse(readFileSync(fixture, 'utf8'));
    const linked = { ...config, links: { runbook: 'https://wiki.example.cn/rb', dashboard: 'https://hc.example.cn/' } };
    const run = await runHcguard('config', 'check', '--config', write('linked.json', JSON.stringify(linked)));
    expect(run.stdout).toContain(
      '  alerts link the runbook https://wiki.example.cn/rb#<section> and the dashboard https://hc.example.cn/\n',
    );
    const bad = { ...config, links: { runbook: 'javascript:alert(1)' } };
    const refused = await runHcguard('config', 'check', '--config', write('bad-link.json', JSON.stringify(bad)));
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('links.runbook');
  });

  it('lists every problem with its path and rule and exits 2, without a stack trace', async () => {
    const bad = JSON.parse(await import('node:fs').then((fs) => fs.readFileSync(fixture, 'utf8')));
    bad.records[0].ttl = 0;
    bad.records[0].tll = 60;
    bad.schedule.intervalSeconds = 'often';
    const run = await runHcguard('config', 'check', '--config', write('bad.json', JSON.stringify(bad)));
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      `Invalid hcguard config in ${join(dir, 'bad.json')} (3 problems):\n` +
        '  records[0].ttl: must be an integer between 1 and 86400\n' +
        '  records[0].tll: unknown key (did you mean "ttl"?)\n' +
        '  schedule.intervalSeconds: must be an integer between 5 and 3600\n',
    );
  });

  it.each([
    ['a file that is not JSON', () => write('broken.json', '{ "name": '), /is not valid JSON/],
    ['a missing file', () => join(dir, 'absent.json'), /file not found/],
    [
      'a module without a default export',
      () => write('nodefault.mjs', 'export const config = {};\n'),
      /has no default export/,
    ],
  ])('refuses %s with exit 2', async (_, path, message) => {
    const run = await runHcguard('config', 'check', '--config', path());
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  // A module config is code: these run it from a folder outside the repository and any package.
  it.each([
    [
      'throws at the top level',
      'throws.ts',
      "throw new Error('no prod secrets here');\nexport default {};\n",
      /^ {2}\(config\): \S+throws\.ts could not be loaded: no prod secrets here$/m,
    ],
    [
      'has a syntax error',
      'syntax.ts',
      "export default {\n  name: 'x',,\n};\n",
      /^ {2}\(config\): \S+syntax\.ts could not be loaded: \S+syntax\.ts:2:12: ERROR: Expected identifier/m,
    ],
    [
      'has a getter that throws',
      'getter.ts',
      "export default { get name() { throw new Error('getter boom'); } };\n",
      /^ {2}\(config\): \S+getter\.ts could not be read: getter boom$/m,
    ],
    [
      'is JSON with a syntax error',
      'syntax.json',
      '{\n  "name": "x",,\n}',
      /syntax\.json is not valid JSON: Expected double-quoted property name at line 2, column 15$/m,
    ],
  ])(
    'refuses a config that %s with exit 2, the file and the first line of the error',
    async (_, name, content, message) => {
      const run = await runHcguard('config', 'check', '--config', write(name, content));
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    },
  );

  it('times out a module config whose top-level await never settles, instead of exiting 13', async () => {
    const path = write('stuck.mts', 'await new Promise(() => undefined);\nexport default {};\n');
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const running = runHcguard('config', 'check', '--config', path);
      await vi.advanceTimersByTimeAsync(MODULE_LOAD_TIMEOUT_MS);
      const run = await running;
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(
        `${path} did not finish loading within 10 s (a top-level await that never settles?)`,
      );
    } finally {
      vi.useRealTimers();
    }
  });

  it('loads a .ts config outside any package, and JSON saved with a byte order mark', async () => {
    const json = readFileSync(fixture, 'utf8');
    const typed = write('outside.ts', `const config: { name: string } = ${json};\nexport default config;\n`);
    expect(await runHcguard('config', 'check', '--config', typed)).toMatchObject({ code: 0, stderr: '' });
    const bom = write('bom.json', `\uFEFF${json}`);
    expect(await runHcguard('config', 'check', '--config', bom)).toMatchObject({ code: 0, stderr: '' });
  });

  it("runs a team's own config: its folder's packages, files beside it, CommonJS and defineConfig", async () => {
    const team = mkdtempSync(join(tmpdir(), 'hcguard-team-repo-'));
    const put = (name: string, content: string) => {
      mkdirSync(join(team, name, '..'), { recursive: true });
      writeFileSync(join(team, name), content);
      return join(team, name);
    };
    // A package only the team's repository has, and a JSON file read through the config's own URL.
    put('node_modules/team-naming/package.json', '{"name":"team-naming","type":"module","exports":"./index.js"}');
    put('node_modules/team-naming/index.js', 'export const stackName = (env) => `hcguard-${env}`;\n');
    put('sites.json', readFileSync(fixture, 'utf8'));
    const repoConfig = join(process.cwd(), 'lambdas/core/config.ts');
    const typed = put(
      'deploy/prod.config.ts',
      [
        "import { readFileSync } from 'node:fs';",
        "import { stackName } from 'team-naming';",
        `import { defineConfig } from ${JSON.stringify(repoConfig)};`,
        "const base = JSON.parse(readFileSync(new URL('../sites.json', import.meta.url), 'utf8'));",
        "export default defineConfig({ ...base, name: stackName('prod') });",
      ].join('\n'),
    );
    const commonjs = put(
      'deploy/cjs.config.js',
      "const base = require('../sites.json');\nmodule.exports = { ...base, name: 'hcguard-cjs' };\n",
    );
    for (const [path, name] of [
      [typed, 'hcguard-prod'],
      [commonjs, 'hcguard-cjs'],
    ] as const) {
      const run = await runHcguard('config', 'check', '--json', '--config', path);
      expect(run).toMatchObject({ code: 0, stderr: '' });
      expect((JSON.parse(run.stdout) as { name: string }).name).toBe(name);
    }
  });

  it('reports a huge number once', async () => {
    // Written as JSON text: the number is past what a double holds exactly, as a user may type it.
    const text = readFileSync(fixture, 'utf8').replace(
      /"intervalSeconds": \d+/,
      '"intervalSeconds": 99999999999999999999',
    );
    expect(text).toContain('99999999999999999999');
    const run = await runHcguard('config', 'check', '--config', write('huge.json', text));
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      `Invalid hcguard config in ${join(dir, 'huge.json')} (1 problem):\n` +
        '  schedule.intervalSeconds: must be an integer between 5 and 3600\n',
    );
  });

  it('prints the resolved config as JSON with --json', async () => {
    const run = await runHcguard('config', 'check', '--config', fixture, '--json');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ name: 'hcguard-test', detection: { failureThreshold: 3 } });
  });
});

describe('hcguard usage', () => {
  it('rejects an unknown flag with exit 2 and says so', async () => {
    const run = await runHcguard('config', 'check', '--colour');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("unknown option '--colour'");
  });

  it('rejects an unknown command with exit 2', async () => {
    const run = await runHcguard('frobnicate');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("unknown command 'frobnicate'");
  });

  it('shows help for the program and for every command, exit 0', async () => {
    const top = await runHcguard('--help');
    expect(top.code).toBe(0);
    expect(top.stdout).toContain('Usage: hcguard');
    const commandList = top.stdout.slice(top.stdout.indexOf('Commands:'));
    const commands = [...commandList.matchAll(/^ {2}([a-z-]+)(?: |\[|<)/gm)]
      .map((match) => match[1] as string)
      .filter((name) => name !== 'help');
    expect(commands.length).toBeGreaterThan(0);
    for (const command of commands) {
      const help = await runHcguard(command, '--help');
      expect(help.code, command).toBe(0);
      expect(help.stdout, command).toContain(`Usage: hcguard ${command}`);
    }
  });
});

describe('the config of a local stack started elsewhere with --config', () => {
  it('is found through the runtime file in the folder where it runs, when no config is named or present', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'hcguard-up-elsewhere-'));
    writeRuntimeFile(folder, fixture);
    const previous = process.cwd();
    process.chdir(folder);
    try {
      const run = await runHcguard('config', 'check');
      expect(run.stdout).toContain(`config ${fixture} is valid`);
      writeFileSync(join(folder, '.hcguard/runtime.json'), '{}');
      expect((await runHcguard('config', 'check')).stderr).toContain('no config file: pass --config');
    } finally {
      process.chdir(previous);
    }
  });
});
