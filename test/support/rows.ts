/**
 * Aggregate rows without their interval columns (`stderr`, `ci_low`, `ci_high`, `ci_method`,
 * `clusters`): tests that pin means and trial counts compare these; the intervals have tests of
 * their own.
 */
export function withoutStats<T extends object>(
  rows: T[],
): Record<string, unknown>[] {
  return rows.map((row) => {
    const {
      stderr: _s,
      ci_low: _l,
      ci_high: _h,
      ci_method: _m,
      clusters: _c,
      ...rest
    } = row as Record<string, unknown>;
    return rest;
  });
}
