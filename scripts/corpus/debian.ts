import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** A Debian binary package, downloaded and unpacked under the cache folder. */
export interface DebPackage {
  name: string;
  version: string;
  /** Folder the package's file tree was unpacked into (`<root>/usr/share/...`). */
  root: string;
  /** Text of the package's `usr/share/doc/<name>/copyright`. */
  copyright: string;
}

function findDeb(dir: string, name: string): string | undefined {
  return readdirSync(dir)
    .filter((f) => f.startsWith(`${name}_`) && f.endsWith('.deb'))
    .sort()
    .at(-1);
}

function download(dir: string, name: string): void {
  try {
    execFileSync('apt-get', ['download', name], { cwd: dir, stdio: 'pipe' });
  } catch {
    execFileSync('apt-get', ['update'], { stdio: 'pipe' });
    execFileSync('apt-get', ['download', name], { cwd: dir, stdio: 'pipe' });
  }
}

/**
 * Returns the package `name`, downloading it with `apt-get download` (the only network access of
 * the corpus build) and unpacking it with `dpkg-deb -x` unless the cache already holds it.
 *
 * @param cacheDir - folder for `.deb` files (`<cacheDir>/debs`) and their unpacked trees (`<cacheDir>/root`).
 */
export function fetchDeb(cacheDir: string, name: string): DebPackage {
  const debs = join(cacheDir, 'debs');
  mkdirSync(debs, { recursive: true });
  let file = findDeb(debs, name);
  if (file === undefined) {
    download(debs, name);
    file = findDeb(debs, name);
    if (file === undefined) throw new Error(`apt-get download ${name}: no ${name}_*.deb appeared in ${debs}`);
  }
  const deb = join(debs, file);
  const version = execFileSync('dpkg-deb', ['-f', deb, 'Version'], { encoding: 'utf8' }).trim();
  const root = join(cacheDir, 'root', `${name}_${version}`);
  if (!existsSync(root)) {
    const partial = `${root}.partial`;
    rmSync(partial, { recursive: true, force: true });
    mkdirSync(partial, { recursive: true });
    execFileSync('dpkg-deb', ['-x', deb, partial], { stdio: 'pipe' });
    renameSync(partial, root);
  }
  const copyright = readFileSync(join(root, 'usr/share/doc', name, 'copyright'), 'utf8');
  return { name, version, root, copyright };
}
