/**
 * Child process of the transform benchmark: the reference. DuckDB does the same
 * conversion (read_json → the fact's columns with exact DECIMAL, DATE and TIME → COPY TO
 * Parquet, SNAPPY) and prints its duration as JSON.
 * Usage: run-duckdb.ts <jsonl file> <parquet file> [threads]
 * With `threads` 1 it runs on one core, as the transform does (a 1024 MB Lambda has less
 * than one vCPU); without it, on every core.
 */
import { DuckDBInstance } from '@duckdb/node-api';

const [input, output, threads] = process.argv.slice(2) as [string, string, string | undefined];
const instance = await DuckDBInstance.create(':memory:', threads ? { threads } : {});
const connection = await instance.connect();
const started = performance.now();
await connection.run(`
  COPY (
    SELECT
      sales_order_id,
      CAST(created_at AS DATE) AS created_date,
      CAST(created_at AS TIME) AS created_time,
      CAST(last_updated AS DATE) AS last_updated_date,
      CAST(last_updated AS TIME) AS last_updated_time,
      staff_id AS sales_staff_id,
      counterparty_id,
      units_sold,
      unit_price,
      currency_id,
      design_id,
      CAST(agreed_payment_date AS DATE) AS agreed_payment_date,
      CAST(agreed_delivery_date AS DATE) AS agreed_delivery_date,
      agreed_delivery_location_id,
      md5(concat_ws('|', sales_order_id, created_at, last_updated, staff_id, counterparty_id, units_sold,
        unit_price, currency_id, design_id, agreed_payment_date, agreed_delivery_date, agreed_delivery_location_id)) AS version_hash
    FROM read_json('${input.replaceAll("'", "''")}', format = 'newline_delimited', columns = {
      sales_order_id: 'INTEGER', created_at: 'TIMESTAMP', last_updated: 'TIMESTAMP', design_id: 'INTEGER',
      staff_id: 'INTEGER', counterparty_id: 'INTEGER', units_sold: 'INTEGER', unit_price: 'DECIMAL(10,2)',
      currency_id: 'INTEGER', agreed_delivery_date: 'VARCHAR', agreed_payment_date: 'VARCHAR',
      agreed_delivery_location_id: 'INTEGER'
    })
  ) TO '${output.replaceAll("'", "''")}' (FORMAT parquet, COMPRESSION snappy)
`);
const durationMs = performance.now() - started;
const count = await connection.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM read_parquet('${output.replaceAll("'", "''")}')`);
const rows = Number(count.getRowObjectsJson()[0]!.n);
connection.closeSync();
instance.closeSync();
console.log(JSON.stringify({ durationMs, rows, peakRssMb: process.resourceUsage().maxRSS / 1024 }));
