/**
 * Every problem with a checkpoint on disk is a {@link CheckpointError}: it names the file (and, where
 * there is one, the field or tensor) and says what was expected, so a researcher can fix the file
 * without reading our code.
 */
export class CheckpointError extends Error {
  /** The file the problem is in. */
  readonly file: string;
  /** The JSON field or tensor name the problem is about, when there is one. */
  readonly field: string | undefined;

  constructor(file: string, message: string, field?: string) {
    super(`${file}${field === undefined ? '' : ` (${field})`}: ${message}`);
    this.name = 'CheckpointError';
    this.file = file;
    this.field = field;
  }
}
