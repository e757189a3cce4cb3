/** Where the CLI writes: results on stdout, progress and errors on stderr. Tests pass string sinks. */
export interface OutStream {
  write(text: string): unknown;
  /** True when the stream is a terminal (progress bars are drawn only there, unless REGIONS_PROGRESS=1). */
  isTTY?: boolean;
}

/** The two output streams of a CLI run. */
export interface CliIo {
  stdout: OutStream;
  stderr: OutStream;
}

/** The process's own stdout and stderr. */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr };
}
