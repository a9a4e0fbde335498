/** Code-point order, independent of the machine's locale: sorting with it keeps output bytes stable. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
