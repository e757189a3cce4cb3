/**
 * Every problem choosing or starting a compute backend is a {@link BackendError}: it names the backend
 * that was asked for and says what failed, so a researcher can tell a missing package from a missing
 * GPU without reading our code.
 */
export class BackendError extends Error {
  /** The backend name that was asked for (as given, even when it is not a valid name). */
  readonly requested: string;

  constructor(requested: string, message: string, options?: { cause?: unknown }) {
    super(`backend '${requested}': ${message}`, options);
    this.name = 'BackendError';
    this.requested = requested;
  }
}
