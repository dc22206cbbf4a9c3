/** Rejected rows of one object, as JSON Lines for `rejected/<table>/<sequence>.jsonl`. */
import type { RejectedRow } from '../objects/types';

export class RejectedRows {
  private readonly lines: string[] = [];

  get count(): number {
    return this.lines.length;
  }

  add(rejected: RejectedRow): void {
    this.lines.push(JSON.stringify(rejected));
  }

  toJsonLines(): string {
    return this.lines.length === 0 ? '' : `${this.lines.join('\n')}\n`;
  }
}
