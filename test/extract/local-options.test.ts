import { describe, expect, it } from 'vitest';
import { UsageError, parseLocalOptions } from '../../local/cli-options';

describe('local mode options for the ingest stage', () => {
  it('generates and ingests a source database by default', () => {
    expect(parseLocalOptions([])).toMatchObject({ land: false, sourceUrl: undefined, inputDir: undefined });
  });

  it('takes a real source database, or lands generated objects directly', () => {
    expect(parseLocalOptions(['--source-url', 'postgres://me@db/totesys'])).toMatchObject({ sourceUrl: 'postgres://me@db/totesys' });
    expect(parseLocalOptions(['--land', '--gzip'])).toMatchObject({ land: true, gzip: true });
  });

  it('refuses a source URL that is not Postgres, and two sources at once', () => {
    expect(() => parseLocalOptions(['--source-url', 'mysql://db'])).toThrow(UsageError);
    expect(() => parseLocalOptions(['--source-url', 'postgres://db/x', '--input', 'dir'])).toThrow(
      /--input and --source-url are alternatives/,
    );
    expect(() => parseLocalOptions(['--land', '--input', 'dir'])).toThrow(/--input and --land are alternatives/);
  });
});
