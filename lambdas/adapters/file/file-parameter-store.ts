/**
 * Parameter Store on the local filesystem: every parameter in one JSON file
 * (`{ "/totesys/transform/sales_order/last-processed-sequence": "42", ... }`).
 *
 * Each put rewrites the file atomically (temp file + rename), so a crash never leaves a
 * half-written file. Puts are serialised within a process, and across processes sharing
 * the file (`ops replay --local` beside `npm start`) by a guard file next to it, so a put
 * never drops another process's parameter. Like SSM, a value must be a non-empty string.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { ParameterStore } from '../../core/ports';
import { withFileGuard } from './file-guard';

export class FileParameterStore implements ParameterStore {
  readonly filePath: string;
  /** The tail of the chain of pending writes: each put waits for the one before. */
  private pending: Promise<unknown> = Promise.resolve();

  constructor(filePath: string) {
    this.filePath = resolve(filePath);
  }

  async get(name: string): Promise<string | undefined> {
    checkName(name);
    await this.pending.catch(() => undefined);
    return (await this.readAll()).get(name);
  }

  async put(name: string, value: string): Promise<void> {
    checkName(name);
    if (typeof value !== 'string' || value === '') {
      throw new Error(`parameter "${name}": the value must be a non-empty string`);
    }
    const write = this.pending
      .catch(() => undefined)
      .then(async () => {
        await mkdir(dirname(this.filePath), { recursive: true });
        await withFileGuard(`${this.filePath}.guard`, async () => {
          const parameters = await this.readAll();
          parameters.set(name, value);
          await this.writeAll(parameters);
        });
      });
    this.pending = write;
    await write;
  }

  private async readAll(): Promise<Map<string, string>> {
    let text: string;
    try {
      text = await readFile(this.filePath, 'utf8');
    } catch (error) {
      if ((error as { code?: string }).code === 'ENOENT') return new Map();
      throw error;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new Error(`parameter file ${this.filePath} is not valid JSON: ${(error as Error).message}`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new Error(`parameter file ${this.filePath} must hold a JSON object of name → string value`);
    }
    const parameters = new Map<string, string>();
    for (const [name, value] of Object.entries(parsed)) {
      if (typeof value !== 'string') {
        throw new Error(`parameter file ${this.filePath}: the value of "${name}" is not a string`);
      }
      parameters.set(name, value);
    }
    return parameters;
  }

  private async writeAll(parameters: ReadonlyMap<string, string>): Promise<void> {
    await mkdir(dirname(this.filePath), { recursive: true });
    const tempPath = `${this.filePath}.${randomBytes(8).toString('hex')}.partial`;
    // A map (not an object) on the way in: a name like "__proto__" stays an ordinary name.
    const sorted = Object.fromEntries([...parameters].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    try {
      await writeFile(tempPath, `${JSON.stringify(sorted, null, 2)}\n`);
      await rename(tempPath, this.filePath);
    } catch (error) {
      await rm(tempPath, { force: true });
      throw error;
    }
  }
}

function checkName(name: string): void {
  if (typeof name !== 'string' || name === '') throw new Error('a parameter name must be a non-empty string');
}
