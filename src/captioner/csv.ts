/**
 * CSV for spreadsheets, shared by the page's export and the CLI's csv rows: one library (papaparse)
 * and one rule for cells a spreadsheet would otherwise run as a formula.
 */
import Papa from 'papaparse';

/**
 * What a spreadsheet runs as a formula (= + - @) or strips before looking (tab, carriage return):
 * such a cell gets a leading apostrophe, which makes Excel, LibreOffice and Sheets take it as text.
 * Cells that already start with apostrophes before such a character get one more, so that reading a
 * file back (unescapeFormula) gives every cell exactly as it was written.
 */
const FORMULA_START = /^'*[=+\-@\t\r]/;

export function escapeFormula(cell: string): string {
  return FORMULA_START.test(cell) ? `'${cell}` : cell;
}

/** The cell as it was before escapeFormula. */
export function unescapeFormula(cell: string): string {
  return cell.startsWith("'") && FORMULA_START.test(cell.slice(1)) ? cell.slice(1) : cell;
}

export type CsvCell = string | number | boolean;

/** RFC 4180 records (quoted only where needed), each ending with `newline`; text cells escaped by escapeFormula. */
export function csvRecords(records: readonly (readonly CsvCell[])[], newline: '\n' | '\r\n'): string {
  const escaped = records.map((record) => record.map((cell) => (typeof cell === 'string' ? escapeFormula(cell) : cell)));
  return escaped.map((record) => Papa.unparse([record], { newline }) + newline).join('');
}

export interface ParsedCsv {
  /** Each record's cells as written (escapeFormula undone). */
  records: string[][];
  /** Where each record ends in the text, after its newline: record i is text.slice(ends[i - 1] ?? 0, ends[i]). */
  ends: number[];
}

/** Reads CSV text written by csvRecords: every record, and where it ends in the text. */
export function parseCsv(text: string): ParsedCsv {
  const records: string[][] = [];
  const ends: number[] = [];
  const errors: string[] = [];
  Papa.parse<string[]>(text, {
    delimiter: ',',
    step: ({ data, errors: stepErrors, meta }) => {
      errors.push(...stepErrors.map((error) => `${error.message} (row ${records.length + 1})`));
      // An empty line (such as what follows the last newline) holds no record.
      if (data.length === 1 && data[0] === '') return;
      records.push(data.map(unescapeFormula));
      ends.push(meta.cursor);
    },
  });
  if (errors.length > 0) throw new Error(`not valid CSV: ${errors[0]}`);
  return { records, ends };
}
