/**
 * Reads what a Debian `copyright` file says about the package as a whole: in the machine-readable
 * format (DEP-5), the `License:` of the `Files: *` paragraph; otherwise `undefined`, and the build
 * falls back to the summary written by hand next to the source.
 */
export function mainLicense(copyright: string): string | undefined {
  if (!/^Format:/m.test(copyright)) return undefined;
  for (const paragraph of copyright.split(/\n\s*\n/)) {
    const files = /^Files:\s*(.*)$/m.exec(paragraph);
    const license = /^License:\s*(.*)$/m.exec(paragraph);
    if (files?.[1]?.trim() === '*' && license?.[1] !== undefined) return license[1].trim();
  }
  return undefined;
}
