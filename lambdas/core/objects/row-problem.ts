/**
 * Why one row is rejected. Thrown by the parser and the column validators and caught
 * per row, so the happy path carries no result objects. Deliberately not an Error: bad
 * rows can be numerous and a stack trace is of no use for them.
 */
export class RowProblem {
  constructor(
    readonly reason: string,
    /** The column at fault, when the problem is one column's value. */
    readonly column?: string,
  ) {}
}
