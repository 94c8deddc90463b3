// Runs the issue-3 probe engine benchmark (./probe-engine.ts) in a fresh process, so its peak
// memory is that of one endpoint count alone, and prints the result as JSON.
// Input: argv[2] = JSON ProbeEngineBenchOptions.
import { benchProbeEngine, type ProbeEngineBenchOptions } from './probe-engine.ts';

const options = JSON.parse(process.argv[2] ?? '{}') as ProbeEngineBenchOptions;
process.stdout.write(`${JSON.stringify(await benchProbeEngine(options))}\n`);
