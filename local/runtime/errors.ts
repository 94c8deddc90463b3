// Errors the local runtime reports as one line and exit code 2: the user can fix them.

/** Something on this machine or in the config keeps the local runtime from starting. */
export class LocalSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LocalSetupError';
  }
}

/** A loopback port the runtime needs is taken by another process. */
export class PortInUseError extends LocalSetupError {
  constructor(
    readonly what: string,
    readonly host: string,
    readonly port: number,
    readonly hint: string,
  ) {
    super(`${what} cannot listen on ${host}:${port}: the port is taken by another process. ${hint}`);
    this.name = 'PortInUseError';
  }
}

export const isAddressInUse = (error: unknown): boolean =>
  (error as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE';
