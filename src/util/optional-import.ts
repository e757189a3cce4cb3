/**
 * Imports an optional package by a name held in a variable, so TypeScript needs neither the package
 * nor its types, and vite leaves the import to Node.
 */
export async function importOptional(name: string): Promise<unknown> {
  return import(/* @vite-ignore */ name);
}

/**
 * True when `error` says `name` itself is missing (Node's or vite's wording), not one of its
 * dependencies or its native library.
 */
export function isNotInstalled(name: string, error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  // Node: Cannot find package 'x'; vite: Failed to load / resolve 'x', or Could not resolve "x" (a package not declared).
  return /Cannot find (package|module)|Failed to (load|resolve)|Could not resolve/.test(message) && (message.includes(`${name}'`) || message.includes(`"${name}"`));
}

/** One line saying why a package did not load: not installed (plus `hint`), or the loader's message. */
export function describeImportFailure(name: string, error: unknown, hint: string): string {
  if (isNotInstalled(name, error)) return `${name}: not installed; ${hint}`;
  const message = error instanceof Error ? error.message : String(error);
  return `${name}: failed to load: ${message.split('\n')[0]}`;
}
