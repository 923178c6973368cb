/**
 * Aggregate rows without their statistics columns (`stderr`, `ci_low`, `ci_high`, `trials`):
 * tests that pin means and counts compare these; the statistics have tests of their own.
 */
export function withoutStats<T extends object>(
  rows: T[],
): Record<string, unknown>[] {
  return rows.map((row) => {
    const { stderr: _s, ci_low: _l, ci_high: _h, trials: _t, ...rest } = row as Record<
      string,
      unknown
    >;
    return rest;
  });
}
