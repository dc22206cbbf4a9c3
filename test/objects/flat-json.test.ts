import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FALSE_VALUE, FlatJsonRowParser, NULL_VALUE, NUMBER_VALUE, STRING_VALUE, TRUE_VALUE } from '../../lambdas/core/objects/flat-json';
import { RowProblem } from '../../lambdas/core/objects/row-problem';

const columns = ['id', 'name', 'price', 'flag', 'note'];

/** Parses a line and returns what the parser recorded, per key, as [kind, text]. */
function parse(line: string, parser = new FlatJsonRowParser(columns)) {
  parser.parse(line, 0, line.length);
  const values: Record<string, [number, string]> = {};
  columns.forEach((name, index) => {
    if (parser.seen[index] === parser.generation) {
      values[name] = [parser.kinds[index]!, parser.texts[index]!.slice(parser.starts[index], parser.ends[index])];
    }
  });
  return { values, unknownKey: parser.unknownKey, found: parser.columnsFound };
}

function problemOf(line: string): RowProblem {
  try {
    parse(line);
  } catch (error) {
    if (error instanceof RowProblem) return error;
    throw error;
  }
  throw new Error(`expected ${line} to be rejected`);
}

describe('flat JSON row parser', () => {
  it('records each scalar with its kind, keeping number literals as source text', () => {
    const { values, found } = parse('{"id": 2, "name": "Deron", "price": 361.39, "flag": true, "note": null}');
    expect(found).toBe(5);
    expect(values).toEqual({
      id: [NUMBER_VALUE, '2'],
      name: [STRING_VALUE, 'Deron'],
      price: [NUMBER_VALUE, '361.39'],
      flag: [TRUE_VALUE, 'true'],
      note: [NULL_VALUE, 'null'],
    });
    expect(parse('{"flag":false}').values.flag).toEqual([FALSE_VALUE, 'false']);
  });

  it('keeps number literals exactly as written', () => {
    for (const literal of ['0.1', '-0.01', '99999999.99', '2.0', '1e-7', '-1.5E+3', '0', '-0', '123456789012345678901234567890']) {
      expect(parse(`{"price": ${literal}}`).values.price).toEqual([NUMBER_VALUE, literal]);
    }
  });

  it('accepts any key order and whitespace, including CR before the line end', () => {
    const { values } = parse(' \t{ "note" :"x" ,"id":1\t}\r');
    expect(values).toEqual({ note: [STRING_VALUE, 'x'], id: [NUMBER_VALUE, '1'] });
  });

  it('learns the key order but matches every key exactly', () => {
    const parser = new FlatJsonRowParser(columns);
    expect(parse('{"id": 1, "name": "a"}', parser).values).toEqual({ id: [NUMBER_VALUE, '1'], name: [STRING_VALUE, 'a'] });
    // Same order predicted, but a key that only shares a prefix must not match.
    expect(parse('{"id": 1, "names": "a"}', parser).unknownKey).toBe('names');
    expect(parse('{"id": 1, "nam": "a"}', parser).unknownKey).toBe('nam');
    expect(parse('{"name": "b", "id": 2}', parser).values).toEqual({ id: [NUMBER_VALUE, '2'], name: [STRING_VALUE, 'b'] });
  });

  it('decodes every JSON escape, including surrogate pairs', () => {
    const line = String.raw`{"name": "a\"b\\c\/d\b\f\n\r\t\u00e9\u20AC\ud83d\ude00 end"}`;
    expect(parse(line).values.name).toEqual([STRING_VALUE, 'a"b\\c/d\b\f\n\r\t\u00e9\u20ac\u{1f600} end']);
  });

  it('decodes escaped keys too', () => {
    expect(parse(String.raw`{"n\u0061me": "x"}`).values.name).toEqual([STRING_VALUE, 'x']);
  });

  it('keeps non-ASCII text as is', () => {
    expect(parse('{"name": "Zoë Łódź 東京 🙂"}').values.name).toEqual([STRING_VALUE, 'Zoë Łódź 東京 🙂']);
  });

  it('remembers a key that is not a column, and still parses the rest', () => {
    const result = parse('{"id": 1, "colour": "red", "shade": 3}');
    expect(result.unknownKey).toBe('colour');
    expect(result.values).toEqual({ id: [NUMBER_VALUE, '1'] });
  });

  it('reads only its stretch of a longer text (a line inside a chunk)', () => {
    const text = '{"id": 1}\n{"id": 22, "name": "x"}\n{"id": 3}';
    const parser = new FlatJsonRowParser(columns);
    const start = text.indexOf('\n') + 1;
    parser.parse(text, start, text.indexOf('\n', start));
    expect(parser.columnsFound).toBe(2);
    expect(text.slice(parser.starts[0], parser.ends[0])).toBe('22');
  });

  it('accepts the empty object (the caller reports the missing columns)', () => {
    expect(parse('{}').found).toBe(0);
  });

  describe('rejects, with the character position', () => {
    it.each([
      ['{"id": 1', 'malformed JSON at the end of the line: expected "," or "}"'],
      ['{"id": 1,}', 'malformed JSON at character 10: expected a key string'],
      ['{"id" 1}', 'malformed JSON at character 7: expected ":"'],
      ['{"id": }', 'malformed JSON at character 8: expected a value'],
      ['{"id": 01}', 'malformed JSON at character 9: expected "," or "}"'],
      ['{"id": 1.}', 'malformed JSON at character 10: invalid number'],
      ['{"id": .5}', 'malformed JSON at character 8: expected a value'],
      ['{"id": -}', 'malformed JSON at character 9: invalid number'],
      ['{"id": 1e}', 'malformed JSON at character 10: invalid number'],
      ['{"id": NaN}', 'malformed JSON at character 8: expected a value'],
      ['{"id": tru}', 'malformed JSON at character 8: invalid literal'],
      ['{"id": nulll}', 'malformed JSON at character 12: expected "," or "}"'],
      ['{"name": "abc}', 'malformed JSON at the end of the line: unterminated string'],
      ["{'id': 1}", 'malformed JSON at character 2: expected a key string'],
      ['{"id": 1} {"id": 2}', 'malformed JSON at character 11: unexpected text after the object'],
      ['{"id": 1}}', 'malformed JSON at character 10: unexpected text after the object'],
      ['[1, 2]', 'malformed JSON at character 1: expected a JSON object "{"'],
      ['"text"', 'malformed JSON at character 1: expected a JSON object "{"'],
      ['id,name', 'malformed JSON at character 1: expected a JSON object "{"'],
      ['{"name": "a\tb"}', 'malformed JSON at character 12: unescaped control character in a string'],
      [String.raw`{"name": "a\x"}`, 'malformed JSON at character 12: invalid escape'],
      [String.raw`{"name": "a\u12"}`, 'malformed JSON at character 12: invalid \\u escape'],
      [String.raw`{"name": "\ud83d"}`, 'malformed JSON at character 11: unpaired surrogate in \\u escape'],
      [String.raw`{"name": "\ude00x"}`, 'malformed JSON at character 11: unpaired surrogate in \\u escape'],
      [String.raw`{"name": "\ud83d\u0041"}`, 'malformed JSON at character 11: unpaired surrogate in \\u escape'],
      ['{"name": "🙂🙂", x}', 'malformed JSON at character 16: expected a key string'],
    ])('%s', (line, reason) => {
      expect(problemOf(line)).toEqual(new RowProblem(reason));
    });

    it('nested objects and arrays, naming the key', () => {
      expect(problemOf('{"id": 1, "note": {"a": 1}}')).toEqual(
        new RowProblem('key "note" has a nested object; row values must be scalars', 'note'),
      );
      expect(problemOf('{"tags": [1, 2]}')).toEqual(new RowProblem('key "tags" has a nested array; row values must be scalars'));
    });

    it('duplicate keys, even with equal values', () => {
      expect(problemOf('{"id": 1, "name": "a", "id": 1}')).toEqual(new RowProblem('duplicate key "id"', 'id'));
      expect(problemOf(String.raw`{"name": "a", "n\u0061me": "b"}`)).toEqual(new RowProblem('duplicate key "name"', 'name'));
    });
  });

  it('agrees with JSON.parse on random flat objects (strings, numbers, booleans, null)', () => {
    const scalar = fc.oneof(
      fc.string({ unit: 'grapheme' }),
      fc.string({ unit: 'binary' }), // any code point, astral ones included (no lone surrogates)
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.boolean(),
      fc.constant(null),
    );
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...columns), scalar), fc.boolean(), (record, ascii) => {
        const line = JSON.stringify(record, null, ascii ? 0 : 1).replace(/\n/g, ' ');
        const decoded = JSON.parse(line) as Record<string, unknown>;
        const { values } = parse(line);
        expect(Object.keys(values).sort()).toEqual(Object.keys(decoded).sort());
        for (const [key, [kind, text]] of Object.entries(values)) {
          const expected = decoded[key];
          if (kind === STRING_VALUE) expect(text).toBe(expected);
          else if (kind === NUMBER_VALUE) expect(Number(text)).toBe(expected);
          else expect(JSON.parse(text)).toBe(expected);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
