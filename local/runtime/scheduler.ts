// Runs the probe round at the configured interval, one at a time: a round that overruns delays
// the next instead of overlapping it (EventBridge's once a minute does not bind locally, so
// sub-minute intervals run one round per tick).
export interface RoundReport {
  readonly number: number;
  readonly startedAt: Date;
  readonly durationMs: number;
  readonly error?: Error;
}

export interface RoundSchedulerOptions {
  readonly intervalMs: number;
  /** One round; the signal aborts at the round's deadline or when the scheduler stops. */
  readonly runRound: (signal: AbortSignal) => Promise<void>;
  /** A round may run this long before its signal aborts (default: the interval plus 10 s). */
  readonly roundBudgetMs?: number;
  readonly onRound?: (report: RoundReport) => void;
  readonly now?: () => Date;
}

export class RoundScheduler {
  private readonly stopping = new AbortController();
  private loop?: Promise<void>;
  private running = 0;
  private maxRunning = 0;
  last?: RoundReport;
  count = 0;

  constructor(private readonly options: RoundSchedulerOptions) {}

  /** The most rounds that ever ran at once: 1 by construction, and tests hold us to it. */
  get maxConcurrentRounds(): number {
    return this.maxRunning;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Stops ticking, aborts the round in flight and waits for it to end. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    const now = this.options.now ?? (() => new Date());
    while (!this.stopping.signal.aborted) {
      const startedAt = now();
      const budget = new AbortController();
      // A timer of our own rather than AbortSignal.timeout, so it is cleared when the round ends.
      const budgetTimer = setTimeout(
        () => budget.abort(new DOMException('the round ran past its budget', 'TimeoutError')),
        this.options.roundBudgetMs ?? this.options.intervalMs + 10_000,
      );
      let error: Error | undefined;
      this.running++;
      this.maxRunning = Math.max(this.maxRunning, this.running);
      try {
        await this.options.runRound(AbortSignal.any([this.stopping.signal, budget.signal]));
      } catch (caught) {
        error = caught instanceof Error ? caught : new Error(String(caught));
      } finally {
        clearTimeout(budgetTimer);
        this.running--;
      }
      if (this.stopping.signal.aborted) return;
      this.count++;
      this.last = {
        number: this.count,
        startedAt,
        durationMs: now().getTime() - startedAt.getTime(),
        ...(error ? { error } : {}),
      };
      this.options.onRound?.(this.last);
      await sleep(Math.max(0, startedAt.getTime() + this.options.intervalMs - now().getTime()), this.stopping.signal);
    }
  }
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
