import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { csvRows, fluxRecords } from './flux-csv.ts';

describe('csvRows', () => {
  it('splits on commas and line ends, and keeps quoted commas, quotes and line breaks', () => {
    assert.deepEqual(
      [...csvRows('a,b\r\n"c,d","say ""hi""","two\nlines"\n,\nlast')],
      [['a', 'b'], ['c,d', 'say "hi"', 'two\nlines'], ['', ''], ['last']],
    );
  });
});

describe('fluxRecords', () => {
  it('applies column defaults and types to each data row', () => {
    const text = [
      '#datatype,string,long,double',
      '#default,_result,,',
      ',result,table,_value',
      ',,0,1.5',
      '',
    ].join('\n');
    assert.deepEqual(
      [...fluxRecords(text)],
      [
        {
          cells: { result: '_result', table: '0', _value: '1.5' },
          types: { result: 'string', table: 'long', _value: 'double' },
        },
      ],
    );
  });

  it('rejects answers without annotations or with ragged rows', () => {
    assert.throws(
      () => [...fluxRecords(',result,_value\n,,1\n')],
      /influxdb parsing error, annotations not found/,
    );
    assert.throws(
      () => [...fluxRecords('#group,false\n,_value\n,1\n')],
      /influxdb parsing error, datatype annotation not found/,
    );
    assert.throws(
      () => [...fluxRecords('#datatype,double\n,_value\n,1,2\n')],
      /influxdb parsing error, row has different number of columns than the table: 2 vs 1/,
    );
  });

  it('reports an error table, with a default message', () => {
    assert.throws(
      () => [...fluxRecords('#datatype,string,string\n,error,reference\n,,\n')],
      /^Error: influxdb query error: unknown query error$/,
    );
  });
});
